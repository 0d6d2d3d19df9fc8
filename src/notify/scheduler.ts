import type { Logger } from '../logger';

export interface SchedulerDeps {
  /** `PqrLifecycle.markOverdue`: flags PQRs whose term passed (silencio administrativo positivo) and queues the notices. */
  markOverdue(): Promise<string[]>;
  /** Sends what the tick queued without waiting for the next poll. */
  kick(): void;
  logger: Logger;
  intervalMs: number;
}

/**
 * The deadline scheduler. Safe with several instances: `markOverdue` flips each PQR with a
 * conditional update, so one instance writes its event and notice however many tick at once;
 * in one process a tick never overlaps the previous one.
 */
export class DeadlineScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<string[]> | null = null;

  constructor(private readonly deps: SchedulerDeps) {}

  start(): void {
    this.timer ??= setInterval(() => void this.tick().catch((error: unknown) => this.deps.logger.error({ err: error }, 'deadline tick failed')), this.deps.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
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

  private async run(): Promise<string[]> {
    const flagged = await this.deps.markOverdue();
    if (flagged.length) {
      this.deps.logger.info({ count: flagged.length }, 'PQRs past their term marked vencida (silencio administrativo positivo)');
      this.deps.kick();
    }
    return flagged;
  }
}
