import { randomUUID } from 'node:crypto';
import { resolveLocale, type Locale, type Texts, type Translate, type Vars } from '../i18n';
import { parseAddressKey, type Address, type IdentityRow } from '../identity';
import type { Logger } from '../logger';
import { actOfNotificationKey, formatDateTime, type Clock, type NotifiedAct } from '../pqr';
import type { Db } from '../storage';

export type OutboxRow = Awaited<ReturnType<Db['outbox']['findUniqueOrThrow']>>;

/** One outbox row, ready for a channel: the text rendered in the user's language. */
export interface Outbound {
  row: OutboxRow;
  /** The parsed payload: `{ key, vars }` for notifications, channel-specific for other kinds. */
  payload: Record<string, unknown>;
  /** What the user reads (empty for kinds that are not texts, such as a WhatsApp template). */
  text: string;
  vars: Vars;
  /** Texts in the user's language, for anything else the channel has to say (an e-mail's subject). */
  t: Translate;
  /** The chat user the row is addressed to (null for an e-mail address). */
  address: Address | null;
  /** The channel user the row is for, when known: conversation reference, last inbound time. */
  identity: IdentityRow | null;
}

export type SendOutcome =
  /** The channel took the message; `externalId` is its id there (wamid, activity id, Message-ID). */
  | { status: 'sent'; externalId: string }
  /**
   * Not sendable now (WhatsApp's 24-hour window is closed). The row waits for the user's next
   * message; `prelude`, if given, is queued once as its own outbox row (the template).
   */
  | { status: 'held'; reason: string; prelude?: { kind: string; payload: Record<string, unknown> } };

export interface Sender {
  /**
   * Where the proof of notification comes from: the send itself (Direct Line, Telegram, SMTP
   * acceptance) or a later delivery receipt for the message's external id (WhatsApp statuses).
   */
  readonly proof: 'send' | 'receipt';
  send(message: Outbound): Promise<SendOutcome>;
}

export interface DispatcherOptions {
  prisma: Db;
  clock: Clock;
  texts: Texts;
  defaultLocale: Locale;
  logger: Logger;
  /** Records that the operator's answer or decision reached the user (`PqrLifecycle.markNotified`). */
  markNotified(pqrId: number, at: Date, proof: Record<string, unknown>, act: NotifiedAct): Promise<unknown>;
  /** Tries before a row is given up as `dead`. */
  maxAttempts: number;
  /** How often due rows are looked for when nothing kicks the dispatcher. */
  pollMs: number;
  /** How long a claim holds; longer than the slowest send, so a live dispatcher is never overtaken. */
  leaseMs?: number;
  backoff?: { baseMs: number; maxMs: number };
  /** Rows claimed per query. */
  batchSize?: number;
}

export interface PassReport {
  sent: number;
  held: number;
  failed: number;
  dead: number;
  /** Answers and decisions whose delivery was proven in this pass. */
  notified: number;
}

/** Meta retries delivery for up to 30 days, but a proof older than a week is an operator's matter. */
const RECEIPT_LOOKBACK_MS = 7 * 86_400_000;
const READ_LOOKBACK_MS = 86_400_000;

/**
 * Sends the outbox. Rows are claimed with a conditional update (status still pending, no live
 * lease), so on SQLite or on PostgreSQL with any number of instances only one dispatcher sends
 * each row, and a row marked `sent` is never sent again. The one at-least-once window: a crash
 * after the channel took the message and before the row is marked sent; the lease then expires
 * and the row is sent again.
 *
 * Failures are retried with exponential backoff until `maxAttempts`, then the row is `dead`.
 * A channel with no sender on this instance is left pending with the reason in `lastError`.
 */
export class OutboxDispatcher {
  /** Identifies this dispatcher's claims in `lockedBy`. */
  readonly id = `dispatcher-${randomUUID()}`;
  private readonly senders = new Map<string, Sender>();
  private readonly disabled = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private queued: Promise<PassReport> | null = null;
  private stopped = false;

