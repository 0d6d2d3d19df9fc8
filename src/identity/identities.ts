import { TurnContext, type Activity } from 'botbuilder';
import { normalizeMobile } from '../nlu/entities';
import type { Clock } from '../pqr/clock';
import { isUniqueViolation, type Db } from '../storage';
import type { Address } from './address';

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
export class Identities {
  constructor(
    private readonly prisma: Db,
    private readonly clock: Clock,
  ) {}

  /**
   * On every inbound message of a webhook channel: the identity (created on first contact, holding
   * only the channel's own user id), its conversation reference and the time of the user's last
   * message. Webhooks arrive out of order, so that time only moves forward.
   */
  async touch(address: Address, activity: Partial<Activity>, locale?: string): Promise<number> {
    const at = activity.timestamp instanceof Date ? activity.timestamp : this.clock.now();
    const data = { conversationRef: JSON.stringify(TurnContext.getConversationReference(activity)), ...(locale ? { locale } : {}) };
    const id = await this.upsert(this.prisma, address, { ...data, lastInboundAt: at }, data);
    await this.moveLastInbound(id, at);
    return id;
  }

  /**
   * After a turn: keeps how to reach a user who already has an identity (they consented or filed);
   * nobody else's data is kept. False when there is no identity.
   */
  async noteMessage(address: Address, activity: Partial<Activity>, at: Date, locale?: string): Promise<boolean> {
    const conversationRef = JSON.stringify(TurnContext.getConversationReference(activity));
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
    const key = { identityId_kind_value: { identityId, kind, value } };
    if (await this.prisma.identityProof.findUnique({ where: key, select: { id: true } })) return;
    try {
      await this.prisma.identityProof.create({ data: { identityId, kind, value, method, provenAt: this.clock.now() } });
    } catch (error) {
      // Proven by another message of the same user at the same moment.
      if (!isUniqueViolation(error)) throw error;
    }
  }

  /** The requester behind an address, with every line and e-mail they have proven. */
  async requester(address: Address): Promise<Requester> {
    const identity = await this.prisma.channelIdentity.findUnique({ where: { channel_userId: address }, include: { proofs: true } });
    const of = (kind: ProofKind) => identity?.proofs.filter((p) => p.kind === kind).map((p) => p.value) ?? [];
    return { address, identityId: identity?.id ?? null, lines: of('line'), emails: of('email') };
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
