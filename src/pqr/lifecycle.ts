import { createHash } from 'node:crypto';
import type { Db, Tx } from '../storage';
import type { BusinessCalendar } from './calendar';
import type { Clock } from './clock';
import { normalizeCun } from './cun';
import type { Requester } from '../identity';
import { appendEvent, claimEvidence, owns } from './service';
import { assertTransition, type PqrStatus } from './states';
import { isOverdue, recursoDeadline, reposicionDueDate, sicTransferDueDate, silenceEffectDeadline, type Terms } from './terms';

export type AnswerOutcome = 'favorable' | 'parcial' | 'desfavorable';
export const ANSWER_OUTCOMES: readonly AnswerOutcome[] = ['favorable', 'parcial', 'desfavorable'];
export type RecursoKind = 'reposicion' | 'reposicion_apelacion';
export const RECURSO_KINDS: readonly RecursoKind[] = ['reposicion', 'reposicion_apelacion'];
export type DecisionOutcome = 'repone' | 'confirma';
export const DECISION_OUTCOMES: readonly DecisionOutcome[] = ['repone', 'confirma'];

/** Base of the errors an action on a PQR can give; `status` is the HTTP status it maps to. */
export class PqrActionError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = () => new PqrActionError('not_found', 404, 'No PQR with that CUN');

/** Who acts: an agent (`agent:<id>`), the user (`user:<channel>`) or the system (`system:scheduler`). */
export type Actor = string;

/**
 * A message for the user about their PQR, queued in the outbox in the same transaction as the
 * change it reports. Texts are rendered at delivery, in the user's language, from `key`.
 */
export interface Notification {
  key: string;
  vars: Record<string, string | number>;
  /** Instants (ISO) shown to the user, formatted at delivery in their language. */
  dates?: Record<string, string>;
}

/**
 * The operator's decisions that must reach the user, each with its own term and proof: the
 * answer to the PQR and the decision of the recurso de reposición.
 */
export type NotifiedAct = 'respuesta' | 'decision';

/** The message that carries each decision; its delivery is the act's proof of notification. */
const ACT_OF_KEY: Readonly<Record<string, NotifiedAct>> = {
  'notify.answer': 'respuesta',
  'notify.decision': 'decision',
  'notify.decision.toSic': 'decision',
};

/** Which decision an outbox message carries, if any. */
export function actOfNotificationKey(key: string | undefined): NotifiedAct | undefined {
  return key === undefined ? undefined : ACT_OF_KEY[key];
}

/**
 * How long after a term's end a delivery receipt for a message sent before it may still arrive
 * (WhatsApp posts statuses seconds after delivery, later when its webhook calls are retried).
 */
const RECEIPT_GRACE_MS = 15 * 60_000;

/** The most of a user's message the expediente keeps as evidence of notification by conduct. */
const CONDUCT_EVIDENCE_CHARS = 2000;

/** How a proof of notification came about; `conducta` and `aviso` are recorded as their own kinds of event. */
export type NotificationProof = Record<string, unknown> & { by?: string };

type PqrRow = NonNullable<Awaited<ReturnType<Db['pqr']['findUnique']>>>;

/**
 * What happens to a PQR after filing: the agent's answer, silencio administrativo positivo, the
 * user's recurso de reposición (y en subsidio apelación), its decision and the traslado to the
 * SIC. Each action is one transaction: the status change, its expediente event and the
 * notification to the user commit together or not at all.
 */
export class PqrLifecycle {
  constructor(
    private readonly prisma: Db,
    private readonly clock: Clock,
    private readonly calendar: BusinessCalendar,
    private readonly terms: Terms,
  ) {}

  async answer(cunInput: string, input: { text: string; outcome: string }, actor: Actor): Promise<PqrRow> {
    const text = requireText(input.text);
    if (!ANSWER_OUTCOMES.includes(input.outcome as AnswerOutcome)) throw new PqrActionError('invalid_outcome', 400, `outcome must be one of ${ANSWER_OUTCOMES.join(', ')}`);
    return this.act(cunInput, 'respondida', actor, (pqr, now) => ({
      data: { status: 'respondida', answeredAt: now, answerText: text, answerOutcome: input.outcome },
      notification: { key: 'notify.answer', vars: { cun: pqr.cun, outcome: input.outcome, text } },
    }));
  }