  constructor(private readonly options: DispatcherOptions) {}

  /** The sender for a channel id (`webchat`, `whatsapp`, `telegram`, `email`…). */
  register(channel: string, sender: Sender): this {
    this.senders.set(channel, sender);
    this.disabled.delete(channel);
    return this;
  }

  /** A channel that is off on this instance: its rows stay pending, with `reason` as their last error. */
  disable(channel: string, reason: string): this {
    if (!this.senders.has(channel)) this.disabled.set(channel, reason);
    return this;
  }

  start(): void {
    this.stopped = false;
    this.timer ??= setInterval(() => this.kick(), this.options.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Stops polling and waits for the pass in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.tail;
  }

  /** Asks for a pass soon (after a change queued a message); never throws. */
  kick(): void {
    if (this.stopped) return;
    this.runOnce().catch((error: unknown) => this.options.logger.error({ err: error }, 'outbox pass failed'));
  }

  /**
   * One pass: proofs from delivery receipts, then every due row. Passes never overlap in one
   * process; a call while one runs gets the next pass, shared with every other caller meanwhile.
   */
  runOnce(): Promise<PassReport> {
    if (this.queued) return this.queued;
    const pass = this.tail.then(() => {
      this.queued = null;
      return this.pass();
    });
    this.queued = pass;
    this.tail = pass.catch(() => undefined);
    return pass;
  }

  private async pass(): Promise<PassReport> {
    const report: PassReport = { sent: 0, held: 0, failed: 0, dead: 0, notified: 0 };
    report.notified += await this.applyReceipts();
    await this.noteUnroutable();
    const batchSize = this.options.batchSize ?? 20;
    for (let round = 0; round < 50 && !this.stopped; round++) {
      const { found, claimed } = await this.claimBatch(batchSize);
      let queued = false;
      for (const row of claimed) queued = (await this.deliver(row, report)) || queued;
      // Rows other dispatchers won do not mean the backlog is done; an incomplete page does,
      // unless a prelude (a template) was just queued: it goes out in this same pass.
      if (found < batchSize && !queued) break;
    }
    return report;
  }

  /**
   * A row is due when it was never tried, or its retry time (set here, by the app's clock) has
   * come. New rows carry the database's default time, which a skewed or test clock must not read
   * as the future.
   */
  private dueAndFree(now: Date) {
    return {
      status: 'pending',
      AND: [{ OR: [{ attempts: 0 }, { nextAttemptAt: { lte: now } }] }, { OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] }],
    };
  }

  private async claimBatch(size: number): Promise<{ found: number; claimed: OutboxRow[] }> {
    const { prisma, clock } = this.options;
    const now = clock.now();
    const channels = [...this.senders.keys()];
    if (!channels.length) return { found: 0, claimed: [] };
    const candidates = await prisma.outbox.findMany({
      where: { ...this.dueAndFree(now), channel: { in: channels } },
      orderBy: { id: 'asc' },
      take: size,
      select: { id: true },
    });
    const claimed: OutboxRow[] = [];
    for (const { id } of candidates) {
      const won = await prisma.outbox.updateMany({
        where: { id, ...this.dueAndFree(now) },
        data: { lockedBy: this.id, lockedUntil: new Date(now.getTime() + (this.options.leaseMs ?? 5 * 60_000)) },
      });
      if (won.count === 1) claimed.push(await prisma.outbox.findUniqueOrThrow({ where: { id } }));
    }
    return { found: candidates.length, claimed };
  }

