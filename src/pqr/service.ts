import { createHash } from 'node:crypto';
import { isUniqueViolation, type Db, type Tx } from '../storage';
import type { BusinessCalendar } from './calendar';
import type { Clock } from './clock';
import { formatCun, normalizeCun } from './cun';
import { chainNext } from './expediente';
import type { DecisionOutcome, RecursoKind } from './lifecycle';
import { AttemptGuard, LOOKUP_LIMIT, LookupBlockedError } from './lookup-guard';
import { OPEN_STATUSES, type PqrStatus } from './states';
import { answerTerm, isOverdue, type Terms } from './terms';

export type PqrType = 'peticion' | 'queja' | 'reclamo';
export const PQR_TYPES: readonly PqrType[] = ['peticion', 'queja', 'reclamo'];

export interface ChannelUser {
  channel: string;
  userId: string;
}

export type Customer =
  | { kind: 'subscriber'; brandId: string; line: string }
  | { kind: 'non_customer'; fullName: string; documentType: string; documentNumber: string; email: string };

export interface FileRequest {
  type: PqrType;
  description: string;
  user: ChannelUser;
  customer: Customer;
  /** The channel that carries the answer: the entry channel or "email". */
  notifyChannel: string;
  notifyAddress: string;
  /** Anonymised trace of the classifier's proposal, kept in the first event. */
  classification?: { proposed: PqrType; confidence: number };
  /**
   * Names the message that asked to file (channel, conversation and message id). Filing again with
   * the same key, as a turn re-run after a crash does, returns the PQR filed the first time.
   */
  filingKey?: string;
}

/** The fields of the SIC's CUN lookup, plus what the bot needs to word them. */
export interface PqrSummary {
  cun: string;
  type: PqrType;
  status: PqrStatus;
  filedAt: Date;
  countedFrom: Date;
  dueDate: Date;
  notifyChannel: string;
  notifyAddress: string;
  overdue: boolean;
  answeredAt: Date | null;
  answerText: string | null;
  /** When the answer reached the user: the recurso term counts from here. */
  notifiedAt: Date | null;
  recursoKind: RecursoKind | null;
  recursoFiledAt: Date | null;
  /** The operator's term to decide the recurso de reposición. */
  recursoDueDate: Date | null;
  decisionOutcome: DecisionOutcome | null;
  decisionText: string | null;
  decidedAt: Date | null;
  brandName: string | null;
}

export interface OperatorSettings {
  cunCode: string;
  brands: { id: string; name: string; cunCode: string }[];
}

export class UnknownBrandError extends Error {
  readonly code = 'unknown_brand';
}

type PqrRow = Awaited<ReturnType<Db['pqr']['findFirstOrThrow']>> & { brand?: { name: string } | null };

/**
 * Filing and looking up PQRs. Every change to a PQR is written with its event, in one
 * transaction, so the expediente never misses a step.
 */
export class PqrService {
  constructor(
    private readonly prisma: Db,
    private readonly clock: Clock,
    private readonly calendar: BusinessCalendar,
    private readonly terms: Terms,
    private readonly operator: OperatorSettings,
    private readonly lookupGuard = new AttemptGuard(prisma, clock, 'lookup', LOOKUP_LIMIT),
  ) {}

  /** Brands from settings into the Brand table (names and CUN codes may change between starts). */
  async syncBrands(): Promise<void> {
    for (const brand of this.operator.brands) {
      await this.prisma.brand.upsert({ where: { id: brand.id }, create: brand, update: { name: brand.name, cunCode: brand.cunCode } });
    }
  }

  async file(request: FileRequest): Promise<PqrSummary> {
    // Hashed: the key holds a phone number or chat id, which has no business in another column.
    const filingKey = request.filingKey ? createHash('sha256').update(request.filingKey).digest('base64url') : null;
    if (filingKey) {
      const earlier = await this.filedWith(filingKey);
      if (earlier) return earlier;
    }
    try {
      return await this.fileNew(request, filingKey);
    } catch (error) {
      const earlier = filingKey && isUniqueViolation(error) ? await this.filedWith(filingKey) : null;
      if (earlier) return earlier;
      throw error;
    }
  }