  /**
   * The proof that a decision reached the user: the answer (the recurso term counts from here)
   * or the decision of the recurso. The first proof wins; later ones change nothing.
   */
  async markNotified(pqrId: number, at: Date, proof: NotificationProof, act: NotifiedAct = 'respuesta'): Promise<boolean> {
    return this.prisma.$transaction((tx) => recordNotification(tx, pqrId, act, at, proof));
  }

  /**
   * Notificación por conducta concluyente (CPACA art. 72): the owner replied to a decision not
   * yet proven delivered, or filed a recurso against it, so they know it and are notified from
   * that moment. Their message is the evidence, kept in the expediente (never in logs).
   * Returns the PQR as it is now, or null for an unknown CUN.
   */
  async notifyByConduct(cunInput: string, requester: Requester, message: { text: string; id?: string }): Promise<PqrRow | null> {
    const cun = normalizeCun(cunInput);
    if (!cun) return null;
    const now = this.clock.now();
    return this.prisma.$transaction(async (tx) => {
      const pqr = await tx.pqr.findUnique({ where: { cun }, include: { subscriber: { select: { line: true } } } });
      // Only the owner's conduct notifies: a stranger's message must not start the owner's terms.
      if (!pqr || !owns(pqr, requester)) return null;
      const act: NotifiedAct | null = pqr.answeredAt && !pqr.notifiedAt ? 'respuesta' : pqr.decidedAt && !pqr.decisionNotifiedAt ? 'decision' : null;
      if (!act) return pqr;
      const text = message.text.slice(0, CONDUCT_EVIDENCE_CHARS);
      await recordNotification(tx, pqr.id, act, now, {
        by: 'conducta',
        channel: requester.address.channel,
        messageId: message.id ?? null,
        text,
        sha256: createHash('sha256').update(message.text, 'utf8').digest('hex'),
      });
      return tx.pqr.findUniqueOrThrow({ where: { id: pqr.id } });
    });
  }

  /** The last day to file a recurso, or null while the answer has not been notified. */
  recursoDeadlineOf(pqr: { notifiedAt: Date | null }): Date | null {
    return pqr.notifiedAt ? recursoDeadline(pqr.notifiedAt, this.calendar, this.terms) : null;
  }

  /** Only the PQR's owner (see `owns`) may file its recurso. */
  async fileRecurso(cunInput: string, requester: Requester, input: { kind: RecursoKind; text: string }): Promise<PqrRow> {
    const text = requireText(input.text);
    if (!RECURSO_KINDS.includes(input.kind)) throw new PqrActionError('invalid_kind', 400, `kind must be one of ${RECURSO_KINDS.join(', ')}`);
    const cun = normalizeCun(cunInput);
    const target = cun ? await this.prisma.pqr.findUnique({ where: { cun }, include: { subscriber: { select: { line: true } } } }) : null;
    if (!target || !owns(target, requester)) throw notFound();
    // Filing a recurso against an answer shows the user knows it: notification by conduct.
    await this.notifyByConduct(cunInput, requester, { text });
    return this.act(
      cunInput,
      'recurso_interpuesto',
      `user:${requester.address.channel}`,
      (pqr, now) => {
        const deadline = this.recursoDeadlineOf(pqr);
        if (!deadline) throw new PqrActionError('not_notified', 409, 'The answer has not been notified yet');
        if (now > deadline) throw new PqrActionError('recurso_out_of_term', 409, 'The term to file a recurso has passed');
        return {
          data: { status: 'recurso_interpuesto', recursoKind: input.kind, recursoText: text, recursoFiledAt: now, recursoDueDate: reposicionDueDate(now, this.calendar, this.terms) },
          notification: null,
        };
      },
      // Files sent while stating the reasons are evidence of the recurso.
      async (tx, pqr) => {
        return { evidence: requester.identityId !== null ? await claimEvidence(tx, requester.identityId, pqr.id) : [] };
      },
    );
  }

