import { TurnContext, type Activity } from 'botbuilder';
import { normalizeMobile } from '../nlu/entities';
import type { Clock } from '../pqr/clock';
import { hotSqlOf, isUniqueViolation, TurnWork, type Db, type HotSql } from '../storage';
import { addressKey, type Address } from './address';

/** What a proof is about: a mobile line (10 digits, 3xxxxxxxxx) or an e-mail address (lower case). */
export type ProofKind = 'line' | 'email';
/** How it was proven: the channel vouches for it, or the user typed a one-time code sent there. */
export type ProofMethod = 'channel' | 'code';

/**
 * Who is asking, with what they have proven. Being the channel user that filed a PQR, or holding
 * a proof of its line or e-mail, makes them its owner; anything else is unverified.
 */
export interface Requester {
  address: Address;
  identityId: number | null;
  lines: string[];
  emails: string[];
}

export type IdentityRow = Awaited<ReturnType<Db['channelIdentity']['findUniqueOrThrow']>>;

/** The one value a proof of `kind` is stored as, or null when `raw` is not one. */
export function proofValue(kind: ProofKind, raw: string): string | null {
  if (kind === 'line') return normalizeMobile(raw);
  const email = raw.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+$/.test(email) ? email : null;
}

/**
 * The one owner of channel identities: who each channel user is, how to reach them, their consent
 * to the privacy notice and what they have proven. Nothing else writes ChannelIdentity or IdentityProof.
 */
/** The conversation reference as stored, for comparing two: the message id and the language are left out. */
function sameReference(a: string, b: string): boolean {
  const strip = (json: string) => {
    const { activityId: _id, locale: _locale, ...rest } = JSON.parse(json) as Record<string, unknown>;
    return JSON.stringify(rest);
  };
  return a === b || strip(a) === strip(b);
}

/**
 * How long this instance's touch of an identity stands for that user's next messages: within it,
 * a message with the same conversation reference writes nothing. The last inbound time then lags
 * by less than this, so WhatsApp's 24-hour window is judged closed up to this much early (a
 * template a minute before it was needed), never late.
 */
const TOUCH_REUSE_MS = 60_000;
const MAX_REMEMBERED = 10_000;

interface RecentTouch {
  id: number;
  at: number;
  conversationRef: string;
  locale: string | null;
  /** The sender's line, when it is known to be proven. */
  line: string | null;
  held: boolean;
}

export class Identities {
  private readonly sql: HotSql | undefined;
  /** Identities this instance touched lately, by address key (see TOUCH_REUSE_MS). */
  private readonly recentTouches = new Map<string, RecentTouch>();
  private readonly recentById = new Map<number, RecentTouch>();

  constructor(
    private readonly prisma: Db,
    private readonly clock: Clock,
  ) {
    this.sql = hotSqlOf(prisma);
  }

  /**
   * On every inbound message of a webhook channel: the identity (created on first contact, holding
   * only the channel's own user id), its conversation reference and the time of the user's last
   * message. Webhooks arrive out of order, so that time only moves forward.
   */
  async touch(address: Address, activity: Partial<Activity>, locale?: string, options: { proveLine?: ProofMethod } = {}): Promise<number> {
    const id = await this.touchOnly(address, activity, locale, options.proveLine);
    if (options.proveLine) await this.proveFor(id, 'line', address.userId, options.proveLine);
    return id;
  }

