import type { ResourceResponse, TurnContext } from 'botbuilder';
import { INBOUND_MESSAGE_ID } from '../bot';
import { conversationStateKey, hotSqlOf, isUniqueViolation, labelStatements, LeaseHold, LeaseLostError, Leases, TurnWork, type ConversationFacts, type Db, type HotSql, type SqlStatement, type SqlWrite, type Tx } from '../storage';

/** The conversation's oldest unprocessed message, not yet processed (arguments: channel, conversation key). */
const OLDEST_WAITING =
  '"id" = (SELECT "id" FROM "InboundMessage" WHERE "channel" = ? AND "conversationKey" = ? AND "processedAt" IS NULL ORDER BY "id" LIMIT 1) AND "processedAt" IS NULL';
/** The conversation's bot state, read with its next message (arguments: the state key, twice). */
const STATE_COLUMNS = '(SELECT "eTag" FROM "BotState" WHERE "key" = ?) AS "stateETag", (SELECT "data" FROM "BotState" WHERE "key" = ?) AS "stateData"';

type NextRow = {
  id: number | null;
  payload: string;
  attempts: number;
  repliesSent: number;
  stateETag: string | null;
  stateData: string | null;
  [fact: string]: unknown;
};

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
  /** The conversation's bot state as read with the message (null: none saved yet); absent when not read. */
  state?: { key: string; row: { eTag: string; data: string } | null };
  /** Facts about the conversation read with the message (see `InboundLog.readAlong`), by name. */
  facts?: Map<string, unknown>;
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
  /** Plain SQL for the statements of every turn (see `HotSql`); Prisma when the client has none. */
  readonly sql: HotSql | undefined;

  private facts: ConversationFacts[] = [];

  constructor(
    readonly prisma: Db,
    readonly channel: string,
  ) {
    this.sql = hotSqlOf(prisma);
  }

  /** Facts the statement that takes a message also reads about its conversation (plain SQL only). */
  readAlong(facts: ConversationFacts[]): void {
    this.facts = facts;
  }

  private factColumns(): string {
    return this.facts.map((fact) => `, ${fact.columns}`).join('');
  }

  private factArgs(conversationKey: string): unknown[] {
    return this.facts.flatMap((fact) => fact.args(this.channel, conversationKey));
  }

  /** Records the message; `duplicate` when this external id was recorded before (by anyone). */
  async record(externalId: string, conversationKey: string, payload: string): Promise<{ id: number; duplicate: boolean }> {
    if (this.sql) {
      const rows = await this.sql.all<{ id: number }>(
        'INSERT INTO "InboundMessage" ("channel", "externalId", "conversationKey", "payload", "receivedAt", "attempts", "repliesSent") VALUES (?, ?, ?, ?, ?, 0, 0) ON CONFLICT ("channel", "externalId") DO NOTHING RETURNING "id"',
        [this.channel, externalId, conversationKey, payload, new Date()],
        // Acknowledged as soon as it is recorded: the platform will not send it again.
        { durable: true },
      );
      if (rows.length > 0) return { id: Number(rows[0].id), duplicate: false };
    } else {
      try {
        const row = await this.prisma.inboundMessage.create({ data: { channel: this.channel, externalId, conversationKey, payload }, select: { id: true } });
        return { id: row.id, duplicate: false };
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
    }
    return this.recordedBefore(externalId);
  }

  /** A message whose record found its external id taken: the first record's id (a platform's retry). */
  async recordedBefore(externalId: string): Promise<{ id: number; duplicate: true }> {
    const existing = await this.find(externalId);
    if (!existing) throw new Error('an inbound message was neither recorded nor found');
    return { id: existing.id, duplicate: true };
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

  /**
   * The conversation's oldest unprocessed message, its run counted (`attempts` includes this
   * run): one statement that finds the message and starts it. Null when none is waiting.
   */
  async next(conversationKey: string): Promise<PendingInbound | null> {
    if (!this.sql) {
      const [message] = await this.pendingFor(conversationKey, 1);
      if (!message) return null;
      const started = await this.prisma.inboundMessage.updateMany({ where: { id: message.id, processedAt: null }, data: { attempts: { increment: 1 } } });
      return started.count > 0 ? { ...message, attempts: message.attempts + 1 } : null;
    }
    // The conversation's bot state comes back with the message: the turn's first read needs no statement.
    const stateKey = conversationStateKey(this.channel, conversationKey);
    const rows = await this.sql.all<NextRow>(
      `UPDATE "InboundMessage" SET "attempts" = "attempts" + 1 WHERE ${OLDEST_WAITING} RETURNING "id", "payload", "attempts", "repliesSent", ${STATE_COLUMNS}${this.factColumns()}`,
      [this.channel, conversationKey, stateKey, stateKey, ...this.factArgs(conversationKey)],
    );
    return this.pending(conversationKey, stateKey, rows[0]);
  }

  /**
   * The conversation's lease claimed (`claim`, see `Leases.hold`) and, when it was, `next` in the
   * same statement (PostgreSQL: one round trip, one commit); elsewhere the two one after the other.
   */
  async claimNext(claim: SqlStatement, conversationKey: string): Promise<{ claimed: boolean; message: PendingInbound | null }> {
    // Leases exist only on a client with plain SQL (see `Leases`).
    const sql = this.sql!;
    if (sql.provider !== 'postgresql') {
      const claimed = (await sql.all(claim.sql, claim.args)).length > 0;
      return { claimed, message: claimed ? await this.next(conversationKey) : null };
    }
    const stateKey = conversationStateKey(this.channel, conversationKey);
    const [row] = await sql.all<NextRow & { claimed: boolean }>(
      `WITH "claim" AS (${claim.sql}),
       "started" AS (UPDATE "InboundMessage" SET "attempts" = "attempts" + 1 WHERE ${OLDEST_WAITING} AND EXISTS (SELECT 1 FROM "claim") RETURNING "id", "payload", "attempts", "repliesSent")
       SELECT EXISTS (SELECT 1 FROM "claim") AS "claimed", "started".*, ${STATE_COLUMNS}${this.factColumns()} FROM (SELECT 1) AS "one" LEFT JOIN "started" ON TRUE`,
      [...claim.args, this.channel, conversationKey, stateKey, stateKey, ...this.factArgs(conversationKey)],
    );
    return { claimed: row.claimed === true, message: row.id === null ? null : this.pending(conversationKey, stateKey, row) };
  }

  /**
   * PostgreSQL: records the message and claims its conversation's lease in one statement (one
   * round trip and one commit where `record` and `claimNext` take two). When the lease was
   * claimed and nothing older of the conversation waits, the message is started as `next` would
   * (its run counted), with the bot state and facts read along; otherwise `message` is null and
   * the holder takes it with `next`. `id` null: the external id was recorded before (a platform's retry).
   */
  async recordClaiming(
    claim: SqlStatement,
    externalId: string,
    conversationKey: string,
    payload: string,
  ): Promise<{ id: number | null; claimed: boolean; message: PendingInbound | null }> {
    const sql = this.sql!;
    const stateKey = conversationStateKey(this.channel, conversationKey);
    const [row] = await sql.all<NextRow & { claimed: boolean }>(
      `WITH "claim" AS (${claim.sql}),
       "recorded" AS (INSERT INTO "InboundMessage" ("channel", "externalId", "conversationKey", "payload", "receivedAt", "attempts", "repliesSent")
         SELECT ?, ?, ?, ?, ?, CASE WHEN EXISTS (SELECT 1 FROM "claim") AND NOT EXISTS (SELECT 1 FROM "InboundMessage" WHERE "channel" = ? AND "conversationKey" = ? AND "processedAt" IS NULL) THEN 1 ELSE 0 END, 0
         ON CONFLICT ("channel", "externalId") DO NOTHING RETURNING "id", "payload", "attempts", "repliesSent")
       SELECT EXISTS (SELECT 1 FROM "claim") AS "claimed", "recorded".*, ${STATE_COLUMNS}${this.factColumns()} FROM (SELECT 1) AS "one" LEFT JOIN "recorded" ON TRUE`,
      [
        ...claim.args,
        this.channel,
        externalId,
        conversationKey,
        payload,
        new Date(),
        this.channel,
        conversationKey,
        stateKey,
        stateKey,
        ...this.factArgs(conversationKey),
      ],
    );
    const claimed = row.claimed === true;
    const id = row.id === null ? null : Number(row.id);
    return { id, claimed, message: id !== null && claimed && Number(row.attempts) === 1 ? this.pending(conversationKey, stateKey, row) : null };
  }

  private pending(conversationKey: string, stateKey: string, row: NextRow | undefined): PendingInbound | null {
    if (!row || row.id === null) return null;
    const state = { key: stateKey, row: row.stateETag !== null && row.stateData !== null ? { eTag: row.stateETag, data: row.stateData } : null };
    const facts = new Map(this.facts.map((fact) => [fact.name, fact.read(row, this.channel, conversationKey)]));
    return { id: Number(row.id), conversationKey, payload: row.payload, attempts: Number(row.attempts), repliesSent: Number(row.repliesSent), state, facts };
  }

  /** Counts a run of the message's turn; false when it was processed meanwhile. */
  async begin(id: number): Promise<boolean> {
    const started = await this.prisma.inboundMessage.updateMany({ where: { id, processedAt: null }, data: { attempts: { increment: 1 } } });
    return started.count > 0;
  }

  /** Replies the message's turn has sent so far (counting those of interrupted runs). */
  async countReplies(id: number, repliesSent: number): Promise<void> {
    if (this.sql) await this.sql.run('UPDATE "InboundMessage" SET "repliesSent" = ? WHERE "id" = ?', [repliesSent, id]);
    else await this.prisma.inboundMessage.updateMany({ where: { id }, data: { repliesSent } });
  }

  /** The write that marks the message processed (with the error, if its turn failed) and stores its replies count. */
  processedWrite(id: number, repliesSent: number, error: unknown, lease: { key: string; owner: string }): SqlWrite {
    return {
      // Only while the lease is still ours: when it passed on during the turn, the new holder runs
      // the message again (skipping what this run sent), and this run's writes are rolled back.
      // On PostgreSQL it also locks the lease row, for a release after it (see `releaseWrites`).
      sql: `UPDATE "InboundMessage" SET "processedAt" = ?, "repliesSent" = ?, "lastError" = ? WHERE "id" = ? AND EXISTS (SELECT 1 FROM "Lease" WHERE "key" = ? AND "owner" = ?${this.sql?.provider === 'postgresql' ? ' FOR UPDATE' : ''})`,
      args: [new Date(), repliesSent, errorText(error), id, lease.key, lease.owner],
      onNone: () => new LeaseLostError(lease.key),
    };
  }

  /** `attempts`, when given, corrects the count of runs (a message given up was counted by `next` but not run). */
  async markProcessed(id: number, error?: unknown, attempts?: number): Promise<void> {
    await this.prisma.inboundMessage.updateMany({ where: { id }, data: { processedAt: new Date(), lastError: errorText(error), ...(attempts === undefined ? {} : { attempts }) } });
  }

  /**
   * The write that lets go of the conversation's lease, only when no message of the conversation
   * waits (read in the same transaction that marks the last one processed): a message another
   * instance recorded while the lease was held is seen here, and the lease is kept to process it.
   * Changes one row when the lease was let go.
   */
  releaseWrite(leaseKey: string, owner: string, conversationKey: string): SqlWrite {
    return {
      sql: 'DELETE FROM "Lease" WHERE "key" = ? AND "owner" = ? AND NOT EXISTS (SELECT 1 FROM "InboundMessage" WHERE "channel" = ? AND "conversationKey" = ? AND "processedAt" IS NULL)',
      args: [leaseKey, owner, this.channel, conversationKey],
    };
  }

  /**
   * `releaseWrite` with what it needs before it in its transaction; the last write is the
   * release. On PostgreSQL the lease row is locked by a statement of its own first: a statement
   * sees the rows committed when it started, so a release that started while another instance's
   * record held the row (its claim found the lease taken) would wait for that record to commit and
   * then delete the lease without seeing the message, which would wait for the sweep. Locked
   * first, the release starts after that commit and sees it. (SQLite: one writer at a time.) At
   * the end of a turn `processedWrite` takes the lock, in the same transaction.
   */
  releaseWrites(leaseKey: string, owner: string, conversationKey: string): SqlWrite[] {
    const release = this.releaseWrite(leaseKey, owner, conversationKey);
    if (this.sql?.provider !== 'postgresql') return [release];
    return [{ sql: 'SELECT 1 FROM "Lease" WHERE "key" = ? AND "owner" = ? FOR UPDATE', args: [leaseKey, owner] }, release];
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

function errorText(error: unknown): string | null {
  return error === undefined ? null : error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 500) : 'unknown error';
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
  /** Replies of this message sent so far, those of interrupted runs included. */
  sent = 0;

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
      this.sent = 0;
      // The count is stored with the message marked processed, in the turn's last transaction. A
      // turn still going REPLY_COUNT_DELAY_MS after a send (it stalled, or it sends again) stores
      // it on its own first, so that a re-run elsewhere does not send those replies again.
      this.stored = this.repliesSent;
      context.onSendActivities(async (ctx, activities, next) => {
        // Replies go out in the same order on every run, so the first `repliesSent` were sent already.
        const skipped = activities.splice(0, Math.max(0, Math.min(activities.length, this.repliesSent - this.sent)));
        this.sent += skipped.length;
        if (skipped.some((activity) => activity.type !== 'trace')) ctx.responded = true;
        let responses: ResourceResponse[] = [];
        if (activities.length > 0) {
          await this.lease?.assertHeld();
          await this.storeCount();
          responses = (await next()) ?? [];
          this.sent += activities.length;
          clearTimeout(this.countTimer);
          this.countTimer = setTimeout(() => void this.storeCount().catch(() => undefined), REPLY_COUNT_DELAY_MS);
          this.countTimer.unref();
        }
        return [...skipped.map(() => ({ id: '' })), ...responses];
      });
      await logic(context);
    };
  }

  /** The turn is over (its count went with the message marked processed, or the message is someone else's now). */
  finish(): void {
    clearTimeout(this.countTimer);
  }

  private stored = 0;
  private countTimer: NodeJS.Timeout | undefined;

  private async storeCount(): Promise<void> {
    clearTimeout(this.countTimer);
    if (this.sent <= this.stored) return;
    const count = this.sent;
    this.stored = count;
    await labelStatements('path', () => this.log.countReplies(this.id, count));
  }
}