  async decideRecurso(cunInput: string, input: { text: string; outcome: string }, actor: Actor): Promise<PqrRow> {
    const text = requireText(input.text);
    if (!DECISION_OUTCOMES.includes(input.outcome as DecisionOutcome)) throw new PqrActionError('invalid_outcome', 400, `outcome must be one of ${DECISION_OUTCOMES.join(', ')}`);
    return this.act(cunInput, 'reposicion_decidida', actor, (pqr, now) => {
      const toSic = input.outcome === 'confirma' && pqr.recursoKind === 'reposicion_apelacion';
      return {
        data: { status: 'reposicion_decidida', decisionText: text, decisionOutcome: input.outcome, decidedAt: now, sicDueDate: toSic ? sicTransferDueDate(now, this.calendar, this.terms) : null },
        notification: { key: toSic ? 'notify.decision.toSic' : 'notify.decision', vars: { cun: pqr.cun, outcome: input.outcome, text } },
      };
    });
  }

  async transferToSic(cunInput: string, actor: Actor): Promise<PqrRow> {
    return this.act(cunInput, 'trasladada_sic', actor, (pqr, now) => {
      if (!pqr.sicDueDate) throw new PqrActionError('no_apelacion', 409, 'Only a confirmed denial with apelación en subsidio goes to the SIC');
      return { data: { status: 'trasladada_sic', trasladadaAt: now }, notification: { key: 'notify.sic', vars: { cun: pqr.cun } } };
    });
  }

  /**
   * Silencio administrativo positivo, by the one rule (`isOverdue`) for both terms the operator
   * owes: the answer (dueDate, notifiedAt) and the decision of a recurso (recursoDueDate,
   * decisionNotifiedAt). A term is flagged once, with the moment it lapsed (its end) and the
   * 72 hours to give effect counted from there, however late this runs. Safe on several
   * instances: the flag is set with a conditional update, so only the instance that flips it
   * writes the event and the notice.
   */
  async markOverdue(): Promise<string[]> {
    const now = this.clock.now();
    const fields = this.prisma.pqr.fields;
    const answers = await this.prisma.pqr.findMany({
      where: { vencida: false, dueDate: { lt: now }, OR: [{ notifiedAt: null }, { notifiedAt: { gt: fields.dueDate } }] },
      select: { id: true, dueDate: true, notifiedAt: true },
      take: 500,
    });
    const decisions = await this.prisma.pqr.findMany({
      where: { recursoVencida: false, recursoDueDate: { lt: now }, OR: [{ decisionNotifiedAt: null }, { decisionNotifiedAt: { gt: fields.recursoDueDate } }] },
      select: { id: true, recursoDueDate: true, decisionNotifiedAt: true },
      take: 500,
    });
    const lapsed = [
      ...answers.map((p) => ({ id: p.id, term: 'respuesta' as const, dueDate: p.dueDate, notifiedAt: p.notifiedAt })),
      ...decisions.map((p) => ({ id: p.id, term: 'reposicion' as const, dueDate: p.recursoDueDate!, notifiedAt: p.decisionNotifiedAt })),
    ].filter((term) => isOverdue(term, now));
    const flagged: string[] = [];
    for (const term of await this.withoutProofOnItsWay(lapsed, now)) {
      const cun = await this.prisma.$transaction(async (tx) => {
        const answer = term.term === 'respuesta';
        const flipped = answer
          ? await tx.pqr.updateMany({ where: { id: term.id, vencida: false }, data: { vencida: true, vencidaAt: term.dueDate } })
          : await tx.pqr.updateMany({ where: { id: term.id, recursoVencida: false }, data: { recursoVencida: true, recursoVencidaAt: term.dueDate } });
        if (flipped.count === 0) return null;
        const pqr = await tx.pqr.findUniqueOrThrow({ where: { id: term.id } });
        const effectBy = silenceEffectDeadline(term.dueDate, this.terms);
        await appendEvent(tx, term.id, {
          at: now,
          actor: 'system:scheduler',
          action: answer ? 'vencida' : 'recurso_vencido',
          before: answer ? { vencida: false } : { recursoVencida: false },
          after: { term: term.term, dueDate: term.dueDate.toISOString(), notifiedAt: term.notifiedAt?.toISOString() ?? null, effectBy: effectBy.toISOString() },
        });
        await queueNotification(tx, pqr, answer ? 'vencida' : 'recurso_vencido', {
          key: answer ? 'notify.silence' : 'notify.silence.recurso',
          vars: { cun: pqr.cun, hours: this.terms.silenceEffectHours },
          dates: { effectBy: effectBy.toISOString() },
        });
        return pqr.cun;
      });
      if (cun) flagged.push(cun);
    }
    return flagged;
  }

