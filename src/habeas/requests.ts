import { addressKey, type Requester } from '../identity';
import { bogotaDay, owns, ownedBy, PqrActionError, trafficLight, type BusinessCalendar, type Clock, type Notification, type Terms } from '../pqr';
import type { TrafficLight } from '../pqr/terms';
import type { Db, Tx } from '../storage';
import { DATA_REQUEST_TERMS, dataRequestTerm, extendedDueDate, withdrawalDate, WITHDRAWAL_MONTHS, type DataRequestKind } from './terms';

/** What a reclamo asks (Ley 1581 art. 8 and art. 15): update, rectify, delete, or revoke the authorisation. */
export type ReclamoAction = 'actualizar' | 'rectificar' | 'suprimir' | 'revocar';
export const RECLAMO_ACTIONS: readonly ReclamoAction[] = ['actualizar', 'rectificar', 'suprimir', 'revocar'];
export type DataRequestStatus = 'abierta' | 'incompleta' | 'respondida' | 'desistida';
export const OPEN_DATA_REQUEST_STATUSES: readonly DataRequestStatus[] = ['abierta', 'incompleta'];

export interface DataRequestSummary {
  number: string;
  kind: DataRequestKind;
  action: ReclamoAction | null;
  status: DataRequestStatus;
  filedAt: Date;
  dueDate: Date;
  extendedAt: Date | null;
  closedAt: Date | null;
}

/** Everything held about a person, as the consulta answers it and the JSON download carries it. */
export interface DataHeld {
  identity: { channel: string; createdAt: string; lastMessageAt: string | null; locale: string | null; consent: { acceptedAt: string | null; version: string | null; revokedAt: string | null } };
  proofs: { kind: string; value: string; method: string; provenAt: string }[];
  nonCustomerRecords: { fullName: string; documentType: string; documentNumber: string; email: string; createdAt: string }[];
  subscriberRecords: { line: string; brand: string; fullName: string | null; documentType: string | null; documentNumber: string | null }[];
  pqrs: { cun: string; type: string; status: string; filedAt: string; requester: { name: string | null; documentType: string | null; documentNumber: string | null; email: string | null; line: string | null }; notifyChannel: string }[];
  dataRequests: { number: string; kind: string; action: string | null; status: string; filedAt: string }[];
}

const requestNotFound = () => new PqrActionError('not_found', 404, 'No data-protection request with that number');
const iso = (date: Date | null) => date?.toISOString() ?? null;

/**
 * The one owner of DataRequest and DataRequestEvent: data-protection requests (Ley 1581 de 2012
 * arts. 14 and 15) as cases of their own, with their terms on the business calendar, their
 * events, and the notices that tell the person. A deletion it carries out keeps the expediente of
 * every PQR (the retention the law requires) and erases what is not required.
 */
export class DataRequests {
  constructor(
    private readonly prisma: Db,
    private readonly clock: Clock,
    private readonly calendar: BusinessCalendar,
    private readonly terms: Terms,
    private readonly retentionYears: number,
  ) {}

  /** The data held about a verified requester: their identity and only what they have proven. */
  async dataHeld(requester: Requester): Promise<DataHeld> {
    if (requester.identityId === null) throw new PqrActionError('not_verified', 403, 'Not a verified requester');
    const identity = await this.prisma.channelIdentity.findUniqueOrThrow({ where: { id: requester.identityId }, include: { proofs: { orderBy: { id: 'asc' } } } });
    const pqrs = await this.prisma.pqr.findMany({ where: { OR: ownedBy(requester) }, include: { subscriber: true }, orderBy: { filedAt: 'asc' }, take: 200 });
    const nonCustomers = requester.emails.length ? await this.prisma.nonCustomer.findMany({ where: { email: { in: requester.emails } } }) : [];
    const subscribers = requester.lines.length ? await this.prisma.subscriber.findMany({ where: { line: { in: requester.lines } }, include: { brand: { select: { name: true } } } }) : [];
    const requests = await this.prisma.dataRequest.findMany({ where: { identityId: identity.id }, orderBy: { id: 'asc' } });
    return {
      identity: {
        channel: identity.channel,
        createdAt: identity.createdAt.toISOString(),
        lastMessageAt: iso(identity.lastInboundAt),
        locale: identity.locale,
        consent: { acceptedAt: iso(identity.consentAt), version: identity.consentVersion, revokedAt: iso(identity.consentRevokedAt) },
      },
      proofs: identity.proofs.map((p) => ({ kind: p.kind, value: p.value, method: p.method, provenAt: p.provenAt.toISOString() })),
      nonCustomerRecords: nonCustomers.map((n) => ({ fullName: n.fullName, documentType: n.documentType, documentNumber: n.documentNumber, email: n.email, createdAt: n.createdAt.toISOString() })),
      subscriberRecords: subscribers.map((s) => ({ line: s.line, brand: s.brand.name, fullName: s.fullName, documentType: s.documentType, documentNumber: s.documentNumber })),
      pqrs: pqrs
        .filter((p) => owns(p, requester))
        .map((p) => ({
          cun: p.cun,
          type: p.type,
          status: p.status,
          filedAt: p.filedAt.toISOString(),
          requester: { name: p.requesterName, documentType: p.requesterDocumentType, documentNumber: p.requesterDocumentNumber, email: p.requesterEmail, line: p.subscriber?.line ?? null },
          notifyChannel: p.notifyChannel,
        })),
      dataRequests: requests.map((r) => ({ number: r.number, kind: r.kind, action: r.action, status: r.status, filedAt: r.filedAt.toISOString() })),
    };
  }