  private async filedWith(filingKey: string): Promise<PqrSummary | null> {
    const pqr = await this.prisma.pqr.findUnique({ where: { filingKey }, include: { brand: { select: { name: true } } } });
    return pqr ? this.summarize(pqr) : null;
  }

  private async fileNew(request: FileRequest, filingKey: string | null): Promise<PqrSummary> {
    const filedAt = this.clock.now();
    const { countedFrom, dueDate } = answerTerm(filedAt, this.calendar, this.terms);
    const brand = request.customer.kind === 'subscriber' ? this.brand(request.customer.brandId) : null;
    const code = brand?.cunCode ?? this.operator.cunCode;
    const pqr = await this.prisma.$transaction(async (tx) => {
      const identity = await this.upsertIdentity(tx, request.user, filedAt);
      const owner = await this.upsertOwner(tx, request.customer, identity.id);
      const cun = await this.allocateCun(tx, code, filedAt);
      const created = await tx.pqr.create({
        data: {
          cun,
          type: request.type,
          description: request.description,
          entryChannel: request.user.channel,
          notifyChannel: request.notifyChannel,
          notifyAddress: request.notifyAddress,
          brandId: brand?.id ?? null,
          identityId: identity.id,
          subscriberId: owner.subscriberId,
          nonCustomerId: owner.nonCustomerId,
          status: 'radicada',
          filedAt,
          countedFrom,
          dueDate,
          filingKey,
        },
        include: { brand: { select: { name: true } } },
      });
      const evidence = await claimEvidence(tx, identity.id, created.id);
      await appendEvent(tx, created.id, {
        at: filedAt,
        actor: `user:${request.user.channel}`,
        action: 'radicada',
        before: null,
        after: {
          cun,
          type: request.type,
          status: 'radicada',
          entryChannel: request.user.channel,
          notifyChannel: request.notifyChannel,
          countedFrom: countedFrom.toISOString(),
          dueDate: dueDate.toISOString(),
          classification: request.classification ?? null,
          evidence,
        },
      });
      return created;
    });
    return this.summarize(pqr);
  }

  /**
   * The PQR with this CUN, only if `requester` owns it: the same channel identity, or a proof
   * (document number, or the subscriber's line) that matches its owner. Anyone else gets null, exactly as for a CUN that does not exist.
   * A failed proof counts against the requester, the CUN and the proof tried; once one of them has
   * too many recent failures, anyone but the owning identity gets a LookupBlockedError instead.
   */
  async statusFor(cunInput: string, requester: ChannelUser & { proof?: string }): Promise<PqrSummary | null> {
    const cun = normalizeCun(cunInput);
    if (!cun) return null;
    const pqr = await this.prisma.pqr.findUnique({
      where: { cun },
      include: { identity: true, nonCustomer: true, subscriber: true, brand: { select: { name: true } } },
    });
    if (pqr && pqr.identity?.channel === requester.channel && pqr.identity.userId === requester.userId) return this.summarize(pqr);
    const proof = requester.proof?.replace(/^57(?=3\d{9}$)/, '');
    const guard = this.lookupGuard;
    const keys = [guard.key('user', requester.channel, requester.userId), ...(proof === undefined ? [] : [guard.key('cun', cun), guard.key('proof', proof)])];
    const blockedUntil = await guard.blockedUntil(keys);
    if (blockedUntil) throw new LookupBlockedError(blockedUntil);
    // Without a proof nothing was guessed: the caller asks for one next.
    if (proof === undefined) return null;
    const proven = !!pqr && !!proof && [pqr.nonCustomer?.documentNumber, pqr.subscriber?.documentNumber, pqr.subscriber?.line].includes(proof);
    if (pqr && proven) return this.summarize(pqr);
    await guard.fail(keys);
    return null;
  }