  /**
   * Closes the cases whose decision is final (en firme, CPACA art. 87): an answer notified whose
   * term for a recurso ended with none filed, and a reposición decided and notified that leaves
   * nothing to send to the SIC (it granted the recurso, or no apelación was asked for). A case
   * sent to the SIC stays open: the SIC decides it. Like `markOverdue`, each case is flipped with
   * a conditional update, so one instance writes its event however many run at once; nothing is
   * sent to the user (the notification of the decision told them the term). Returns the CUNs.
   */
  async closeFinal(): Promise<string[]> {
    const now = this.clock.now();
    // Ten business days are never fewer than ten calendar days: an index-friendly lower bound.
    const earliest = new Date(now.getTime() - this.terms.recursoDays * 86_400_000);
    const answered = await this.prisma.pqr.findMany({
      where: { status: 'respondida', notifiedAt: { not: null, lt: earliest } },
      select: { id: true, notifiedAt: true },
      take: 500,
    });
    const decided = await this.prisma.pqr.findMany({
      where: { status: 'reposicion_decidida', decisionNotifiedAt: { not: null }, sicDueDate: null },
      select: { id: true, decisionNotifiedAt: true },
      take: 500,
    });
    const final = [
      ...answered
        .map((p) => ({ id: p.id, from: 'respondida' as const, reason: 'sin_recurso', deadline: recursoDeadline(p.notifiedAt!, this.calendar, this.terms) }))
        .filter((p) => p.deadline < now),
      ...decided.map((p) => ({ id: p.id, from: 'reposicion_decidida' as const, reason: 'recurso_decidido', deadline: p.decisionNotifiedAt! })),
    ];
    const closed: string[] = [];
    for (const pqr of final) {
      const cun = await this.prisma.$transaction(async (tx) => {
        assertTransition(pqr.from, 'cerrada');
        const flipped = await tx.pqr.updateMany({ where: { id: pqr.id, status: pqr.from }, data: { status: 'cerrada', closedAt: pqr.deadline } });
        if (flipped.count === 0) return null;
        const row = await tx.pqr.findUniqueOrThrow({ where: { id: pqr.id }, select: { cun: true } });
        await appendEvent(tx, pqr.id, {
          at: now,
          actor: 'system:scheduler',
          action: 'cerrada',
          before: { status: pqr.from },
          after: { status: 'cerrada', reason: pqr.reason, finalSince: pqr.deadline.toISOString() },
        });
        return row.cun;
      });
      if (cun) closed.push(cun);
    }
    return closed;
  }

  /**
   * Leaves out, for now, the terms whose decision went out before their end on a channel whose
   * proof is a later receipt (WhatsApp's statuses carry the time of delivery but arrive a little
   * after it): a delivery before the end may still be on its way. Judged once the grace is over.
   */
  private async withoutProofOnItsWay<T extends { id: number; term: 'respuesta' | 'reposicion'; dueDate: Date; notifiedAt: Date | null }>(terms: T[], now: Date): Promise<T[]> {
    const waiting = terms.filter((t) => !t.notifiedAt && now.getTime() <= t.dueDate.getTime() + RECEIPT_GRACE_MS);
    if (!waiting.length) return terms;
    const sent = await this.prisma.outbox.findMany({
      where: { pqrId: { in: waiting.map((t) => t.id) }, kind: 'notification', status: 'sent', deliveredAt: null },
      select: { pqrId: true, payload: true, sentAt: true },
    });
    const onItsWay = (t: T) =>
      sent.some((row) => {
        if (row.pqrId !== t.id || !row.sentAt || row.sentAt > t.dueDate) return false;
        const act = actOfNotificationKey((JSON.parse(row.payload) as { key?: string }).key);
        return act === (t.term === 'respuesta' ? 'respuesta' : 'decision');
      });
    return terms.filter((t) => !waiting.includes(t) || !onItsWay(t));
  }

