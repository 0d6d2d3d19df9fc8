import { isOverdue, normalizeCun, silenceEffectDeadline, trafficLight, type BusinessCalendar, type PqrLifecycle, type PqrStatus, type PqrType, type Terms } from '../pqr';
import type { Db } from '../storage';

type TrafficLight = ReturnType<typeof trafficLight>;

export interface QueueFilters {
  status?: PqrStatus[];
  type?: PqrType;
  brand?: string;
  channel?: string;
  overdue?: boolean;
  page: number;
  pageSize: number;
}

export interface QueueItem {
  cun: string;
  type: string;
  status: string;
  channel: string;
  brand: string | null;
  brandName: string | null;
  filedAt: Date;
  dueDate: Date;
  /** The deadline of the step the operator owes now (answer, decision, traslado); null when none. */
  deadline: Date | null;
  overdue: boolean;
  /** Traffic light of `deadline`; null when the operator owes nothing. */
  light: TrafficLight | null;
}

interface DeadlineFields {
  status: string;
  dueDate: Date;
  notifiedAt: Date | null;
  vencida: boolean;
  recursoDueDate: Date | null;
  decisionNotifiedAt: Date | null;
  recursoVencida: boolean;
  sicDueDate: Date | null;
  trasladadaAt: Date | null;
}

/** What the operator owes next, and by when: each status has its own term. */
export function pendingDeadline(pqr: DeadlineFields): Date | null {
  switch (pqr.status) {
    case 'radicada':
    case 'en_tramite':
      return pqr.dueDate;
    case 'respondida':
      // The term covers notifying the answer, not only writing it.
      return pqr.notifiedAt ? null : pqr.dueDate;
    case 'recurso_interpuesto':
      return pqr.recursoDueDate;
    case 'reposicion_decidida':
      // As for the answer, the reposición's term covers notifying the decision.
      if (!pqr.decisionNotifiedAt && pqr.recursoDueDate) return pqr.recursoDueDate;
      return pqr.sicDueDate && !pqr.trasladadaAt ? pqr.sicDueDate : null;
    default:
      return null;
  }
}

function timing(pqr: DeadlineFields, now: Date, calendar: BusinessCalendar) {
  const deadline = pendingDeadline(pqr);
  const reposicionLapsed = pqr.recursoDueDate !== null && isOverdue({ dueDate: pqr.recursoDueDate, notifiedAt: pqr.decisionNotifiedAt }, now);
  const overdue = pqr.vencida || pqr.recursoVencida || isOverdue(pqr, now) || reposicionLapsed || (deadline !== null && now > deadline);
  return { deadline, overdue, light: deadline ? trafficLight(deadline, now, calendar) : null };
}

/** Reads cases for the agents: the queue, one case with everything about it, the expediente. */
export class CaseQueries {
  constructor(
    private readonly prisma: Db,
    private readonly calendar: BusinessCalendar,
    private readonly lifecycle: PqrLifecycle,
    private readonly terms: Terms,
  ) {}

  /**
   * The queue, most urgent first. The sort key is the pending step's deadline, a different column
   * per status, so it is computed here: the first query reads only the few date columns of the
   * matching cases, and full rows are read for one page.
   */
  async queue(filters: QueueFilters, now: Date): Promise<{ items: QueueItem[]; total: number }> {
    const where = {
      ...(filters.status ? { status: { in: filters.status } } : {}),
      ...(filters.type ? { type: filters.type } : {}),
      ...(filters.brand ? { brandId: filters.brand } : {}),
      ...(filters.channel ? { entryChannel: filters.channel } : {}),
    };
    const keys = await this.prisma.pqr.findMany({
      where,
      select: { id: true, status: true, dueDate: true, notifiedAt: true, vencida: true, recursoDueDate: true, decisionNotifiedAt: true, recursoVencida: true, sicDueDate: true, trasladadaAt: true },
    });
    const ranked = keys
      .map((key) => ({ id: key.id, dueDate: key.dueDate, ...timing(key, now, this.calendar) }))
      .filter((key) => filters.overdue === undefined || key.overdue === filters.overdue)
      .sort((a, b) => {
        // Cases with nothing owed go last; among the rest, the nearest deadline first.
        if (!a.deadline !== !b.deadline) return a.deadline ? -1 : 1;
        const byDate = (a.deadline ?? a.dueDate).getTime() - (b.deadline ?? b.dueDate).getTime();
        return byDate || a.id - b.id;
      });
    const page = ranked.slice((filters.page - 1) * filters.pageSize, filters.page * filters.pageSize);
    const rows = await this.prisma.pqr.findMany({ where: { id: { in: page.map((p) => p.id) } }, include: { brand: { select: { name: true } } } });
    const byId = new Map(rows.map((row) => [row.id, row]));
    const items = page.flatMap(({ id, deadline, overdue, light }) => {
      const row = byId.get(id);
      if (!row) return [];
      const item: QueueItem = {
        cun: row.cun,
        type: row.type,
        status: row.status,
        channel: row.entryChannel,
        brand: row.brandId,
        brandName: row.brand?.name ?? null,
        filedAt: row.filedAt,
        dueDate: row.dueDate,
        deadline,
        overdue,
        light,
      };
      return [item];
    });
    return { items, total: ranked.length };
  }

