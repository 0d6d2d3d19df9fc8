import type { Activity } from 'botbuilder';
import type { InboundLog } from '../../inbox';
import { hotSqlOf, isUniqueViolation, type Db } from '../../storage';

export const CHANNEL_ID = 'webchat';

/** Direct Line ids look like `<conversation>|<zero-padded sequence>`; the sequence is the watermark. */
export function activityId(conversationId: string, seq: number): string {
  return `${conversationId}|${String(seq).padStart(7, '0')}`;
}

/**
 * What a web chat InboundMessage holds: where its activity is in the stream. The stream entry is
 * the one copy of the message (Web Chat reads it back as the echo), so it is not stored twice.
 */
interface InboundPointer {
  seq: number;
}

export interface InboundRecord {
  inboundId: number;
  activity: Partial<Activity>;
  duplicate: boolean;
}

/** A stored activity as the bot expects it: JSON with its timestamp as a Date again. */
function revive(json: string): Partial<Activity> {
  const activity = JSON.parse(json);
  if (typeof activity.timestamp === 'string') activity.timestamp = new Date(activity.timestamp);
  return activity;
}

/**
 * Conversations and their activity streams live in the database, so any instance can serve any
 * conversation: a watermark is the per-conversation sequence allocated from `lastSeq`.
 */
export class DirectLineStore {
  constructor(
    private readonly prisma: Db,
    /** The inbox's record of web chat messages: the one writer of InboundMessage. */
    readonly log: InboundLog,
  ) {}

  async createConversation(id: string, userId: string): Promise<void> {
    await this.prisma.directLineConversation.create({ data: { id, userId } });
  }

  async findConversation(id: string): Promise<{ id: string; userId: string | null } | null> {
    return this.prisma.directLineConversation.findUnique({ where: { id }, select: { id: true, userId: true } });
  }

  /** Appends activities to the stream, giving each its id and timestamp in sequence order. */
  async append(conversationId: string, activities: Partial<Activity>[]): Promise<Partial<Activity>[]> {
    if (activities.length === 0) return [];
    return this.prisma.$transaction(async (tx) => {
      const { lastSeq } = await tx.directLineConversation.update({
        where: { id: conversationId },
        data: { lastSeq: { increment: activities.length } },
        select: { lastSeq: true },
      });
      const first = lastSeq - activities.length + 1;
      const timestamp = new Date();
      const stored = activities.map((activity, i) => ({ ...activity, id: activityId(conversationId, first + i), timestamp }));
      await tx.directLineActivity.createMany({
        data: stored.map((activity, i) => ({ conversationId, seq: first + i, activity: JSON.stringify(activity) })),
      });
      return stored;
    });
  }

  /**
   * Records a user's activity once per (conversation, client activity id) and appends its echo
   * to the stream in the same transaction. A retried post gets the first one back as a duplicate.
   */
  async recordInbound(conversationId: string, externalId: string, activity: Partial<Activity>): Promise<InboundRecord> {
    const key = `${conversationId}:${externalId}`;
    try {
      // Acknowledged as soon as it is recorded: on SQLite its commit waits for the disk.
      const durably = hotSqlOf(this.prisma)?.durably ?? (<T>(work: () => Promise<T>) => work());
      return await durably(() => this.prisma.$transaction(async (tx) => {
        const { lastSeq } = await tx.directLineConversation.update({
          where: { id: conversationId },
          data: { lastSeq: { increment: 1 } },
          select: { lastSeq: true },
        });
        const stored = { ...activity, id: activityId(conversationId, lastSeq), timestamp: new Date() };
        const inboundId = await this.log.insert(tx, key, conversationId, JSON.stringify({ seq: lastSeq } satisfies InboundPointer));
        await tx.directLineActivity.create({ data: { conversationId, seq: lastSeq, activity: JSON.stringify(stored) } });
        return { inboundId, activity: stored, duplicate: false };
      }));
    } catch (error) {
      // The transaction rolled back (on PostgreSQL it cannot go on after the violation): the first one is read afterwards.
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.log.find(key);
      if (!existing) throw error;
      return { inboundId: existing.id, activity: await this.inboundActivity(conversationId, existing.payload), duplicate: true };
    }
  }

  /** The user's activity an inbound record points at, as the bot expects it. */
  async inboundActivity(conversationId: string, payload: string): Promise<Partial<Activity>> {
    const { seq } = JSON.parse(payload) as InboundPointer;
    const row = await this.prisma.directLineActivity.findUniqueOrThrow({ where: { conversationId_seq: { conversationId, seq } }, select: { activity: true } });
    return revive(row.activity);
  }

  /** Activities after `watermark` as sent on the wire (JSON), oldest first, and the next watermark. */
  async list(conversationId: string, watermark: number, limit = 100): Promise<{ activities: unknown[]; watermark: number }> {
    const rows = await this.prisma.directLineActivity.findMany({
      where: { conversationId, seq: { gt: watermark } },
      orderBy: { seq: 'asc' },
      take: limit,
      select: { seq: true, activity: true },
    });
    return {
      activities: rows.map((row) => JSON.parse(row.activity)),
      watermark: rows.length > 0 ? rows[rows.length - 1].seq : watermark,
    };
  }
}