  /** Loads the PQR, checks the transition, applies the change, records the event and queues the message. */
  private async act(
    cunInput: string,
    to: PqrStatus,
    actor: Actor,
    change: (pqr: PqrRow, now: Date) => { data: Partial<PqrRow>; notification: Notification | null },
    alsoRecord?: (tx: Tx, pqr: PqrRow) => Promise<Record<string, unknown>>,
  ): Promise<PqrRow> {
    const cun = normalizeCun(cunInput);
    if (!cun) throw notFound();
    const now = this.clock.now();
    return this.prisma.$transaction(async (tx) => {
      const pqr = await tx.pqr.findUnique({ where: { cun } });
      if (!pqr) throw notFound();
      assertTransition(pqr.status, to);
      const { data, notification } = change(pqr, now);
      // Conditional on the status read, so two agents acting at once cannot both succeed.
      const updated = await tx.pqr.updateMany({ where: { id: pqr.id, status: pqr.status }, data });
      if (updated.count === 0) throw new PqrActionError('conflict', 409, 'The PQR changed meanwhile; reload it');
      const after = await tx.pqr.findUniqueOrThrow({ where: { id: pqr.id } });
      const extra = alsoRecord ? await alsoRecord(tx, after) : {};
      await appendEvent(tx, pqr.id, { at: now, actor, action: to, before: pick(pqr, data), after: { ...pick(after, data), ...extra } });
      if (notification) await queueNotification(tx, after, to, notification);
      return after;
    });
  }
}

function requireText(text: unknown): string {
  const value = typeof text === 'string' ? text.trim() : '';
  if (!value) throw new PqrActionError('empty_text', 400, 'text must not be empty');
  if (value.length > 20_000) throw new PqrActionError('text_too_long', 400, 'text must be at most 20000 characters');
  return value;
}

/** The changed fields only, as they were before and after: what the expediente records. */
function pick(row: PqrRow, data: Partial<PqrRow>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(data) as (keyof PqrRow)[]) {
    const value = row[key];
    out[key] = value instanceof Date ? value.toISOString() : value;
  }
  return out;
}

const NOTIFIED_FIELD = { respuesta: 'notifiedAt', decision: 'decisionNotifiedAt' } as const;
const DECIDED_FIELD = { respuesta: 'answeredAt', decision: 'decidedAt' } as const;

/**
 * Sets the act's proof of notification once (conditional on it being unset, so a receipt, the
 * user's conduct and an aviso racing on several instances record one) with its event:
 * `notificada` / `decision_notificada`, suffixed `_por_conducta` or `_por_aviso` for those kinds.
 */
async function recordNotification(tx: Tx, pqrId: number, act: NotifiedAct, at: Date, proof: NotificationProof): Promise<boolean> {
  const field = NOTIFIED_FIELD[act];
  const updated = await tx.pqr.updateMany({ where: { id: pqrId, [field]: null, [DECIDED_FIELD[act]]: { not: null } }, data: { [field]: at } });
  if (updated.count === 0) return false;
  const base = act === 'respuesta' ? 'notificada' : 'decision_notificada';
  const action = proof.by === 'conducta' || proof.by === 'aviso' ? `${base}_por_${proof.by}` : base;
  await appendEvent(tx, pqrId, { at, actor: proof.by === 'conducta' ? 'user:conducta' : 'system:notify', action, before: { [field]: null }, after: { [field]: at.toISOString(), proof } });
  return true;
}

/** One outbox row per (PQR, action): the idempotency key makes a retried action queue nothing twice. */
export async function queueNotification(tx: Tx, pqr: PqrRow, action: string, notification: Notification): Promise<void> {
  await tx.outbox.create({
    data: {
      channel: pqr.notifyChannel,
      conversationKey: pqr.notifyAddress,
      kind: 'notification',
      payload: JSON.stringify(notification),
      idempotencyKey: `${pqr.cun}:${action}`,
      pqrId: pqr.id,
    },
  });
}
