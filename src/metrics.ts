import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TurnContext } from 'botbuilder';
import type { Db } from './storage';

/**
 * Prometheus metrics for `GET /metrics`: turns and their latency per channel, HTTP rejections
 * per route, and, read from the database at scrape time so every instance reports the same
 * truth, the outbox backlog and PQRs by status.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly turns: Counter<'channel' | 'outcome'>;
  private readonly turnSeconds: Histogram<'channel'>;
  private readonly rejections: Counter<'route' | 'status'>;

  constructor(prisma: Db) {
    collectDefaultMetrics({ register: this.registry });
    this.turns = new Counter({ name: 'pqr_bot_turns_total', help: 'Bot turns run, by channel and outcome', labelNames: ['channel', 'outcome'], registers: [this.registry] });
    this.turnSeconds = new Histogram({
      name: 'pqr_bot_turn_duration_seconds',
      help: 'Time to run one bot turn (dialog, state, replies)',
      labelNames: ['channel'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.rejections = new Counter({ name: 'pqr_bot_http_rejections_total', help: 'Requests answered with a 4xx, by route', labelNames: ['route', 'status'], registers: [this.registry] });
    new Gauge({
      name: 'pqr_bot_outbox_backlog',
      help: 'Outbox messages not yet sent, by status',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const rows = await prisma.outbox.groupBy({ by: ['status'], where: { sentAt: null }, _count: { _all: true } });
        for (const row of rows) this.set({ status: row.status }, row._count._all);
      },
    });
    new Gauge({
      name: 'pqr_bot_pqrs',
      help: 'PQRs by status (vencida counted apart)',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const rows = await prisma.pqr.groupBy({ by: ['status'], _count: { _all: true } });
        for (const row of rows) this.set({ status: row.status }, row._count._all);
        this.set({ status: 'vencida' }, await prisma.pqr.count({ where: { vencida: true } }));
      },
    });
    new Gauge({
      name: 'pqr_bot_handoffs_open',
      help: 'Conversations handed to agents and not closed, by state (waiting, held) and kind (live, callback)',
      labelNames: ['state', 'kind'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const rows = await prisma.handoff.groupBy({ by: ['state', 'kind'], where: { state: { not: 'closed' } }, _count: { _all: true } });
        for (const row of rows) this.set({ state: row.state, kind: row.kind }, row._count._all);
      },
    });
  }

  /** The bot as the channels see it, with each turn counted and timed. */
  instrument<T extends { run(context: TurnContext): Promise<void> }>(bot: T): { run(context: TurnContext): Promise<void> } {
    return {
      run: async (context) => {
        const channel = context.activity.channelId ?? 'unknown';
        const stop = this.turnSeconds.startTimer({ channel });
        try {
          await bot.run(context);
          this.turns.inc({ channel, outcome: 'ok' });
        } catch (error) {
          this.turns.inc({ channel, outcome: 'error' });
          throw error;
        } finally {
          stop();
        }
      },
    };
  }

  rejected(route: string, status: number): void {
    this.rejections.inc({ route, status: String(status) });
  }
}