  /**
   * A consulta the bot answers at once with the data held (art. 14): filed and answered in one
   * transaction, so it is on record with its term even though it closes at once.
   */
  async answerConsulta(requester: Requester): Promise<{ request: DataRequestSummary; data: DataHeld }> {
    const identityId = verifiedIdentity(requester);
    const data = await this.dataHeld(requester);
    const now = this.clock.now();
    const request = await this.prisma.$transaction(async (tx) => {
      const created = await this.create(tx, identityId, 'consulta', null, null, 'respondida', now);
      await tx.dataRequest.update({ where: { id: created.id }, data: { closedAt: now, answerText: 'datos entregados en el chat con descarga JSON' } });
      await event(tx, created.id, now, 'bot', 'respondida', 'datos entregados en el chat con descarga JSON');
      return tx.dataRequest.findUniqueOrThrow({ where: { id: created.id } });
    });
    return { request: summary(request), data };
  }

  /**
   * A reclamo. One of update or rectification without what to change is incomplete: the bot asks
   * for it (`requiredAt`), and the term runs only once it is given. A revocation takes effect at
   * once (the person no longer authorises the processing) and the reclamo stays open for the
   * agent to confirm it.
   */
  async fileReclamo(requester: Requester, action: ReclamoAction, detail: string | null): Promise<DataRequestSummary> {
    const identityId = verifiedIdentity(requester);
    const now = this.clock.now();
    const incomplete = (action === 'actualizar' || action === 'rectificar') && !detail;
    return summary(
      await this.prisma.$transaction(async (tx) => {
        const created = await this.create(tx, identityId, 'reclamo', action, detail, incomplete ? 'incompleta' : 'abierta', now);
        if (incomplete) {
          await tx.dataRequest.update({ where: { id: created.id }, data: { requiredAt: now } });
          await event(tx, created.id, now, 'bot', 'requerida_informacion', `qué dato y cuál es el correcto; desiste el ${withdrawalDate(now).toISOString()}`);
        }
        if (action === 'revocar') {
          await tx.channelIdentity.update({ where: { id: identityId }, data: { consentRevokedAt: now } });
          await event(tx, created.id, now, 'bot', 'autorizacion_revocada', null);
        }
        return tx.dataRequest.findUniqueOrThrow({ where: { id: created.id } });
      }),
    );
  }

  /** What an incomplete reclamo lacked, given by its owner: it is complete, and its term counts from now. */
  async complete(number: string, requester: Requester, detail: string): Promise<DataRequestSummary> {
    const identityId = verifiedIdentity(requester);
    const now = this.clock.now();
    const term = dataRequestTerm('reclamo', now, this.calendar, this.terms);
    return summary(
      await this.prisma.$transaction(async (tx) => {
        const updated = await tx.dataRequest.updateMany({ where: { number, identityId, status: 'incompleta' }, data: { status: 'abierta', detail, countedFrom: term.countedFrom, dueDate: term.dueDate } });
        if (updated.count === 0) throw requestNotFound();
        const row = await tx.dataRequest.findUniqueOrThrow({ where: { number } });
        await event(tx, row.id, now, 'user', 'completada', null);
        return row;
      }),
    );
  }

  /** The open requests of this identity: the chat tells the person which ones run. */
  async openOf(requester: Requester): Promise<DataRequestSummary[]> {
    if (requester.identityId === null) return [];
    const rows = await this.prisma.dataRequest.findMany({ where: { identityId: requester.identityId, status: { in: [...OPEN_DATA_REQUEST_STATUSES] } }, orderBy: { id: 'asc' } });
    return rows.map(summary);
  }

