import { createHash } from 'node:crypto';
import type { CodeTarget, Identities, KeyedDigest, Requester, Address } from '../identity';
import { normalizeMobile } from '../nlu/entities';
import { hotSqlOf, isUniqueViolation, type Db, type Tx } from '../storage';
import type { BusinessCalendar } from './calendar';
import type { Clock } from './clock';
import { formatCun, normalizeCun } from './cun';
import { chainNext } from './expediente';
import type { DecisionOutcome, RecursoKind } from './lifecycle';
import { AttemptGuard, LOOKUP_LIMIT, LookupBlockedError } from './lookup-guard';
import { PqrReads } from './reads';
import { OPEN_STATUSES, type PqrStatus } from './states';
import { answerTerm, isOverdue, type Terms } from './terms';

export type PqrType = 'peticion' | 'queja' | 'reclamo';
export const PQR_TYPES: readonly PqrType[] = ['peticion', 'queja', 'reclamo'];

export type Customer =
  | { kind: 'subscriber'; brandId: string; line: string }
  | { kind: 'non_customer'; fullName: string; documentType: string; documentNumber: string; email: string };

export interface FileRequest {
  type: PqrType;
  description: string;
  user: Address;
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

/**
 * What the SIC's consultaCUN shows to anyone holding the CUN and the requester's document or line:
 * no description, answer, personal data or list.
 */
export interface PqrLookup {
  cun: string;
  status: PqrStatus;
  filedAt: Date;
  dueDate: Date;
}

/** A PQR as the requester may see it: all of it for its owner, the CUN lookup fields for anyone else with the document or line. */
export type FoundPqr =
  | { access: 'owner'; pqr: PqrSummary }
  | { access: 'lookup'; pqr: PqrLookup; /** Where a one-time code proves ownership: the PQR's line or e-mail. */ verifyBy: CodeTarget[] };

/** At most this many e-mail addresses get a code when a document was filed with several. */
const MAX_CODE_TARGETS = 3;

export interface OperatorSettings {
  cunCode: string;
  brands: { id: string; name: string; cunCode: string }[];
}

export class UnknownBrandError extends Error {
  readonly code = 'unknown_brand';
}

type PqrRow = Awaited<ReturnType<Db['pqr']['findFirstOrThrow']>> & { brand?: { name: string } | null };

/**
 * Whether the requester owns the PQR: they filed it from this channel identity, or they have proven
 * its line (subscriber) or the e-mail it was filed with (non-customer).
 */
export function owns(pqr: { identityId: number | null; requesterEmail: string | null; subscriber?: { line: string } | null }, requester: Requester): boolean {
  if (requester.identityId !== null && pqr.identityId === requester.identityId) return true;
  if (pqr.subscriber && requester.lines.includes(pqr.subscriber.line)) return true;
  return !!pqr.requesterEmail && requester.emails.includes(pqr.requesterEmail.toLowerCase());
}

/** The PQRs a requester owns, as a query filter (see `owns`). */
export function ownedBy(requester: Requester) {
  return [
    ...(requester.identityId !== null ? [{ identityId: requester.identityId }] : []),
    ...(requester.lines.length ? [{ subscriber: { line: { in: requester.lines } } }] : []),
    ...(requester.emails.length ? [{ requesterEmail: { in: requester.emails } }] : []),
  ];
}

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
    private readonly identities: Identities,
    lookupDigest: KeyedDigest,
  ) {
    this.lookupGuard = new AttemptGuard(prisma, clock, 'lookup', LOOKUP_LIMIT, lookupDigest);
    const sql = hotSqlOf(prisma);
    this.reads = sql ? new PqrReads(sql) : undefined;
  }

  /** Plain-SQL reads for the status questions (Prisma when the client has no plain SQL). */
  private readonly reads: PqrReads | undefined;

  private readonly lookupGuard: AttemptGuard;

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
    const identity = { id: await this.identities.ensure(request.user, filedAt) };
    const pqr = await this.prisma.$transaction(async (tx) => {
      const owner = await this.personOf(tx, request.customer, identity.id);
      const requester = request.customer.kind === 'non_customer'
        ? {
            requesterName: request.customer.fullName,
            requesterDocumentType: request.customer.documentType,
            requesterDocumentNumber: request.customer.documentNumber,
            requesterEmail: request.customer.email.trim().toLowerCase(),
          }
        : {};
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
          ...requester,
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
   * The PQR with this CUN as `requester` may see it. Its owner sees all of it. Anyone else who gives
   * the document or line it was filed with sees only the CUN lookup fields, and where a code would
   * prove ownership; anyone else gets null, exactly as for a CUN that does not exist. Failed proofs
   * count against the requester (channel user and conversation), never against the CUN or the
   * document: once the requester has too many, a LookupBlockedError instead.
   */
  async statusFor(cunInput: string, requester: Requester, proofInput?: string, conversationId?: string): Promise<FoundPqr | null> {
    const cun = normalizeCun(cunInput);
    if (!cun) return null;
    const pqr = this.reads
      ? await this.reads.byCun(cun)
      : await this.prisma.pqr.findUnique({ where: { cun }, include: { subscriber: { select: { line: true, documentNumber: true } }, brand: { select: { name: true } } } });
    if (pqr && owns(pqr, requester)) return { access: 'owner', pqr: this.summarize(pqr) };
    const keys = this.requesterKeys(requester, conversationId);
    const blockedUntil = await this.lookupGuard.blockedUntil(keys);
    if (blockedUntil) throw new LookupBlockedError(blockedUntil);
    // Without a proof nothing was guessed: the caller asks for one next.
    if (proofInput === undefined) return null;
    const proof = normalizeMobile(proofInput) ?? proofInput;
    const proven = !!pqr && !!proof && [pqr.requesterDocumentNumber, pqr.subscriber?.documentNumber, pqr.subscriber?.line].includes(proof);
    if (pqr && proven) {
      const verifyBy: CodeTarget[] = pqr.subscriber ? [{ kind: 'line', value: pqr.subscriber.line }] : pqr.requesterEmail ? [{ kind: 'email', value: pqr.requesterEmail }] : [];
      return { access: 'lookup', pqr: { cun: pqr.cun, status: pqr.status as PqrStatus, filedAt: pqr.filedAt, dueDate: pqr.dueDate }, verifyBy };
    }
    await this.lookupGuard.fail(keys);
    return null;
  }

  /**
   * "No me acuerdo del número": where a code would prove that the requester owns PQRs filed with
   * this line (the line itself) or document (the e-mail addresses those PQRs were filed with).
   * Empty when there are none, which counts as a failed lookup of the requester.
   */
  async codeTargetsFor(documentOrLine: string, requester: Requester, conversationId?: string): Promise<CodeTarget[]> {
    const keys = this.requesterKeys(requester, conversationId);
    const blockedUntil = await this.lookupGuard.blockedUntil(keys);
    if (blockedUntil) throw new LookupBlockedError(blockedUntil);
    const line = normalizeMobile(documentOrLine);
    if (line && (await this.prisma.pqr.count({ where: { subscriber: { line } } })) > 0) return [{ kind: 'line', value: line }];
    const document = documentOrLine.replace(/[\s.-]/g, '').toUpperCase();
    const rows = await this.prisma.pqr.findMany({
      where: { requesterDocumentNumber: document, requesterEmail: { not: null } },
      select: { requesterEmail: true },
      orderBy: { filedAt: 'desc' },
      take: 50,
    });
    const emails = [...new Set(rows.map((row) => row.requesterEmail!))].slice(0, MAX_CODE_TARGETS);
    if (!emails.length) await this.lookupGuard.fail(keys);
    return emails.map((value) => ({ kind: 'email', value }));
  }

  /** Open PQRs the requester owns (filed from this identity, or with a line or e-mail they have proven). */
  async openFor(requester: Requester): Promise<PqrSummary[]> {
    const owners = ownedBy(requester);
    if (!owners.length) return [];
    if (this.reads) return (await this.reads.ownedBy(requester, OPEN_STATUSES, 10)).map((row) => this.summarize(row));
    const rows = await this.prisma.pqr.findMany({
      where: { OR: owners, status: { in: [...OPEN_STATUSES] } },
      include: { brand: { select: { name: true } } },
      orderBy: { filedAt: 'desc' },
      take: 10,
    });
    return rows.map((row) => this.summarize(row));
  }

  /**
   * What the bot may offer back to this requester so they need not type it again: a line they
   * have proven, or the data they themselves gave when they last filed from this identity or
   * with an e-mail they have proven. Never the data someone else typed.
   */
  async knownCustomer(requester: Requester): Promise<Customer | null> {
    if (requester.lines.length) {
      const subscriber = await this.prisma.subscriber.findFirst({ where: { line: { in: requester.lines } }, orderBy: { id: 'desc' } });
      if (subscriber) return { kind: 'subscriber', brandId: subscriber.brandId, line: subscriber.line };
    }
    const mine = [
      ...(requester.identityId !== null ? [{ identityId: requester.identityId }] : []),
      ...(requester.emails.length ? [{ requesterEmail: { in: requester.emails } }] : []),
    ];
    if (!mine.length) return null;
    const last = await this.prisma.pqr.findFirst({ where: { OR: mine }, orderBy: { filedAt: 'desc' }, include: { subscriber: true } });
    if (last?.subscriber) return { kind: 'subscriber', brandId: last.subscriber.brandId, line: last.subscriber.line };
    if (!last?.requesterName || !last.requesterDocumentType || !last.requesterDocumentNumber || !last.requesterEmail) return null;
    return { kind: 'non_customer', fullName: last.requesterName, documentType: last.requesterDocumentType, documentNumber: last.requesterDocumentNumber, email: last.requesterEmail };
  }

  /** The lookup counters of a requester: their channel user and, where known, the conversation. */
  private requesterKeys(requester: Requester, conversationId?: string): string[] {
    const { channel, userId } = requester.address;
    return [this.lookupGuard.key('user', channel, userId), ...(conversationId ? [this.lookupGuard.key('conversation', channel, conversationId)] : [])];
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

  /**
   * The person a filing belongs to, never rewritten by it. A line is its own record. A non-customer's
   * document gets a record the first time it is filed with; a later filing shares that record only
   * when its requester has proven the record's e-mail, otherwise the PQR keeps its own data alone
   * and the back office shows agents the mismatch.
   */
  private async personOf(tx: Tx, customer: Customer, identityId: number): Promise<{ subscriberId: number | null; nonCustomerId: number | null }> {
    if (customer.kind === 'subscriber') {
      const subscriber = await tx.subscriber.upsert({
        where: { brandId_line: { brandId: customer.brandId, line: customer.line } },
        create: { brandId: customer.brandId, line: customer.line },
        update: {},
      });
      return { subscriberId: subscriber.id, nonCustomerId: null };
    }
    const { fullName, documentType, documentNumber } = customer;
    const email = customer.email.trim().toLowerCase();
    const key = { documentType_documentNumber: { documentType, documentNumber } };
    const existing = await tx.nonCustomer.findUnique({ where: key });
    if (!existing) return { subscriberId: null, nonCustomerId: (await tx.nonCustomer.create({ data: { fullName, documentType, documentNumber, email } })).id };
    const proven = await tx.identityProof.findFirst({ where: { identityId, kind: 'email', value: existing.email.toLowerCase() }, select: { id: true } });
    return { subscriberId: null, nonCustomerId: proven ? existing.id : null };
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