  /** `touch`; with `proveLine` on PostgreSQL the proof is written by the same statement (and `proveFor` then finds it held). */
  private async touchOnly(address: Address, activity: Partial<Activity>, locale: string | undefined, proveLine: ProofMethod | undefined): Promise<number> {
    const at = activity.timestamp instanceof Date ? activity.timestamp : this.clock.now();
    const conversationRef = JSON.stringify(TurnContext.getConversationReference(activity));
    if (!this.sql) {
      const data = { conversationRef, ...(locale ? { locale } : {}) };
      const id = await this.upsert(this.prisma, address, { ...data, lastInboundAt: at }, data);
      await this.moveLastInbound(id, at);
      return id;
    }
    const work = TurnWork.current();
    const key = addressKey(address);
    const recent = this.recentTouches.get(key);
    if (recent && at.getTime() >= recent.at && at.getTime() - recent.at < TOUCH_REUSE_MS && sameReference(recent.conversationRef, conversationRef) && (!locale || locale === recent.locale)) {
      if (work) work.touched = { channel: address.channel, userId: address.userId, conversationRef: recent.conversationRef, locale: recent.locale, held: recent.held };
      return recent.id;
    }
    // One statement: created or updated, the last inbound time only moved forward, and what the
    // rest of the turn would otherwise read (a proof of the sender's line, notifications held).
    const line = proofValue('line', address.userId);
    const upsert = `INSERT INTO "ChannelIdentity" ("channel", "userId", "conversationRef", "locale", "lastInboundAt", "createdAt") VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT ("channel", "userId") DO UPDATE SET "conversationRef" = excluded."conversationRef", "locale" = COALESCE(excluded."locale", "ChannelIdentity"."locale"),
         "lastInboundAt" = CASE WHEN "ChannelIdentity"."lastInboundAt" IS NULL OR "ChannelIdentity"."lastInboundAt" < excluded."lastInboundAt" THEN excluded."lastInboundAt" ELSE "ChannelIdentity"."lastInboundAt" END`;
    const upsertArgs = [address.channel, address.userId, conversationRef, locale ?? null, at, new Date()];
    const held = 'EXISTS (SELECT 1 FROM "Outbox" WHERE "Outbox"."status" = \'held\' AND "Outbox"."conversationKey" = ?) AS "held"';
    const [row] =
      proveLine && line && this.sql.provider === 'postgresql'
        ? // A first contact on PostgreSQL: the identity and the proof of its line in one statement (one round trip).
          await this.sql.all<{ id: number; locale: string | null; proven: unknown; held: unknown }>(
            `WITH "identity" AS (${upsert} RETURNING "id", "locale"),
             "proof" AS (INSERT INTO "IdentityProof" ("identityId", "kind", "value", "method", "provenAt") SELECT "id", 'line', ?, ?, ? FROM "identity"
               ON CONFLICT ("identityId", "kind", "value") DO NOTHING RETURNING 1)
             SELECT "id", "locale", TRUE AS "proven", ${held} FROM "identity"`,
            [...upsertArgs, line, proveLine, this.clock.now(), addressKey(address)],
          )
        : await this.sql.all<{ id: number; locale: string | null; proven: unknown; held: unknown }>(
            `${upsert}
       RETURNING "id", "locale",
         EXISTS (SELECT 1 FROM "IdentityProof" WHERE "IdentityProof"."identityId" = "ChannelIdentity"."id" AND "IdentityProof"."kind" = 'line' AND "IdentityProof"."value" = ?) AS "proven",
         ${held}`,
            [...upsertArgs, line ?? '', addressKey(address)],
          );
    const id = Number(row.id);
    const touched: RecentTouch = { id, at: at.getTime(), conversationRef, locale: row.locale, line: line && Number(row.proven) ? line : null, held: Boolean(Number(row.held)) };
    if (this.recentTouches.size >= MAX_REMEMBERED) {
      this.recentTouches.clear();
      this.recentById.clear();
    }
    this.recentTouches.set(key, touched);
    this.recentById.set(id, touched);
    if (work) work.touched = { channel: address.channel, userId: address.userId, conversationRef, locale: row.locale, held: touched.held };
    return id;
  }