  /** One case as agents see it, or null for an unknown or malformed CUN. */
  async case(cunInput: string, now: Date) {
    const cun = normalizeCun(cunInput);
    if (!cun) return null;
    const pqr = await this.prisma.pqr.findUnique({
      where: { cun },
      include: {
        brand: true,
        subscriber: { include: { brand: { select: { name: true } } } },
        identity: true,
        events: { orderBy: { seq: 'asc' } },
        attachments: { select: { id: true, kind: true, mimeType: true, fileName: true, size: true, sha256: true, createdAt: true }, orderBy: { id: 'asc' } },
      },
    });
    if (!pqr) return null;
    const notifications = await this.prisma.outbox.findMany({
      where: { pqrId: pqr.id },
      orderBy: { id: 'asc' },
      select: { channel: true, kind: true, payload: true, status: true, createdAt: true, sentAt: true, deliveredAt: true, readAt: true },
    });
    const { deadline, overdue, light } = timing(pqr, now, this.calendar);
    const owner = pqr.subscriber
      ? {
          kind: 'subscriber' as const,
          brand: pqr.subscriber.brand.name,
          line: pqr.subscriber.line,
          fullName: pqr.subscriber.fullName,
          documentType: pqr.subscriber.documentType,
          documentNumber: pqr.subscriber.documentNumber,
        }
      : pqr.requesterDocumentNumber
        ? {
            // As the requester gave them when filing this PQR, never rewritten by another filing.
            kind: 'non_customer' as const,
            fullName: pqr.requesterName,
            documentType: pqr.requesterDocumentType,
            documentNumber: pqr.requesterDocumentNumber,
            email: pqr.requesterEmail,
            mismatches: await this.requesterMismatches(pqr),
          }
        : null;
    return {
      cun: pqr.cun,
      type: pqr.type,
      status: pqr.status,
      description: pqr.description,
      channel: pqr.entryChannel,
      brand: pqr.brandId,
      brandName: pqr.brand?.name ?? null,
      notifyChannel: pqr.notifyChannel,
      notifyAddress: pqr.notifyAddress,
      owner,
      filedAt: pqr.filedAt,
      overdue,
      light,
      vencida: pqr.vencida,
      deadlines: {
        current: deadline,
        countedFrom: pqr.countedFrom,
        dueDate: pqr.dueDate,
        recursoDeadline: this.lifecycle.recursoDeadlineOf(pqr),
        recursoDueDate: pqr.recursoDueDate,
        sicDueDate: pqr.sicDueDate,
        silenceEffectBy: pqr.vencidaAt ? silenceEffectDeadline(pqr.vencidaAt, this.terms) : null,
        recursoSilenceEffectBy: pqr.recursoVencidaAt ? silenceEffectDeadline(pqr.recursoVencidaAt, this.terms) : null,
      },
      answer: pqr.answeredAt ? { text: pqr.answerText, outcome: pqr.answerOutcome, answeredAt: pqr.answeredAt, notifiedAt: pqr.notifiedAt } : null,
      recurso: pqr.recursoFiledAt ? { kind: pqr.recursoKind, text: pqr.recursoText, filedAt: pqr.recursoFiledAt } : null,
      decision: pqr.decidedAt ? { text: pqr.decisionText, outcome: pqr.decisionOutcome, decidedAt: pqr.decidedAt, notifiedAt: pqr.decisionNotifiedAt } : null,
      trasladadaAt: pqr.trasladadaAt,
      closedAt: pqr.closedAt,
      vencidaAt: pqr.vencidaAt,
      recursoVencida: pqr.recursoVencida,
      recursoVencidaAt: pqr.recursoVencidaAt,
      actions: {
        answer: pqr.status === 'radicada' || pqr.status === 'en_tramite',
        decideRecurso: pqr.status === 'recurso_interpuesto',
        traslado: pqr.status === 'reposicion_decidida' && !!pqr.sicDueDate,
      },
      events: pqr.events.map((e) => ({ seq: e.seq, at: e.at, actor: e.actor, action: e.action, before: parseJson(e.before), after: parseJson(e.after), hash: e.hash })),
      attachments: pqr.attachments,
      notifications: notifications.map(({ payload, ...n }) => ({ ...n, key: notificationKey(payload) })),
      conversation: pqr.identity ? await this.conversation(pqr.identity.channel, pqr.identity.userId) : [],
    };
  }

