import type { ResourceResponse, TurnContext } from 'botbuilder';
import { INBOUND_MESSAGE_ID } from '../bot';
import { isUniqueViolation, LeaseHold, Leases, type Db, type Tx } from '../storage';

/** One inbound webhook message as recorded before it was acknowledged. */
export interface RecordedInbound {
  id: number;
  conversationKey: string;
  payload: string;
}

/** The bot's (or a channel's own) handling of one turn. */
export type TurnLogic = (context: TurnContext) => Promise<void>;

/** A recorded message about to be processed, with what an earlier, interrupted run of it left behind. */
export interface PendingInbound extends RecordedInbound {
  attempts: number;
  repliesSent: number;
}

/** A message that kept its turn from finishing (e.g. it crashed the instance each time) and was given up. */
export class AbandonedMessageError extends Error {
  constructor(attempts: number) {
    super(`given up after ${attempts} unfinished attempts`);
    this.name = 'AbandonedMessageError';
  }
}

/**
 * The InboundMessage table for one channel: a message is recorded once per (channel, external
 * id), so a platform's redelivery is recognised as a duplicate even when it reaches another
 * instance, and a message recorded but never processed survives a crash.
 */
export class InboundLog {
  constructor(
    readonly prisma: Db,
    readonly channel: string,
  ) {}

  /** Records the message; `duplicate` when this external id was recorded before (by anyone). */
  async record(externalId: string, conversationKey: string, payload: string): Promise<{ id: number; duplicate: boolean }> {
    try {
      return { id: await this.insert(this.prisma, externalId, conversationKey, payload), duplicate: false };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.find(externalId);
      if (!existing) throw error;
      return { id: existing.id, duplicate: true };
    }
  }

  /**
   * Records the message inside the caller's transaction (a channel that writes something else
   * with it); a duplicate throws the unique violation, which the caller answers after the
   * transaction rolled back, with `find`.
   */
  async insert(tx: Db | Tx, externalId: string, conversationKey: string, payload: string): Promise<number> {
    const row = await tx.inboundMessage.create({ data: { channel: this.channel, externalId, conversationKey, payload }, select: { id: true } });
    return row.id;
  }

  /** The message recorded under this external id, if any. */
  async find(externalId: string): Promise<{ id: number; payload: string } | null> {
    return this.prisma.inboundMessage.findUnique({ where: { channel_externalId: { channel: this.channel, externalId } }, select: { id: true, payload: true } });
  }

  /** Counts a run of the message's turn; false when it was processed meanwhile. */
  async begin(id: number): Promise<boolean> {
    const started = await this.prisma.inboundMessage.updateMany({ where: { id, processedAt: null }, data: { attempts: { increment: 1 } } });
    return started.count > 0;
  }

  /** Replies the message's turn has sent so far (counting those of interrupted runs). */
  async countReplies(id: number, repliesSent: number): Promise<void> {
    await this.prisma.inboundMessage.update({ where: { id }, data: { repliesSent } });
  }

  async markProcessed(id: number, error?: unknown): Promise<void> {
    await this.prisma.inboundMessage.update({
      where: { id },
      data: {
        processedAt: new Date(),
        lastError: error === undefined ? null : error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 500) : 'unknown error',
      },
    });
  }

  /** One conversation's unprocessed messages, oldest first. */
  async pendingFor(conversationKey: string, limit: number): Promise<PendingInbound[]> {
    return this.prisma.inboundMessage.findMany({
      where: { channel: this.channel, conversationKey, processedAt: null },
      orderBy: { id: 'asc' },
      take: limit,
      select: { id: true, conversationKey: true, payload: true, attempts: true, repliesSent: true },
    });
  }

  async hasPending(conversationKey: string): Promise<boolean> {
    const row = await this.prisma.inboundMessage.findFirst({ where: { channel: this.channel, conversationKey, processedAt: null }, select: { id: true } });
    return row !== null;
  }

  /** Conversations with unprocessed messages, and how many each has. */
  async pendingConversations(): Promise<{ conversationKey: string; count: number }[]> {
    const groups = await this.prisma.inboundMessage.groupBy({ by: ['conversationKey'], where: { channel: this.channel, processedAt: null }, _count: { _all: true } });
    return groups.map((group) => ({ conversationKey: group.conversationKey, count: group._count._all }));
  }
}

/**
 * The turn of one recorded message as a channel runs it. `guard` wraps the logic so that running
 * the turn again, after a crash cut the first run short, is invisible to the user: the bot learns
 * which message the turn answers (it skips a turn whose state it already saved), and the replies
 * the first run sent are not sent again. The one window left is a crash after the platform took a
 * reply and before its count was stored: that reply is sent twice (at least once, never lost).
 */
export class InboundTurn implements PendingInbound {
  readonly id: number;
  readonly conversationKey: string;
  readonly payload: string;
  readonly attempts: number;
  readonly repliesSent: number;

  constructor(
    private readonly log: InboundLog,
    message: PendingInbound,
    /** The conversation's lease: no reply goes out unless it is still ours (a turn that stalled past it stops instead). */
    private readonly lease?: LeaseHold,
  ) {
    ({ id: this.id, conversationKey: this.conversationKey, payload: this.payload, attempts: this.attempts, repliesSent: this.repliesSent } = message);
  }