  /** The back office's list: open first, by due date, with the PQR queue's traffic light. */
  async queue(now: Date): Promise<(DataRequestSummary & { light: TrafficLight | null; businessDaysLeft: number | null })[]> {
    const rows = await this.prisma.dataRequest.findMany({ orderBy: [{ dueDate: 'asc' }], take: 500 });
    return rows
      .map((row) => {
        const open = (OPEN_DATA_REQUEST_STATUSES as string[]).includes(row.status);
        return { ...summary(row), light: open ? trafficLight(row.dueDate, now, this.calendar) : null, businessDaysLeft: open ? this.calendar.businessDaysBetween(now, row.dueDate) : null };
      })
      .sort((a, b) => Number(b.light !== null) - Number(a.light !== null));
  }

  async detail(number: string) {
    const row = await this.prisma.dataRequest.findUnique({ where: { number }, include: { events: { orderBy: { id: 'asc' } } } });
    if (!row) throw requestNotFound();
    return { ...summary(row), detail: row.detail, extensionReason: row.extensionReason, requiredAt: row.requiredAt, answerText: row.answerText, events: row.events.map(({ at, actor, action, detail }) => ({ at, actor, action, detail })) };
  }

  /** The one extension the law allows (consulta +5, reclamo +8 business days), with its reason, told to the person. */
  async extend(number: string, reason: string, actor: string): Promise<DataRequestSummary> {
    const now = this.clock.now();
    return summary(
      await this.prisma.$transaction(async (tx) => {
        const row = await tx.dataRequest.findUnique({ where: { number } });
        if (!row) throw requestNotFound();
        if (row.status !== 'abierta') throw new PqrActionError('not_open', 409, `The request is ${row.status}: it cannot be extended`);
        if (row.extendedAt) throw new PqrActionError('already_extended', 409, 'The term was already extended once; the law allows one extension');
        if (now.getTime() > row.dueDate.getTime()) throw new PqrActionError('term_over', 409, 'The term has ended: an extension must be given before it ends');
        const dueDate = extendedDueDate(row.kind as DataRequestKind, row.dueDate, this.calendar);
        const updated = await tx.dataRequest.updateMany({ where: { id: row.id, extendedAt: null }, data: { extendedAt: now, extensionReason: reason, dueDate } });
        if (updated.count === 0) throw new PqrActionError('already_extended', 409, 'The term was already extended once; the law allows one extension');
        await event(tx, row.id, now, actor, 'prorrogada', JSON.stringify({ reason, before: row.dueDate.toISOString(), after: dueDate.toISOString() }));
        await this.notify(tx, row, 'extended', { key: 'habeas.notify.extended', vars: { number: row.number, reason, days: DATA_REQUEST_TERMS[row.kind as DataRequestKind].extensionDays }, dates: { dueDate: dueDate.toISOString() } });
        return tx.dataRequest.findUniqueOrThrow({ where: { id: row.id } });
      }),
    );
  }

  /**
   * The agent's answer closes the request and is sent to the person. Closing a deletion carries
   * it out: the PQRs and their expedientes stay for the retention years; the proofs, codes,
   * unfiled evidence, the non-customer records of the person's proven e-mails and the consent go.
   */
  async close(number: string, text: string, actor: string): Promise<DataRequestSummary & { erased?: Record<string, number>; keptUntil?: string | null }> {
    const now = this.clock.now();
    let erased: Record<string, number> | undefined;
    let keptUntil: string | null | undefined;
    const row = await this.prisma.$transaction(async (tx) => {
      const row = await tx.dataRequest.findUnique({ where: { number } });
      if (!row) throw requestNotFound();
      if (row.status !== 'abierta') throw new PqrActionError('not_open', 409, `The request is ${row.status}: only an open request is closed`);
      const closed = await tx.dataRequest.updateMany({ where: { id: row.id, status: 'abierta' }, data: { status: 'respondida', closedAt: now, answerText: text } });
      if (closed.count === 0) throw new PqrActionError('not_open', 409, 'The request was closed meanwhile');
      // The notice goes before the erasure: it is the answer the law owes, on the chat the request came from.
      await this.notify(tx, row, 'closed', { key: row.action === 'suprimir' ? 'habeas.notify.deleted' : 'habeas.notify.closed', vars: { number: row.number, text } });
      if (row.action === 'suprimir') {
        ({ erased, keptUntil } = await this.erase(tx, row.identityId, now));
        await event(tx, row.id, now, actor, 'suprimida', JSON.stringify({ erased, keptUntil }));
      }
      await event(tx, row.id, now, actor, 'respondida', null);
      return tx.dataRequest.findUniqueOrThrow({ where: { id: row.id } });
    });
    return { ...summary(row), ...(erased ? { erased, keptUntil } : {}) };
  }