  /**
   * Where the same document was given with another name or e-mail: the record on file and other
   * PQRs. Never merged: the agent sees the difference and decides.
   */
  private async requesterMismatches(pqr: { id: number; requesterName: string | null; requesterDocumentType: string | null; requesterDocumentNumber: string | null; requesterEmail: string | null }) {
    const document = { documentType: pqr.requesterDocumentType ?? '', documentNumber: pqr.requesterDocumentNumber ?? '' };
    const differs = (other: { fullName: string | null; email: string | null }) =>
      [
        ...(fold(other.fullName) !== fold(pqr.requesterName) ? ['fullName' as const] : []),
        ...(fold(other.email) !== fold(pqr.requesterEmail) ? ['email' as const] : []),
      ];
    const onFile = await this.prisma.nonCustomer.findUnique({ where: { documentType_documentNumber: document } });
    const others = await this.prisma.pqr.findMany({
      where: { id: { not: pqr.id }, requesterDocumentType: document.documentType, requesterDocumentNumber: document.documentNumber },
      select: { cun: true, requesterName: true, requesterEmail: true },
      orderBy: { filedAt: 'asc' },
      take: 20,
    });
    return [
      ...(onFile && differs(onFile).length ? [{ source: 'record' as const, cun: null, fullName: onFile.fullName, email: onFile.email, fields: differs(onFile) }] : []),
      ...others.flatMap((other) => {
        const fields = differs({ fullName: other.requesterName, email: other.requesterEmail });
        return fields.length ? [{ source: 'pqr' as const, cun: other.cun, fullName: other.requesterName, email: other.requesterEmail, fields }] : [];
      }),
    ];
  }

  /** Evidence of one case, by id: only an attachment that belongs to that case. */
  async attachment(cunInput: string, id: number) {
    const cun = normalizeCun(cunInput);
    if (!cun || !Number.isSafeInteger(id)) return null;
    return this.prisma.attachment.findFirst({ where: { id, pqr: { cun } }, select: { mimeType: true, fileName: true, data: true, sha256: true } });
  }

  /**
   * The latest messages between the bot and the case's channel identity: both sides on web chat
   * (its activity stream is stored), the user's side on webhook channels (their inbound log).
   */
  private async conversation(channel: string, userId: string, limit = 200): Promise<ConversationMessage[]> {
    if (channel === 'webchat') {
      const rows = await this.prisma.directLineActivity.findMany({
        where: { conversation: { userId } },
        orderBy: [{ createdAt: 'desc' }, { seq: 'desc' }],
        take: limit,
        select: { activity: true },
      });
      return rows.flatMap(({ activity }) => webChatMessage(activity)).reverse();
    }
    const rows = await this.prisma.inboundMessage.findMany({
      where: { channel, conversationKey: userId },
      orderBy: { id: 'desc' },
      take: limit,
      select: { payload: true, receivedAt: true },
    });
    return rows.flatMap(({ payload, receivedAt }) => {
      const text = inboundText(parseJson(payload));
      return text ? [{ at: receivedAt, from: 'user' as const, text }] : [];
    }).reverse();
  }
}

export interface ConversationMessage {
  at: Date | string;
  from: 'user' | 'bot';
  text: string;
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function notificationKey(payload: string): string | null {
  const parsed = parseJson(payload);
  return isRecord(parsed) && typeof parsed.key === 'string' ? parsed.key : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function webChatMessage(json: string): ConversationMessage[] {
  const activity = parseJson(json);
  if (!isRecord(activity) || activity.type !== 'message' || typeof activity.text !== 'string' || !activity.text) return [];
  const from = isRecord(activity.from) && activity.from.role === 'user' ? 'user' : 'bot';
  return [{ at: typeof activity.timestamp === 'string' ? activity.timestamp : '', from, text: activity.text }];
}

/** The text a user sent, from a recorded webhook payload (WhatsApp's or Telegram's shape). */
function inboundText(payload: unknown): string | null {
  if (!isRecord(payload)) return null;
  const message = isRecord(payload.message) ? payload.message : null;
  if (!message) return isRecord(payload.callback_query) && typeof payload.callback_query.data === 'string' ? payload.callback_query.data : null;
  if (typeof message.text === 'string') return message.text;
  if (isRecord(message.text) && typeof message.text.body === 'string') return message.text.body;
  const interactive = isRecord(message.interactive) ? message.interactive : null;
  for (const reply of [interactive?.button_reply, interactive?.list_reply]) {
    if (isRecord(reply) && typeof reply.title === 'string') return reply.title;
  }
  if (isRecord(message.button) && typeof message.button.text === 'string') return message.button.text;
  if (typeof message.caption === 'string') return message.caption;
  return typeof message.type === 'string' ? `[${message.type}]` : null;
}

/** Names and e-mails compared as people type them: case, accents and spacing do not make a mismatch. */
function fold(value: string | null): string {
  return (value ?? '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/\s+/g, ' ').trim();
}