  /** Open PQRs of everyone this channel user is known as (their identity, line or document). */
  async openFor(user: ChannelUser): Promise<PqrSummary[]> {
    const identity = await this.prisma.channelIdentity.findUnique({ where: { channel_userId: user } });
    if (!identity) return [];
    const owners = [
      { identityId: identity.id },
      ...(identity.subscriberId ? [{ subscriberId: identity.subscriberId }] : []),
      ...(identity.nonCustomerId ? [{ nonCustomerId: identity.nonCustomerId }] : []),
    ];
    const rows = await this.prisma.pqr.findMany({
      where: { OR: owners, status: { in: [...OPEN_STATUSES] } },
      include: { brand: { select: { name: true } } },
      orderBy: { filedAt: 'desc' },
      take: 10,
    });
    return rows.map((row) => this.summarize(row));
  }

  /** Records the user's acceptance of the privacy notice (Ley 1581): the proof is the timestamp and version. */
  async recordConsent(user: ChannelUser, version: string): Promise<void> {
    const at = this.clock.now();
    await this.prisma.channelIdentity.upsert({
      where: { channel_userId: user },
      create: { ...user, consentAt: at, consentVersion: version, lastInboundAt: at },
      update: { consentAt: at, consentVersion: version, consentRevokedAt: null },
    });
  }

  async hasConsent(user: ChannelUser): Promise<boolean> {
    const identity = await this.prisma.channelIdentity.findUnique({ where: { channel_userId: user } });
    return !!identity?.consentAt && !identity.consentRevokedAt;
  }

  /** What the channel already knows of this user, so the bot does not ask again. */
  async knownCustomer(user: ChannelUser): Promise<Customer | null> {
    const identity = await this.prisma.channelIdentity.findUnique({
      where: { channel_userId: user },
      include: { subscriber: true, nonCustomer: true },
    });
    if (identity?.subscriber) return { kind: 'subscriber', brandId: identity.subscriber.brandId, line: identity.subscriber.line };
    if (identity?.nonCustomer) {
      const { fullName, documentType, documentNumber, email } = identity.nonCustomer;
      return { kind: 'non_customer', fullName, documentType, documentNumber, email };
    }
    return null;
  }

  /** Anonymised record of a user's correction of the proposed type, to grow the training corpus. */
  async recordCorrection(text: string, predicted: string, chosen: string, confidence: number): Promise<void> {
    await this.prisma.nluCorrection.create({ data: { text, predicted, chosen, confidence } });
  }

  /** The bot was unsure and asked which reading the user meant: counted for the dashboard, without text or user. */
  async recordClarification(predicted: string, confidence: number): Promise<void> {
    await this.prisma.nluClarification.create({ data: { askedAt: this.clock.now(), predicted, confidence } });
  }

  brandName(brandId: string): string {
    return this.brand(brandId).name;
  }

  private brand(brandId: string) {
    const brand = this.operator.brands.find((b) => b.id === brandId);
    if (!brand) throw new UnknownBrandError(`Unknown brand ${brandId}`);
    return brand;
  }

  private summarize(pqr: PqrRow): PqrSummary {
    return {
      cun: pqr.cun,
      type: pqr.type as PqrType,
      status: pqr.status as PqrStatus,
      filedAt: pqr.filedAt,
      countedFrom: pqr.countedFrom,
      dueDate: pqr.dueDate,
      notifyChannel: pqr.notifyChannel,
      notifyAddress: pqr.notifyAddress,
      overdue: pqr.vencida || isOverdue(pqr, this.clock.now()),
      answeredAt: pqr.answeredAt,
      answerText: pqr.answerText,
      notifiedAt: pqr.notifiedAt,
      recursoKind: pqr.recursoKind as RecursoKind | null,
      recursoFiledAt: pqr.recursoFiledAt,
      recursoDueDate: pqr.recursoDueDate,
      decisionOutcome: pqr.decisionOutcome as DecisionOutcome | null,
      decisionText: pqr.decisionText,
      decidedAt: pqr.decidedAt,
      brandName: pqr.brand?.name ?? null,
    };
  }

