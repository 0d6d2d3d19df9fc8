import type { Clock } from '../pqr';
import { isUniqueViolation, type Db, type Tx } from '../storage';
import { queueChatMessage, type ChatUser } from './outbox';

export type RatingSubject = 'answer' | 'handoff';
export const SCORE_KEYS = ['rating.score.1', 'rating.score.2', 'rating.score.3', 'rating.score.4', 'rating.score.5'];
/** A question left unanswered this long no longer claims the user's next "3". */
const PENDING_MS = 7 * 86_400_000;
/** A question asked, or scored and waiting for the optional comment. */
export const PENDING_STATES = ['asked', 'scored'];
export const MAX_COMMENT_LENGTH = 1000;

export type RatingRow = Awaited<ReturnType<Db['rating']['findUniqueOrThrow']>>;

export interface RatingQuestion {
  subject: RatingSubject;
  user: ChatUser;
  pqrId?: number;
  cun?: string;
  handoffId?: number;
  agentId?: number | null;
}

export interface RatingItem {
  score: number;
  comment: string | null;
  subject: RatingSubject;
  cun: string | null;
  handoffId: number | null;
  agentId: number | null;
  channel: string;
  at: Date;
}

/**
 * CSAT: "¿Cómo calificas la atención?" once per subject (a delivered answer, a closed live
 * conversation), a score from 1 to 5 and an optional comment. The question is a row whose
 * subject key is unique, so however many times the trigger fires it is asked once.
 */
export class Ratings {
  constructor(
    private readonly prisma: Db,
    private readonly clock: Clock,
  ) {}

  /** Queues the question in `tx` (or its own transaction); false when this subject was asked already. */
  async ask(question: RatingQuestion, tx?: Tx): Promise<boolean> {
    const subjectKey = question.subject === 'answer' ? `answer:${question.pqrId}` : `handoff:${question.handoffId}`;
    const write = async (t: Tx) => {
      if (await t.rating.findUnique({ where: { subjectKey }, select: { id: true } })) return false;
      const rating = await t.rating.create({
        data: {
          subjectKey,
          subject: question.subject,
          channel: question.user.channel,
          userId: question.user.userId,
          pqrId: question.pqrId ?? null,
          cun: question.cun ?? null,
          handoffId: question.handoffId ?? null,
          agentId: question.agentId ?? null,
          askedAt: this.clock.now(),
        },
      });
      await queueChatMessage(t, question.user, { key: 'rating.question', choices: SCORE_KEYS, idempotencyKey: `rating:${rating.id}`, pqrId: question.pqrId });
      return true;
    };
    try {
      return tx ? await write(tx) : await this.prisma.$transaction(write);
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** Questions asked since this moment still wait for their answer. */
  pendingSince(): Date {
    return new Date(this.clock.now().getTime() - PENDING_MS);
  }

  /** The question this user has not finished answering, if it is recent. */
  async pendingFor(user: ChatUser): Promise<RatingRow | null> {
    return this.prisma.rating.findFirst({
      where: { channel: user.channel, userId: user.userId, state: { in: PENDING_STATES }, askedAt: { gte: this.pendingSince() } },
      orderBy: { id: 'desc' },
    });
  }

  /** Records the score once: a second score for the same question is refused (false). */
  async score(id: number, score: number): Promise<boolean> {
    if (!Number.isInteger(score) || score < 1 || score > 5) throw new RangeError('a score is 1 to 5');
    const done = await this.prisma.rating.updateMany({ where: { id, state: 'asked' }, data: { state: 'scored', score, ratedAt: this.clock.now() } });
    return done.count === 1;
  }

  async comment(id: number, comment: string): Promise<void> {
    await this.prisma.rating.updateMany({ where: { id, state: 'scored' }, data: { state: 'done', comment: comment.trim().slice(0, MAX_COMMENT_LENGTH) } });
  }

  /** Scored without a comment, or not answered at all: the question stops waiting for the user. */
  async finish(rating: RatingRow): Promise<void> {
    await this.prisma.rating.updateMany({ where: { id: rating.id, state: rating.state }, data: { state: rating.state === 'scored' ? 'done' : 'dismissed' } });
  }

  /** Scores given between two instants, oldest first. */
  async list(from: Date, to: Date): Promise<RatingItem[]> {
    const rows = await this.prisma.rating.findMany({ where: { score: { not: null }, ratedAt: { gte: from, lt: to } }, orderBy: { ratedAt: 'asc' }, take: 5000 });
    return rows.map((r) => ({
      score: r.score!,
      comment: r.comment,
      subject: r.subject as RatingSubject,
      cun: r.cun,
      handoffId: r.handoffId,
      agentId: r.agentId,
      channel: r.channel,
      at: r.ratedAt!,
    }));
  }
}

/** Average score and count per agent, channel and subject: what a supervisor compares. */
export function summarizeRatings(items: RatingItem[]) {
  const group = (keyOf: (item: RatingItem) => string) => {
    const groups = new Map<string, { count: number; total: number }>();
    for (const item of items) {
      const key = keyOf(item);
      const g = groups.get(key) ?? { count: 0, total: 0 };
      g.count += 1;
      g.total += item.score;
      groups.set(key, g);
    }
    return [...groups].map(([key, g]) => ({ key, count: g.count, average: Math.round((g.total / g.count) * 100) / 100 }));
  };
  return {
    byAgent: group((i) => (i.agentId === null ? 'none' : String(i.agentId))),
    byChannel: group((i) => i.channel),
    bySubject: group((i) => i.subject),
  };
}