  /**
   * After a turn: keeps how to reach a user who already has an identity (they consented or filed);
   * nobody else's data is kept. False when there is no identity.
   */
  async noteMessage(address: Address, activity: Partial<Activity>, at: Date, locale?: string): Promise<boolean> {
    const conversationRef = JSON.stringify(TurnContext.getConversationReference(activity));
    const work = TurnWork.current();
    if (work && this.sql && work.sql === this.sql) {
      this.noteInTurn(work, address, conversationRef, at, locale);
      return true;
    }
    const updated = await this.prisma.channelIdentity.updateMany({
      where: { channel: address.channel, userId: address.userId },
      data: { conversationRef, ...(locale ? { locale } : {}) },
    });
    if (updated.count === 0) return false;
    await this.prisma.channelIdentity.updateMany({
      where: { channel: address.channel, userId: address.userId, OR: [{ lastInboundAt: null }, { lastInboundAt: { lt: at } }] },
      data: { lastInboundAt: at },
    });
    return true;
  }

  /**
   * `noteMessage` inside a turn's end-of-turn transaction. When the channel touched the identity
   * this turn (same reference, same language), there is nothing left to write.
   */
  private noteInTurn(work: TurnWork, address: Address, conversationRef: string, at: Date, locale?: string): void {
    const touched = work.touched?.channel === address.channel && work.touched.userId === address.userId ? work.touched : undefined;
    if (touched && sameReference(touched.conversationRef, conversationRef) && (!locale || locale === touched.locale)) return;
    const recent = this.recentTouches.get(addressKey(address));
    if (recent) {
      recent.conversationRef = conversationRef;
      if (locale) recent.locale = locale;
      if (at.getTime() > recent.at) recent.at = at.getTime();
    }
    work.add({
      sql: `UPDATE "ChannelIdentity" SET "conversationRef" = ?, "locale" = COALESCE(?, "locale"),
              "lastInboundAt" = CASE WHEN "lastInboundAt" IS NULL OR "lastInboundAt" < ? THEN ? ELSE "lastInboundAt" END
            WHERE "channel" = ? AND "userId" = ?`,
      args: [conversationRef, locale ?? null, at, at, address.channel, address.userId],
    });
  }

  /** Whether notifications may be held for the address: false only when the channel's touch this turn saw none. */
  mayHoldNotifications(address: Address): boolean {
    const touched = TurnWork.current()?.touched;
    if (!(touched && touched.channel === address.channel && touched.userId === address.userId)) return true;
    // Released in this turn's transaction: the next touch within TOUCH_REUSE_MS need not look again.
    const recent = this.recentTouches.get(addressKey(address));
    if (recent && touched.held) recent.held = false;
    return touched.held;
  }

  /**
   * The identity of the user filing, made before the filing's transaction: on PostgreSQL a unique
   * violation (two filings of one user racing) would abort that transaction, retry and all.
   */
  async ensure(address: Address, at: Date): Promise<number> {
    return this.upsert(this.prisma, address, { lastInboundAt: at }, {});
  }

  /** The identity of a requester about to receive a code (it holds the code until it is used). */
  async ensureNow(address: Address): Promise<number> {
    return this.upsert(this.prisma, address, { lastInboundAt: this.clock.now() }, {});
  }

  async find(address: Address): Promise<IdentityRow | null> {
    return this.prisma.channelIdentity.findUnique({ where: { channel_userId: address } });
  }

  async byId(id: number): Promise<IdentityRow | null> {
    return this.prisma.channelIdentity.findUnique({ where: { id } });
  }

  /** Records the user's acceptance of the privacy notice (Ley 1581): the proof is the timestamp and version. */
  async recordConsent(address: Address, version: string): Promise<void> {
    const at = this.clock.now();
    await this.upsert(this.prisma, address, { consentAt: at, consentVersion: version, lastInboundAt: at }, { consentAt: at, consentVersion: version, consentRevokedAt: null });
  }

  async hasConsent(address: Address): Promise<boolean> {
    const identity = await this.find(address);
    return !!identity?.consentAt && !identity.consentRevokedAt;
  }