  /** Sends one claimed row; true when it queued a prelude row. */
  private async deliver(row: OutboxRow, report: PassReport): Promise<boolean> {
    const { prisma, clock, logger } = this.options;
    const sender = this.senders.get(row.channel)!;
    const log = { outboxId: row.id, channel: row.channel, kind: row.kind, pqrId: row.pqrId };
    let outcome: SendOutcome;
    try {
      outcome = await sender.send(await this.prepare(row));
    } catch (error) {
      await this.fail(row, error, report);
      return false;
    }
    const now = clock.now();
    const mine = { id: row.id, lockedBy: this.id };
    if (outcome.status === 'held') {
      const prelude = outcome.prelude;
      await prisma.$transaction(async (tx) => {
        if (prelude) {
          const idempotencyKey = `${row.idempotencyKey}:${prelude.kind}`;
          // The claim on this row makes the check-then-create safe: no one else queues its prelude.
          const exists = await tx.outbox.findUnique({ where: { idempotencyKey }, select: { id: true } });
          if (!exists) {
            await tx.outbox.create({
              data: { channel: row.channel, conversationKey: row.conversationKey, kind: prelude.kind, payload: JSON.stringify(prelude.payload), idempotencyKey, pqrId: row.pqrId },
            });
          }
        }
        await tx.outbox.updateMany({ where: mine, data: { status: 'held', lastError: outcome.reason, lockedBy: null, lockedUntil: null } });
      });
      report.held++;
      logger.info({ ...log, reason: outcome.reason }, 'notification held until the user writes again');
      return !!prelude;
    }
    const marked = await prisma.outbox.updateMany({
      where: mine,
      data: { status: 'sent', sentAt: now, externalId: outcome.externalId || null, lastError: null, lockedBy: null, lockedUntil: null },
    });
    if (marked.count === 0) logger.warn(log, 'outbox row was sent after its claim had expired');
    report.sent++;
    logger.info(log, 'outbox message sent');
    const act = actOf(row);
    if (sender.proof === 'send' && row.pqrId && act) {
      try {
        await this.options.markNotified(row.pqrId, now, { channel: row.channel, outboxId: row.id, externalId: outcome.externalId, by: 'send' }, act);
        report.notified++;
      } catch (error) {
        // The message is out and must not go again; the missing proof is an operator's matter.
        logger.error({ ...log, err: error }, 'decision sent but its notification could not be recorded');
      }
    }
    return false;
  }

  private async fail(row: OutboxRow, error: unknown, report: PassReport): Promise<void> {
    const { prisma, clock, logger, maxAttempts } = this.options;
    const attempts = row.attempts + 1;
    const dead = attempts >= maxAttempts;
    const { baseMs, maxMs } = this.options.backoff ?? { baseMs: 5_000, maxMs: 3_600_000 };
    const delay = Math.min(baseMs * 2 ** (attempts - 1), maxMs);
    const lastError = errorText(error);
    await prisma.outbox.updateMany({
      where: { id: row.id, lockedBy: this.id },
      data: { status: dead ? 'dead' : 'pending', attempts, nextAttemptAt: new Date(clock.now().getTime() + delay), lastError, lockedBy: null, lockedUntil: null },
    });
    const log = { outboxId: row.id, channel: row.channel, kind: row.kind, attempts, error: lastError };
    if (dead) {
      report.dead++;
      logger.error(log, 'outbox message given up after its last attempt');
    } else {
      report.failed++;
      logger.warn({ ...log, retryInMs: delay }, 'outbox send failed; will retry');
    }
  }

  /** Renders the row in the language of the user it is for. */
  private async prepare(row: OutboxRow): Promise<Outbound> {
    const { texts, defaultLocale } = this.options;
    const payload = JSON.parse(row.payload) as Record<string, unknown>;
    const address = parseAddressKey(row.channel, row.conversationKey);
    const identity = await this.identityOf(row, address);
    const locale = resolveLocale(identity?.locale ?? undefined, defaultLocale);
    const t = texts.for(locale);
    const vars = { ...((payload.vars ?? {}) as Vars) };
    for (const [name, iso] of Object.entries((payload.dates ?? {}) as Record<string, string>)) vars[name] = formatDateTime(new Date(iso), locale);
    const text = typeof payload.key === 'string' ? t(payload.key, vars) : '';
    return { row, payload, text, vars, t, address, identity };
  }