  guard(logic: TurnLogic): TurnLogic {
    return async (context) => {
      context.turnState.set(INBOUND_MESSAGE_ID, this.id);
      let sent = 0;
      context.onSendActivities(async (ctx, activities, next) => {
        // Replies go out in the same order on every run, so the first `repliesSent` were sent already.
        const skipped = activities.splice(0, Math.max(0, Math.min(activities.length, this.repliesSent - sent)));
        sent += skipped.length;
        if (skipped.some((activity) => activity.type !== 'trace')) ctx.responded = true;
        let responses: ResourceResponse[] = [];
        if (activities.length > 0) {
          await this.lease?.assertHeld();
          responses = (await next()) ?? [];
          sent += activities.length;
          await this.log.countReplies(this.id, sent);
        }
        return [...skipped.map(() => ({ id: '' })), ...responses];
      });
      await logic(context);
    };
  }
}

export interface InboundSettings {
  leases: Leases;
  /**
   * How long a conversation's lease holds without renewal: the holder renews it while it works,
   * so this is how soon another instance takes over the conversations of one that died.
   */
  leaseMs: number;
  /** How often the holder renews it while it works (default: a third of `leaseMs`). */
  renewEveryMs?: number;
}

/** Unfinished runs after which a message is given up rather than tried again. */
const MAX_ATTEMPTS = 5;
const BATCH = 20;

/**
 * Processes recorded messages one at a time per conversation, in recording order, across every
 * instance on the database: an instance processes a conversation only while it holds the
 * conversation's lease, working through its unprocessed messages until none is left. A message
 * recorded by an instance that finds the lease held elsewhere is left to the holder, which looks
 * again after releasing; messages whose holder died are found by `resumePending` (run at start
 * and periodically) once the lease has expired. Each message is marked processed (with the
 * error, if its handler threw) so it is not run again.
 */
export class InboundProcessor {
  private readonly active = new Map<string, { again: boolean; done: Promise<void> }>();
  private readonly settings: InboundSettings;

  constructor(
    private readonly log: InboundLog,
    private readonly handle: (message: InboundTurn) => Promise<void>,
    private readonly onError: (error: unknown, inboundId?: number) => void,
    settings?: InboundSettings,
  ) {
    this.settings = settings ?? { leases: new Leases(log.prisma), leaseMs: 10_000 };
  }

  /** Processes a freshly recorded message (with anything else its conversation has waiting); returns at once. */
  enqueue(message: Pick<RecordedInbound, 'conversationKey'>): void {
    this.schedule(message.conversationKey);
  }

  /**
   * Looks for messages left unprocessed (a crash, a restart, an instance that died holding a
   * conversation) and processes those whose conversation nobody holds; returns how many there were.
   */
  async resumePending(): Promise<number> {
    const pending = await this.log.pendingConversations();
    const held = await this.settings.leases.heldElsewhere(pending.map((p) => this.leaseKey(p.conversationKey)));
    for (const { conversationKey } of pending) if (!held.has(this.leaseKey(conversationKey))) this.schedule(conversationKey);
    return pending.reduce((sum, p) => sum + p.count, 0);
  }

  /** Resolves once no conversation is being processed, including ones queued meanwhile. */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.all([...this.active.values()].map((entry) => entry.done));
  }

  private leaseKey(conversationKey: string): string {
    return `inbound:${this.log.channel}:${conversationKey}`;
  }

  private schedule(conversationKey: string): void {
    const running = this.active.get(conversationKey);
    if (running) {
      running.again = true;
      return;
    }
    const entry = { again: true, done: Promise.resolve() };
    this.active.set(conversationKey, entry);
    entry.done = (async () => {
      try {
        while (entry.again) {
          entry.again = false;
          if (await this.drain(conversationKey)) entry.again = true;
        }
      } catch (error) {
        // The database failed us: the messages stay recorded and a later sweep takes them.
        this.onError(error);
      } finally {
        this.active.delete(conversationKey);
      }
    })();
  }

  /** Works through the conversation while holding its lease; true when messages arrived after it let go. */
  private async drain(conversationKey: string): Promise<boolean> {
    const { leases, leaseMs, renewEveryMs } = this.settings;
    const hold = await leases.hold(this.leaseKey(conversationKey), leaseMs, { renewEveryMs, onError: (error) => this.onError(error) });
    if (!hold) return false;
    try {
      for (;;) {
        const batch = await this.log.pendingFor(conversationKey, BATCH);
        if (batch.length === 0) break;
        for (const message of batch) {
          // Someone else holds the conversation now (this instance stalled past the lease): stop.
          if (!(await hold.check())) return false;
          await this.process(message, hold);
        }
      }
    } finally {
      await hold.stop().catch((error: unknown) => this.onError(error));
    }
    // Another instance may have recorded a message and left it to us just before we let go.
    return this.log.hasPending(conversationKey);
  }

  private async process(message: PendingInbound, hold: LeaseHold): Promise<void> {
    if (message.attempts >= MAX_ATTEMPTS) {
      const error = new AbandonedMessageError(message.attempts);
      this.onError(error, message.id);
      await this.log.markProcessed(message.id, error);
      return;
    }
    if (!(await this.log.begin(message.id))) return;
    let failure: unknown;
    try {
      await this.handle(new InboundTurn(this.log, message, hold));
    } catch (error) {
      failure = error;
      this.onError(error, message.id);
    }
    // The lease passed on during the turn (its replies were refused, see InboundTurn): the new
    // holder runs the message again, skipping what this run sent; marking it here could lose it.
    if (!(await hold.check())) return;
    await this.log.markProcessed(message.id, failure);
  }
}