  private upsertIdentity(tx: Tx, user: ChannelUser, at: Date) {
    return tx.channelIdentity.upsert({
      where: { channel_userId: user },
      create: { ...user, lastInboundAt: at },
      update: {},
    });
  }

  private async upsertOwner(tx: Tx, customer: Customer, identityId: number): Promise<{ subscriberId: number | null; nonCustomerId: number | null }> {
    if (customer.kind === 'subscriber') {
      const subscriber = await tx.subscriber.upsert({
        where: { brandId_line: { brandId: customer.brandId, line: customer.line } },
        create: { brandId: customer.brandId, line: customer.line },
        update: {},
      });
      await tx.channelIdentity.update({ where: { id: identityId }, data: { subscriberId: subscriber.id } });
      return { subscriberId: subscriber.id, nonCustomerId: null };
    }
    const { fullName, documentType, documentNumber, email } = customer;
    const nonCustomer = await tx.nonCustomer.upsert({
      where: { documentType_documentNumber: { documentType, documentNumber } },
      create: { fullName, documentType, documentNumber, email },
      update: { fullName, email },
    });
    await tx.channelIdentity.update({ where: { id: identityId }, data: { nonCustomerId: nonCustomer.id } });
    return { subscriberId: null, nonCustomerId: nonCustomer.id };
  }

  /**
   * Next consecutive for (code, year), inside the filing transaction: unique and gap-free. One
   * atomic upsert: concurrent filings queue on the counter's row lock until the holder commits or
   * rolls back (so a failed filing leaves no gap), and the first filing of a year cannot race
   * another into a unique violation, as a read-then-insert would on PostgreSQL.
   */
  private async allocateCun(tx: Tx, code: string, filedAt: Date): Promise<string> {
    const year = Number(new Intl.DateTimeFormat('en', { timeZone: 'America/Bogota', year: 'numeric' }).format(filedAt));
    const [counter] = await tx.$queryRaw<{ last: number | bigint }[]>`
      INSERT INTO "CunCounter" ("code", "year", "last") VALUES (${code}, ${year}, 1)
      ON CONFLICT ("code", "year") DO UPDATE SET "last" = "CunCounter"."last" + 1
      RETURNING "last"`;
    return formatCun({ code, year, seq: Number(counter.last) });
  }
}

/**
 * Evidence the user sent in this conversation (voice notes, photos…) and not yet part of a case
 * joins this one; returns what joined, for the event that records it.
 */
export async function claimEvidence(tx: Tx, identityId: number, pqrId: number): Promise<{ id: number; kind: string; sha256: string }[]> {
  const evidence = await tx.attachment.findMany({ where: { identityId, pqrId: null }, select: { id: true, kind: true, sha256: true } });
  if (evidence.length) await tx.attachment.updateMany({ where: { id: { in: evidence.map((a) => a.id) } }, data: { pqrId } });
  return evidence;
}

/** Appends an event to a PQR's expediente, chained to the one before it. */
export async function appendEvent(
  tx: Tx,
  pqrId: number,
  event: { at: Date; actor: string; action: string; before: unknown; after: unknown },
): Promise<void> {
  const last = await tx.pqrEvent.findFirst({ where: { pqrId }, orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
  const before = event.before === null ? null : JSON.stringify(event.before);
  const after = event.after === null ? null : JSON.stringify(event.after);
  const link = chainNext(last, { at: event.at, actor: event.actor, action: event.action, before, after });
  await tx.pqrEvent.create({ data: { pqrId, at: event.at, actor: event.actor, action: event.action, before, after, ...link } });
}