  /** Art. 15: incomplete reclamos whose two months passed without what was asked are withdrawn (for the scheduler's tick). */
  async withdrawStale(): Promise<number> {
    const now = this.clock.now();
    const candidates = await this.prisma.dataRequest.findMany({ where: { status: 'incompleta', requiredAt: { not: null } }, select: { id: true, requiredAt: true } });
    let count = 0;
    for (const candidate of candidates) {
      if (withdrawalDate(candidate.requiredAt!).getTime() > now.getTime()) continue;
      await this.prisma.$transaction(async (tx) => {
        const updated = await tx.dataRequest.updateMany({ where: { id: candidate.id, status: 'incompleta' }, data: { status: 'desistida', closedAt: now } });
        if (updated.count === 0) return;
        const row = await tx.dataRequest.findUniqueOrThrow({ where: { id: candidate.id } });
        await event(tx, row.id, now, 'system:scheduler', 'desistida', `sin la información requerida en ${WITHDRAWAL_MONTHS} meses`);
        await this.notify(tx, row, 'withdrawn', { key: 'habeas.notify.withdrawn', vars: { number: row.number, months: WITHDRAWAL_MONTHS } });
        count += 1;
      });
    }
    return count;
  }

  /** The requester of a request's identity, to check that a download is theirs. */
  async ownerOf(number: string): Promise<{ identityId: number } | null> {
    return this.prisma.dataRequest.findUnique({ where: { number }, select: { identityId: true } });
  }

  /** What the law lets go, and the last day the expedientes that must stay are kept. */
  private async erase(tx: Tx, identityId: number, now: Date): Promise<{ erased: Record<string, number>; keptUntil: string | null }> {
    const proofs = await tx.identityProof.findMany({ where: { identityId } });
    const emails = proofs.filter((p) => p.kind === 'email').map((p) => p.value);
    const lines = proofs.filter((p) => p.kind === 'line').map((p) => p.value);
    const nonCustomers = emails.length ? await tx.nonCustomer.findMany({ where: { email: { in: emails } }, select: { id: true } }) : [];
    const ids = nonCustomers.map((n) => n.id);
    // The PQR keeps the requester's data as given when filing (the expediente); only the pointer to the record goes.
    if (ids.length) await tx.pqr.updateMany({ where: { nonCustomerId: { in: ids } }, data: { nonCustomerId: null } });
    const erased = {
      nonCustomerRecords: ids.length ? (await tx.nonCustomer.deleteMany({ where: { id: { in: ids } } })).count : 0,
      proofs: (await tx.identityProof.deleteMany({ where: { identityId } })).count,
      codes: (await tx.verificationCode.deleteMany({ where: { identityId } })).count,
      unfiledEvidence: (await tx.attachment.deleteMany({ where: { identityId, pqrId: null } })).count,
    };
    const identity = await tx.channelIdentity.update({ where: { id: identityId }, data: { locale: null, consentAt: null, consentVersion: null, consentRevokedAt: now }, select: { channel: true, userId: true, conversationRef: true } });
    const kept = await tx.pqr.findFirst({
      where: { OR: [{ identityId }, ...(emails.length ? [{ requesterEmail: { in: emails } }] : []), ...(lines.length ? [{ subscriber: { line: { in: lines } } }] : [])] },
      orderBy: { filedAt: 'desc' },
      select: { filedAt: true, closedAt: true },
    });
    Object.assign(erased, await eraseConversations(tx, identity, !kept));
    const from = kept ? (kept.closedAt ?? now) : null;
    const keptUntil = from ? new Date(Date.UTC(from.getUTCFullYear() + this.retentionYears, from.getUTCMonth(), from.getUTCDate())).toISOString().slice(0, 10) : null;
    return { erased, keptUntil };
  }

