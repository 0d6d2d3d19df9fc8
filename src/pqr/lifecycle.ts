import type { Db, Tx } from '../storage';
import type { BusinessCalendar } from './calendar';
import type { Clock } from './clock';
import { normalizeCun } from './cun';
import type { Requester } from '../identity';
import { appendEvent, claimEvidence, owns } from './service';
import { assertTransition, type PqrStatus } from './states';
import { recursoDeadline, reposicionDueDate, sicTransferDueDate, silenceEffectDeadline, type Terms } from './terms';

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
}

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

  /** The proof that the answer (or a decision) reached the user: the recurso term counts from here. */
  async markNotified(pqrId: number, at: Date, proof: Record<string, unknown>): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const pqr = await tx.pqr.findUnique({ where: { id: pqrId } });
      if (!pqr || pqr.notifiedAt || pqr.status !== 'respondida') return;
      await tx.pqr.update({ where: { id: pqrId }, data: { notifiedAt: at } });
      await appendEvent(tx, pqrId, { at, actor: 'system:notify', action: 'notificada', before: { notifiedAt: null }, after: { notifiedAt: at.toISOString(), proof } });
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
   * Silencio administrativo positivo: flags every PQR (or recurso) whose term passed without a
   * notified answer, and tells its owner. Safe on several instances: the flag is set with a
   * conditional update, so only the instance that flips it writes the event and the message.
   */
  async markOverdue(): Promise<string[]> {
    const now = this.clock.now();
    const candidates = await this.prisma.pqr.findMany({
      where: {
        vencida: false,
        OR: [
          { status: { in: ['radicada', 'en_tramite'] }, dueDate: { lt: now } },
          { status: 'respondida', notifiedAt: null, dueDate: { lt: now } },
          { status: 'recurso_interpuesto', recursoDueDate: { lt: now } },
        ],
      },
      select: { id: true },
      take: 500,
    });
    const flagged: string[] = [];
    for (const { id } of candidates) {
      const cun = await this.prisma.$transaction(async (tx) => {
        const flipped = await tx.pqr.updateMany({ where: { id, vencida: false }, data: { vencida: true, vencidaAt: now } });
        if (flipped.count === 0) return null;
        const pqr = await tx.pqr.findUniqueOrThrow({ where: { id } });
        const effectBy = silenceEffectDeadline(now, this.terms);
        await appendEvent(tx, id, { at: now, actor: 'system:scheduler', action: 'vencida', before: { vencida: false }, after: { vencida: true, effectBy: effectBy.toISOString() } });
        await queueNotification(tx, pqr, 'vencida', { key: 'notify.silence', vars: { cun: pqr.cun, hours: this.terms.silenceEffectHours } });
        return pqr.cun;
      });
      if (cun) flagged.push(cun);
    }
    return flagged;
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