  /**
   * Records that this identity has proven a line or an e-mail. Several identities may prove the
   * same line (the same person on WhatsApp and Telegram); a typed, unproven line proves nothing.
   */
  async prove(address: Address, kind: ProofKind, raw: string, method: ProofMethod): Promise<void> {
    if (!proofValue(kind, raw)) return;
    await this.proveFor(await this.ensureNow(address), kind, raw, method);
  }

  /** As `prove`, for an identity the caller has just touched: a proof already held costs one read. */
  async proveFor(identityId: number, kind: ProofKind, raw: string, method: ProofMethod): Promise<void> {
    const value = proofValue(kind, raw);
    if (!value) return;
    const recent = kind === 'line' ? this.recentById.get(identityId) : undefined;
    if (recent && recent.line === value) return;
    if (this.sql) {
      // One statement, a proof held already (or written by another message at the same moment) left as it is.
      await this.sql.run('INSERT INTO "IdentityProof" ("identityId", "kind", "value", "method", "provenAt") VALUES (?, ?, ?, ?, ?) ON CONFLICT ("identityId", "kind", "value") DO NOTHING', [
        identityId,
        kind,
        value,
        method,
        this.clock.now(),
      ]);
      if (recent) recent.line = value;
      return;
    }
    const key = { identityId_kind_value: { identityId, kind, value } };
    if (!(await this.prisma.identityProof.findUnique({ where: key, select: { id: true } }))) {
      try {
        await this.prisma.identityProof.create({ data: { identityId, kind, value, method, provenAt: this.clock.now() } });
      } catch (error) {
        // Proven by another message of the same user at the same moment.
        if (!isUniqueViolation(error)) throw error;
      }
    }
    if (recent) recent.line = value;
  }

  /** The requester behind an address, with every line and e-mail they have proven. */
  async requester(address: Address): Promise<Requester> {
    let identityId: number | null = null;
    let proofs: { kind: string; value: string }[] = [];
    if (this.sql) {
      // Asked by most dialogs, often once a turn: one plain statement rather than Prisma's two.
      const rows = await this.sql.all<{ id: number; kind: string | null; value: string | null }>(
        'SELECT "ChannelIdentity"."id", "IdentityProof"."kind", "IdentityProof"."value" FROM "ChannelIdentity" LEFT JOIN "IdentityProof" ON "IdentityProof"."identityId" = "ChannelIdentity"."id" WHERE "ChannelIdentity"."channel" = ? AND "ChannelIdentity"."userId" = ? ORDER BY "IdentityProof"."id"',
        [address.channel, address.userId],
      );
      identityId = rows.length ? Number(rows[0].id) : null;
      proofs = rows.flatMap((row) => (row.kind !== null && row.value !== null ? [{ kind: row.kind, value: row.value }] : []));
    } else {
      const identity = await this.prisma.channelIdentity.findUnique({ where: { channel_userId: address }, include: { proofs: true } });
      identityId = identity?.id ?? null;
      proofs = identity?.proofs ?? [];
    }
    const of = (kind: ProofKind) => proofs.filter((p) => p.kind === kind).map((p) => p.value);
    return { address, identityId, lines: of('line'), emails: of('email') };
  }

  /** Create-or-update that survives another instance creating the same identity at the same moment. */
  private async upsert(db: Db, address: Address, create: Record<string, unknown>, update: Record<string, unknown>): Promise<number> {
    const where = { channel_userId: { channel: address.channel, userId: address.userId } };
    try {
      return (await db.channelIdentity.upsert({ where, create: { ...address, ...create }, update, select: { id: true } })).id;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return (await db.channelIdentity.update({ where, data: update, select: { id: true } })).id;
    }
  }

  private async moveLastInbound(id: number, at: Date): Promise<void> {
    await this.prisma.channelIdentity.updateMany({ where: { id, OR: [{ lastInboundAt: null }, { lastInboundAt: { lt: at } }] }, data: { lastInboundAt: at } });
  }
}