  /** The addressee: the chat user the row is addressed to, or for e-mail the identity that filed the PQR. */
  private async identityOf(row: OutboxRow, address: Address | null): Promise<IdentityRow | null> {
    const { prisma } = this.options;
    if (address) {
      const identity = await prisma.channelIdentity.findUnique({ where: { channel_userId: address } });
      if (identity) return identity;
    }
    if (!row.pqrId) return null;
    const pqr = await prisma.pqr.findUnique({ where: { id: row.pqrId }, select: { identity: true } });
    return pqr?.identity ?? null;
  }

  /**
   * Delivery receipts (WhatsApp statuses, stored by the channel's webhook) are the proof for
   * channels whose sends prove nothing: `delivered`/`read` set the row's times and, for an
   * answer or a decision, notify the PQR.
   */
  private async applyReceipts(): Promise<number> {
    const { prisma, clock } = this.options;
    const channels = [...this.senders].filter(([, sender]) => sender.proof === 'receipt').map(([channel]) => channel);
    if (!channels.length) return 0;
    const now = clock.now().getTime();
    const rows = await prisma.outbox.findMany({
      where: {
        channel: { in: channels },
        status: 'sent',
        externalId: { not: null },
        sentAt: { gte: new Date(now - RECEIPT_LOOKBACK_MS) },
        // Waiting for delivery (the proof), or delivered lately and not yet read.
        OR: [{ deliveredAt: null }, { readAt: null, deliveredAt: { gte: new Date(now - READ_LOOKBACK_MS) } }],
      },
      orderBy: { id: 'desc' },
      take: 500,
    });
    if (!rows.length) return 0;
    const receipts = await prisma.deliveryReceipt.findMany({
      where: { channel: { in: channels }, externalId: { in: rows.map((r) => r.externalId!) }, status: { in: ['delivered', 'read'] } },
      orderBy: { at: 'asc' },
    });
    let notified = 0;
    for (const row of rows) {
      const mine = receipts.filter((r) => r.externalId === row.externalId);
      if (!mine.length) continue;
      const deliveredAt = row.deliveredAt ?? mine[0].at;
      const readAt = mine.find((r) => r.status === 'read')?.at ?? null;
      if (row.deliveredAt && !readAt) continue;
      await prisma.outbox.update({ where: { id: row.id }, data: { deliveredAt, readAt } });
      // A status may have come before the send was recorded; link it now.
      await prisma.deliveryReceipt.updateMany({ where: { externalId: row.externalId!, outboxId: null }, data: { outboxId: row.id } });
      const act = actOf(row);
      if (!row.deliveredAt && row.pqrId && act) {
        const receipt = mine[0];
        await this.options.markNotified(row.pqrId, deliveredAt, { channel: row.channel, outboxId: row.id, externalId: row.externalId, by: 'receipt', status: receipt.status }, act);
        notified++;
      }
    }
    return notified;
  }

  /** Rows for channels no sender here can reach: say why on the row, once. */
  private async noteUnroutable(): Promise<void> {
    const { prisma } = this.options;
    for (const [channel, reason] of this.disabled) {
      await prisma.outbox.updateMany({ where: { status: 'pending', channel, lastError: null }, data: { lastError: reason } });
    }
    const known = [...this.senders.keys(), ...this.disabled.keys()];
    await prisma.outbox.updateMany({ where: { status: 'pending', channel: { notIn: known }, lastError: null }, data: { lastError: 'no sender for this channel' } });
  }
}

/** The decision (answer or recurso decision) a notification carries, whose delivery is its proof. */
function actOf(row: OutboxRow): NotifiedAct | undefined {
  if (row.kind !== 'notification') return undefined;
  try {
    const key = (JSON.parse(row.payload) as { key?: unknown }).key;
    return typeof key === 'string' ? actOfNotificationKey(key) : undefined;
  } catch {
    return undefined;
  }
}

/** The reason a send failed, short and without the message's content. */
function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 500);
}
