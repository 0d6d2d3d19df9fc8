import { isUniqueViolation, type Db } from '../storage';
import type { BusinessCalendar } from './calendar';
import type { Clock } from './clock';
import type { NotifiedAct, NotificationProof } from './lifecycle';
import { appendEvent } from './service';
import { avisoTerm, noProofDeadline, type Terms } from './terms';

/** A notice on the public page: the case by its CUN and dates, nothing personal. */
export interface PublishedAviso {
  cun: string;
  act: NotifiedAct;
  /** When the decision was made. */
  actAt: Date;
  postedAt: Date;
  /** Last moment it is shown. */
  until: Date;
  /** The notification counts at this moment (end of the next business day after it comes down). */
  notifiesAt: Date;
}

/** The action whose outbox row carried the decision (`${cun}:${action}`), reused for its e-mail copy. */
const ACT_ACTION: Readonly<Record<NotifiedAct, string>> = { respuesta: 'respondida', decision: 'reposicion_decidida' };

type AvisoRow = Awaited<ReturnType<Db['aviso']['findFirstOrThrow']>>;

/**
 * Notification when the chosen channel gives no proof (CPACA art. 69), one step at a time, each
 * an expediente event: after `noProofDays` business days without proof, an aviso to the e-mail
 * the PQR has (its proof is the SMTP server's acceptance); without one, or after as many days
 * more without proof, an aviso published on /avisos for 5 business days, which notifies at the
 * end of the next business day after it comes down. The owner of the Aviso table.
 */
export class NotificationFallback {
  constructor(
    private readonly prisma: Db,
    private readonly clock: Clock,
    private readonly calendar: BusinessCalendar,
    private readonly terms: Terms,
    private readonly notifications: { markNotified(pqrId: number, at: Date, proof: NotificationProof, act: NotifiedAct): Promise<boolean> },
  ) {}

  /** One pass over the decisions still without proof; the number of steps taken. */
  async followUp(): Promise<number> {
    const now = this.clock.now();
    const pending = await this.prisma.pqr.findMany({
      where: { OR: [{ answeredAt: { not: null }, notifiedAt: null }, { decidedAt: { not: null }, decisionNotifiedAt: null }] },
      include: { avisos: true },
      orderBy: { id: 'asc' },
      take: 500,
    });
    let steps = 0;
    for (const pqr of pending) {
      const acts: [NotifiedAct, Date | null, Date | null][] = [
        ['respuesta', pqr.answeredAt, pqr.notifiedAt],
        ['decision', pqr.decidedAt, pqr.decisionNotifiedAt],
      ];
      for (const [act, actAt, notifiedAt] of acts) {
        if (!actAt || notifiedAt) continue;
        const avisos = pqr.avisos.filter((a) => a.act === act);
        const email = pqr.notifyChannel === 'email' ? undefined : (pqr.requesterEmail ?? undefined);
        if (await this.step({ id: pqr.id, cun: pqr.cun }, act, actAt, email, avisos, now)) steps++;
      }
    }
    return steps;
  }

  /** The avisos on show at `now`, newest first. */
  async published(now = this.clock.now()): Promise<PublishedAviso[]> {
    const rows = await this.prisma.aviso.findMany({ where: { medium: 'web', postedAt: { lte: now }, until: { gte: now } }, orderBy: [{ postedAt: 'desc' }, { id: 'desc' }], take: 1000 });
    return rows.map((a) => ({ cun: a.cun, act: a.act as NotifiedAct, actAt: a.actAt, postedAt: a.postedAt, until: a.until!, notifiesAt: a.notifiesAt! }));
  }

  private async step(pqr: { id: number; cun: string }, act: NotifiedAct, actAt: Date, email: string | undefined, avisos: AvisoRow[], now: Date): Promise<boolean> {
    const web = avisos.find((a) => a.medium === 'web');
    if (web) {
      if (now <= web.notifiesAt!) return false;
      return this.notifications.markNotified(pqr.id, web.notifiesAt!, { by: 'aviso', medium: 'web', avisoId: web.id }, act);
    }
    const byEmail = avisos.find((a) => a.medium === 'correo');
    if (email && !byEmail) {
      if (now <= noProofDeadline(actAt, this.calendar, this.terms)) return false;
      return this.post(pqr, act, actAt, now, { medium: 'correo', email });
    }
    if (now <= noProofDeadline(byEmail?.postedAt ?? actAt, this.calendar, this.terms)) return false;
    return this.post(pqr, act, actAt, now, { medium: 'web' });
  }

  /**
   * Records one aviso with its event (and for e-mail, the copy of the decision in the outbox),
   * in one transaction. The unique (PQR, act, medium) key makes a second instance's attempt a
   * no-op.
   */
  private async post(pqr: { id: number; cun: string }, act: NotifiedAct, actAt: Date, now: Date, how: { medium: 'correo'; email: string } | { medium: 'web' }): Promise<boolean> {
    try {
      await this.prisma.$transaction(async (tx) => {
        const term = how.medium === 'web' ? avisoTerm(now, this.calendar) : null;
        const aviso = await tx.aviso.create({ data: { pqrId: pqr.id, act, medium: how.medium, cun: pqr.cun, actAt, postedAt: now, until: term?.until, notifiesAt: term?.notifiesAt } });
        const after: Record<string, unknown> = { act, medium: how.medium, avisoId: aviso.id };
        if (how.medium === 'correo') {
          const original = await tx.outbox.findUnique({ where: { idempotencyKey: `${pqr.cun}:${ACT_ACTION[act]}` } });
          if (!original) throw new Error(`No notification of the ${act} to copy for aviso ${aviso.id}`);
          const copy = await tx.outbox.create({
            data: { channel: 'email', conversationKey: how.email, kind: 'notification', payload: original.payload, idempotencyKey: `${original.idempotencyKey}:aviso_correo`, pqrId: pqr.id },
          });
          after.outboxId = copy.id;
        } else {
          after.until = term!.until.toISOString();
          after.notifiesAt = term!.notifiesAt.toISOString();
        }
        await appendEvent(tx, pqr.id, { at: now, actor: 'system:scheduler', action: how.medium === 'web' ? 'aviso_publicado' : 'aviso_enviado', before: null, after });
      });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }
}
