import type { Logger } from '../logger';

export interface SchedulerDeps {
  /** `PqrLifecycle.markOverdue`: flags PQRs whose term passed (silencio administrativo positivo) and queues the notices. */
  markOverdue(): Promise<string[]>;
  /** `NotificationFallback.followUp`: the e-mail and aviso steps for decisions without proof of notification. */
  followUp(): Promise<number>;
  /** `PqrLifecycle.closeFinal`: closes the cases whose decision is final (no recurso in term, or the recurso decided). */
  closeFinal?: () => Promise<string[]>;
  /** `DataRequests.withdrawStale`: incomplete data-protection reclamos past their two months, withdrawn with a notice. */
  withdrawStale?: () => Promise<number>;
  /** Sends what the tick queued without waiting for the next poll. */
  kick(): void;
  logger: Logger;
  intervalMs: number;
  /** With several instances: whether this one runs the timer's tick (one instance per interval). */
  leader?: () => Promise<boolean>;
}

/**
 * The deadline scheduler. With several instances the timer's tick runs on one of them per
 * interval (`leader`); even without it, `markOverdue` flips each PQR with a conditional update,
 * so one instance writes its event and notice however many tick at once. In one process a tick
 * never overlaps the previous one.
 */
export class DeadlineScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<string[]> | null = null;
  private stopped = false;

  constructor(private readonly deps: SchedulerDeps) {}

  start(): void {
    this.stopped = false;
    this.timer ??= setInterval(() => void this.timed().catch((error: unknown) => this.deps.logger.error({ err: error }, 'deadline tick failed')), this.deps.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One tick: the CUNs flagged now; a call while a tick runs gets that tick's result. */
  tick(): Promise<string[]> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async timed(): Promise<void> {
    if (this.deps.leader && !(await this.deps.leader())) return;
    // stop() may have come while the lease was being claimed: a stopped scheduler ticks no more.
    if (this.stopped) return;
    await this.tick();
  }

  /**
   * The fallback steps go first: a notification by aviso that counted before a term ended must
   * be on record when the term is judged (the rule looks at facts, so the order changes no
   * outcome, only how soon it is seen).
   */
  private async run(): Promise<string[]> {
    const steps = await this.deps.followUp();
    if (steps) this.deps.logger.info({ count: steps }, 'notification fallback steps taken (aviso by e-mail, published, or notified by aviso)');
    const flagged = await this.deps.markOverdue();
    if (flagged.length) this.deps.logger.info({ count: flagged.length }, 'PQR terms past their end marked vencida (silencio administrativo positivo)');
    const closed = (await this.deps.closeFinal?.()) ?? [];
    if (closed.length) this.deps.logger.info({ count: closed.length }, 'PQRs closed: their decision is final (no recurso in term, or the recurso decided)');
    const withdrawn = (await this.deps.withdrawStale?.()) ?? 0;
    if (withdrawn) this.deps.logger.info({ count: withdrawn }, 'incomplete data-protection reclamos withdrawn after two months');
    if (steps || flagged.length || withdrawn) this.deps.kick();
    return flagged;
  }
}