/** How long after a send a turn that has not finished stores its replies count on its own. */
const REPLY_COUNT_DELAY_MS = 50;

export interface InboundSettings {
  leases: Leases;
  /**
   * How long a conversation's lease holds without renewal: the holder renews it while it works,
   * so this is how soon another instance takes over the conversations of one that died.
   */
  leaseMs: number;
  /** How often the holder renews it while it works (default: a third of `leaseMs`). */
  renewEveryMs?: number;
  /** Facts about a conversation read with each of its messages (see `ConversationFacts`). */
  facts?: ConversationFacts[];
}

/** Claims a conversation's lease with `claim` and takes its first message: null when none waits, undefined when the drain looks (`next`). */
type ClaimFirst = (claim: SqlStatement) => Promise<{ claimed: boolean; message: PendingInbound | null | undefined }>;

/** A failure already handed to whoever waited for it (see `InboundProcessor.record`). */
class AlreadyReported extends Error {
  constructor(cause: unknown) {
    super('reported to its caller', { cause });
  }
}

/** Unfinished runs after which a message is given up rather than tried again. */
const MAX_ATTEMPTS = 5;

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
    if (this.settings.facts) log.readAlong(this.settings.facts);
  }

  /** Processes a freshly recorded message (with anything else its conversation has waiting); returns at once. */
  enqueue(message: Pick<RecordedInbound, 'conversationKey'>): void {
    this.schedule(message.conversationKey);
  }

  /**
   * Records a message (as `InboundLog.record`) and sees to its processing. On PostgreSQL, when
   * this process is not running the conversation already, the record also claims the
   * conversation and starts the message (`recordClaiming`: one round trip fewer per turn), and
   * its turn is under way once this resolves: `scheduled` is then true and the caller does not
   * `enqueue` it. Otherwise the caller enqueues what was recorded, as before.
   */
  async record(externalId: string, conversationKey: string, payload: string): Promise<{ id: number; duplicate: boolean; scheduled: boolean }> {
    if (this.log.sql?.provider !== 'postgresql' || this.active.has(conversationKey)) {
      return { ...(await this.log.record(externalId, conversationKey, payload)), scheduled: false };
    }
    return new Promise((resolve, reject) => {
      this.schedule(conversationKey, async (claim) => {
        let taken: Awaited<ReturnType<InboundLog['recordClaiming']>>;
        try {
          taken = await this.log.recordClaiming(claim, externalId, conversationKey, payload);
        } catch (error) {
          reject(error);
          throw new AlreadyReported(error);
        }
        if (taken.id !== null) resolve({ id: taken.id, duplicate: false, scheduled: true });
        // A platform's retry: the first record's id, read apart (rare).
        else this.log.recordedBefore(externalId).then((first) => resolve({ ...first, scheduled: true }), reject);
        // Held elsewhere: the holder may have read "nothing waits" before this record committed
        // and be letting the conversation go. Claiming again now that the record is committed
        // closes that gap, as `record` then `claimNext` do: either the holder still holds it and
        // will see the message, or its release is committed and the claim succeeds.
        if (!taken.claimed) this.schedule(conversationKey);
        // Not started here (something older waits, or it is a retry): the drain takes it in order.
        return { claimed: taken.claimed, message: taken.message ?? undefined };
      });
    });
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

  /** `claimFirst`: how the first drain claims the conversation and takes its first message (default `claimNext`). */
  private schedule(conversationKey: string, claimFirst?: ClaimFirst): void {
    const running = this.active.get(conversationKey);
    if (running) {
      running.again = true;
      return;
    }
    const entry = { again: true, done: Promise.resolve() };
    this.active.set(conversationKey, entry);
    entry.done = (async () => {
      try {
        let claim = claimFirst;
        while (entry.again) {
          entry.again = false;
          if (await this.drain(conversationKey, claim)) entry.again = true;
          claim = undefined;
        }
      } catch (error) {
        // The database failed us: the messages stay recorded and a later sweep takes them.
        // (A failed record was answered to its caller, who did not acknowledge the message.)
        if (!(error instanceof AlreadyReported)) this.onError(error);
      } finally {
        this.active.delete(conversationKey);
      }
    })();
  }

  /** Works through the conversation while holding its lease; true when messages arrived after it let go. */
  private async drain(conversationKey: string, claimFirst?: ClaimFirst): Promise<boolean> {
    const { leases, leaseMs, renewEveryMs } = this.settings;
    const key = this.leaseKey(conversationKey);
    // The first message is taken with the claim (one statement on PostgreSQL); the next ones after each turn.
    let first: PendingInbound | null | undefined;
    const claimed = async (claim: SqlStatement) => {
      const taken = claimFirst ? await claimFirst(claim) : await this.log.claimNext(claim, conversationKey);
      first = taken.message;
      return taken.claimed;
    };
    const hold = await leases.hold(key, leaseMs, { renewEveryMs, onError: (error) => this.onError(error), claimed });
    if (!hold) return false;
    try {
      for (;;) {
        let message = first;
        first = undefined;
        if (message === undefined) {
          // Someone else holds the conversation now (this instance stalled past the lease): stop.
          if (!(await hold.check())) return false;
          message = await this.log.next(conversationKey);
        }
        if (!message) break;
        // The turn's last transaction let go of the lease: nothing was waiting then.
        if (await this.process(message, hold)) return false;
      }
    } catch (error) {
      await hold.stop().catch(() => undefined);
      throw error;
    } finally {
      // The heartbeat stops; the lease is let go below, or was in the turn's last transaction.
      await hold.stop({ release: false });
    }
    if (!hold.held) return false;
    const sql = this.log.sql;
    if (sql) {
      // Let go unless a message arrived since we looked (then go round again).
      const writes = this.log.releaseWrites(key, leases.owner, conversationKey);
      if (writes.length === 1) return (await sql.run(writes[0].sql, writes[0].args)) === 0;
      const changes = await sql.transaction(writes, { rebuildable: true });
      return changes[changes.length - 1] === 0;
    }
    await hold.stop().catch((error: unknown) => this.onError(error));
    // Another instance may have recorded a message and left it to us just before we let go.
    return this.log.hasPending(conversationKey);
  }

  /** Runs one message's turn, started by `next`; true when its end-of-turn transaction let go of the lease. */
  private async process(message: PendingInbound, hold: LeaseHold): Promise<boolean> {
    // `attempts` counts this run too.
    if (message.attempts > MAX_ATTEMPTS) {
      const error = new AbandonedMessageError(message.attempts - 1);
      this.onError(error, message.id);
      await this.log.markProcessed(message.id, error, message.attempts - 1);
      return false;
    }
    const turn = new InboundTurn(this.log, message, hold);
    const sql = this.log.sql;
    if (!sql) {
      let failure: unknown;
      try {
        await this.handle(turn);
      } catch (error) {
        failure = error;
        this.onError(error, message.id);
      }
      // The lease passed on during the turn (its replies were refused, see InboundTurn): the new
      // holder runs the message again, skipping what this run sent; marking it here could lose it.
      turn.finish();
      if (!(await hold.check())) return false;
      await this.log.markProcessed(message.id, failure);
      return false;
    }
    // The turn's writes (state, identity, notifications) and these two commit together; the bot
    // commits them at the end of its turn, or we do when the turn was not the bot's or failed.
    const work = new TurnWork(sql);
    if (message.state) work.prefetch(message.state.key, message.state.row);
    for (const [name, value] of message.facts ?? []) work.keepFact(name, value);
    const lease = { key: hold.key, owner: this.settings.leases.owner };
    let failure: unknown;
    // The first also locks the lease row on PostgreSQL, which the release needs (see `releaseWrites`).
    work.base(() => this.log.processedWrite(message.id, turn.sent, failure, lease));
    const release = work.base(() => this.log.releaseWrite(hold.key, lease.owner, message.conversationKey));
    await turnSlots.acquire();
    try {
      await work.within(() => this.handle(turn));
    } catch (error) {
      failure = error;
      this.onError(error, message.id);
    } finally {
      turnSlots.release();
    }
    try {
      if (!work.committed) {
        if (failure !== undefined) work.discard();
        // The lease passed on during the turn: the new holder runs the message again.
        if (failure instanceof LeaseLostError || !(await hold.check())) return false;
        await work.commit();
      }
    } catch (error) {
      if (error instanceof LeaseLostError) return false;
      throw error;
    } finally {
      work.close();
      turn.finish();
    }
    return work.baseChanges[release] === 1;
  }
}

/**
 * Turns run at once in this process, all channels together. better-sqlite3 answers synchronously
 * and a turn is mostly CPU, so a hundred turns started together would keep the event loop busy
 * for hundreds of milliseconds; the rest wait their turn here while webhooks keep being
 * acknowledged (they are only recorded, which is one statement).
 */
const MAX_TURNS_IN_FLIGHT = 8;

class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

const turnSlots = new Slots(MAX_TURNS_IN_FLIGHT);