  private async create(tx: Tx, identityId: number, kind: DataRequestKind, action: ReclamoAction | null, detail: string | null, status: DataRequestStatus, now: Date) {
    const term = dataRequestTerm(kind, now, this.calendar, this.terms);
    // Numbered from the row's id (the number needs the id, so the row is created with a unique
    // placeholder and renamed in the same transaction): unique across instances without a counter.
    const placeholder = `HD-pending-${identityId}-${now.getTime()}-${Math.random().toString(36).slice(2)}`;
    const created = await tx.dataRequest.create({ data: { number: placeholder, kind, action, identityId, detail, status, filedAt: now, countedFrom: term.countedFrom, dueDate: term.dueDate } });
    const number = `HD-${bogotaDay(now).slice(0, 4)}-${String(created.id).padStart(6, '0')}`;
    await tx.dataRequest.update({ where: { id: created.id }, data: { number } });
    await event(tx, created.id, now, 'user', 'radicada', JSON.stringify({ kind, action, dueDate: term.dueDate.toISOString() }));
    return { ...created, number };
  }

  /** A notice to the chat the request came from, through the outbox (one per request and step). */
  private async notify(tx: Tx, row: { id: number; number: string; identityId: number }, step: string, notification: Notification): Promise<void> {
    const identity = await tx.channelIdentity.findUniqueOrThrow({ where: { id: row.identityId } });
    await tx.outbox.create({
      data: {
        channel: identity.channel,
        conversationKey: addressKey({ channel: identity.channel, userId: identity.userId }),
        kind: 'notification',
        payload: JSON.stringify(notification),
        idempotencyKey: `${row.number}:${step}`,
      },
    });
  }
}

/**
 * The bot's memory of the person's chats (dialog state, their last messages kept for an agent's
 * summary, their language) always goes. The transcripts (web chat activities, the messages
 * recorded from WhatsApp and Telegram) are part of a PQR's expediente, so they go only when the
 * person has no PQR to keep; otherwise they stay for the retention period with the rest of it.
 */
async function eraseConversations(tx: Tx, identity: { channel: string; userId: string; conversationRef: string | null }, transcripts: boolean): Promise<Record<string, number>> {
  // Bot Framework's state keys use the activity's channel id: `emulator`, not `botframework:emulator`.
  const channelId = identity.channel.replace(/^botframework:/, '');
  const webchat = identity.channel === 'webchat' ? (await tx.directLineConversation.findMany({ where: { userId: identity.userId }, select: { id: true } })).map((c) => c.id) : [];
  const referenced = referencedConversation(identity.conversationRef);
  const conversations = [...new Set([...webchat, ...(referenced ? [referenced] : []), ...(identity.channel === 'webchat' ? [] : [identity.userId])])];
  const prefixes = [`${channelId}/users/${identity.userId}/`, ...conversations.map((id) => `${channelId}/conversations/${id}/`)];
  const erased: Record<string, number> = {
    botState: (await tx.botState.deleteMany({ where: { OR: prefixes.map((prefix) => ({ key: { startsWith: prefix } })) } })).count,
  };
  if (!transcripts) return erased;
  erased.webChatActivities = webchat.length ? (await tx.directLineActivity.deleteMany({ where: { conversationId: { in: webchat } } })).count : 0;
  // Only what was processed: a message still waiting for its turn is answered first.
  erased.inboundMessages =
    identity.channel === 'webchat'
      ? 0
      : (await tx.inboundMessage.deleteMany({ where: { channel: identity.channel, conversationKey: { in: conversations }, processedAt: { not: null } } })).count;
  return erased;
}

function referencedConversation(reference: string | null): string | null {
  if (!reference) return null;
  try {
    const id = (JSON.parse(reference) as { conversation?: { id?: unknown } }).conversation?.id;
    return typeof id === 'string' && id ? id : null;
  } catch {
    return null;
  }
}

function verifiedIdentity(requester: Requester): number {
  if (requester.identityId === null || (!requester.lines.length && !requester.emails.length)) throw new PqrActionError('not_verified', 403, 'Not a verified requester');
  return requester.identityId;
}

async function event(tx: Tx, requestId: number, at: Date, actor: string, action: string, detail: string | null): Promise<void> {
  await tx.dataRequestEvent.create({ data: { requestId, at, actor, action, detail } });
}

function summary(row: { number: string; kind: string; action: string | null; status: string; filedAt: Date; dueDate: Date; extendedAt: Date | null; closedAt: Date | null }): DataRequestSummary {
  return { number: row.number, kind: row.kind as DataRequestKind, action: row.action as ReclamoAction | null, status: row.status as DataRequestStatus, filedAt: row.filedAt, dueDate: row.dueDate, extendedAt: row.extendedAt, closedAt: row.closedAt };
}
