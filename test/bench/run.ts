/**
 * `npm run bench [-- options]`: figures, never a pass/fail on speed. Every figure sits next to
 * a baseline measured in the same run on the same machine, so the ratio means something on any
 * machine. Only 127.0.0.1 is ever a target; every loop is bounded in count and in time.
 */
import { parseArgs } from 'node:util';
import { FakeGraph } from '../helpers/fake-graph';
import { runDashboard, type DashboardResult } from './dashboard';
import { renderFailover, runFailover, type FailoverResult } from './failover';
import { renderProcesses, runMemory, runProcesses, type MemoryReading, type MemoryResult, type ProcessResult } from './memory';
import { runNlu, type NluResult } from './nlu';
import { machine, mib, round, table, type Machine } from './stats';
import { runStatusLookup, type StatusResult } from './status';
import { ACCESS_TOKEN, calibrate, runLoad, SCRIPT, SendLog, startApp, startBaseline, throwawayDb, userId, type LoadResult } from './webhook';

export const SCENARIOS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface Settings {
  scenarios: Scenario[];
  conversations: number;
  rounds: number;
  seconds: number;
  pqrs: number;
  insertSeconds: number;
  lookups: number;
  lookupSeconds: number;
  inFlight: number;
  settleSeconds: number;
  nluSeconds: number;
  dashboardSamples: number;
  dashboardSeconds: number;
  /** (g): users, and the lease and sweep in seconds (0: the app's defaults). */
  failover: { users: number; leaseSeconds: number; sweepSeconds: number };
  /** (h) starts per process setup. */
  starts: number;
  /**
   * (a, b): the baseline measured again after every setup, each setup compared with the mean of
   * the runs just before and after it (the machine's speed drifts over a few minutes); false:
   * measured once, first.
   */
  bracketBaseline: boolean;
}

const FULL: Omit<Settings, 'scenarios'> = {
  conversations: 100,
  rounds: 100,
  seconds: 15,
  pqrs: 1_000_000,
  insertSeconds: 120,
  lookups: 20_000,
  lookupSeconds: 12,
  inFlight: 1_000,
  settleSeconds: 11,
  nluSeconds: 4,
  dashboardSamples: 40,
  dashboardSeconds: 120,
  failover: { users: 40, leaseSeconds: 0, sweepSeconds: 0 },
  starts: 3,
  bracketBaseline: true,
};

const QUICK: Omit<Settings, 'scenarios'> = {
  conversations: 10,
  rounds: 2,
  seconds: 3,
  pqrs: 20_000,
  insertSeconds: 30,
  lookups: 500,
  lookupSeconds: 2,
  inFlight: 100,
  settleSeconds: 1,
  nluSeconds: 1,
  dashboardSamples: 5,
  dashboardSeconds: 5,
  // A short lease keeps the smoke run short; the full run uses the app's defaults.
  failover: { users: 6, leaseSeconds: 3, sweepSeconds: 1 },
  starts: 1,
  bracketBaseline: false,
};

const USAGE = `Usage: npm run bench -- [options]
  --quick              a smoke run of a few seconds per scenario (the test uses it)
  --json               print the results as JSON instead of tables
  --only a,b,c,d,e,f,g,h  scenarios to run (default: all)
      a  WhatsApp webhook turns/s and latency on SQLite, next to a bare restify baseline
      b  the same on PostgreSQL, one instance and two instances on one database
      c  status lookup by CUN with many PQRs in PostgreSQL
      d  RSS with many conversations in flight
      e  NLU classifications per second
      f  supervisors' dashboard and regulatory CSV with many PQRs in PostgreSQL
      g  failover after kill -9 of one of two instances (PostgreSQL): the wait of its users
      h  the deployed process: start time, RSS idle and under load (no GC forced), next to a bare server
  --conversations N    concurrent conversations in a and b (default ${FULL.conversations})
  --seconds N          measuring time per setup in a and b (default ${FULL.seconds})
  --rounds N           scripts per conversation at most in a and b (default ${FULL.rounds})
  --pqrs N             PQRs to insert for c and f (default ${FULL.pqrs}; fewer if inserting takes over --insert-seconds)
  --insert-seconds N   time allowed for inserting them (default ${FULL.insertSeconds})
  --in-flight N        conversations in flight for d (default ${FULL.inFlight})
`;

function settingsFrom(argv: string[]): Settings | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      only: { type: 'string' },
      conversations: { type: 'string' },
      seconds: { type: 'string' },
      rounds: { type: 'string' },
      pqrs: { type: 'string' },
      'insert-seconds': { type: 'string' },
      'in-flight': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  const base = values.quick ? QUICK : FULL;
  const positive = (name: string, raw: string | undefined, fallback: number) => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
    return value;
  };
  const scenarios = values.only ? values.only.split(',').map((s) => s.trim().toLowerCase()) : [...SCENARIOS];
  const unknown = scenarios.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}: pick from ${SCENARIOS.join(', ')}`);
  return {
    scenarios: scenarios as Scenario[],
    conversations: Math.min(9_999, positive('conversations', values.conversations, base.conversations)),
    rounds: Math.min(9_999, positive('rounds', values.rounds, base.rounds)),
    seconds: positive('seconds', values.seconds, base.seconds),
    pqrs: positive('pqrs', values.pqrs, base.pqrs),
    insertSeconds: positive('insert-seconds', values['insert-seconds'], base.insertSeconds),
    lookups: base.lookups,
    lookupSeconds: base.lookupSeconds,
    inFlight: Math.min(9_999, positive('in-flight', values['in-flight'], base.inFlight)),
    settleSeconds: base.settleSeconds,
    nluSeconds: base.nluSeconds,
    dashboardSamples: base.dashboardSamples,
    dashboardSeconds: base.dashboardSeconds,
    failover: base.failover,
    starts: base.starts,
    bracketBaseline: base.bracketBaseline,
  };
}

type Outcome<T> = T | { error: string };

export interface WebhookRow {
  setup: string;
  result: Outcome<MeasuredLoad>;
  /** The baseline this setup is compared with: the mean of the runs just before and after it (or the one run). */
  reference?: { turnsPerSecond: number; p50: number };
}

/** A load result with what the app's database saw, and the same load with 10 conversations. */
export interface MeasuredLoad extends LoadResult {
  /** SQL statements (BEGIN/COMMIT included) per completed turn, counted at the driver adapter; absent for the baseline. */
  statementsPerTurn?: number;
  /** Of those, the dialogs' own queries (PQR lookups, handoff and rating checks). */
  dialogStatementsPerTurn?: number;
  /** The same script with 10 conversations at once. */
  at10?: LoadResult;
}

export interface BenchReport {
  machine: Machine;
  settings: Settings;
  script: string[];
  /** `baseline` is the first run of the baseline; `baselines` every run of it, in order (one before each setup, one after the last). */
  webhook?: { baseline: Outcome<MeasuredLoad>; baselines: Outcome<MeasuredLoad>[]; setups: WebhookRow[] };
  status?: Outcome<StatusResult>;
  memory?: Outcome<MemoryResult>;
  nlu?: Outcome<NluResult>;
  dashboard?: Outcome<DashboardResult>;
  failover?: Outcome<FailoverResult>;
  process?: Outcome<ProcessResult>;
  seconds: number;
}

const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function attempt<T>(what: string, run: () => Promise<T>): Promise<Outcome<T>> {
  progress(what);
  try {
    return await run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    progress(`${what} failed: ${message}`);
    return { error: message };
  }
}

const failed = <T extends object>(outcome: Outcome<T> | undefined): outcome is { error: string } => !!outcome && 'error' in outcome;

/** One load run against `targets`: calibrate on the first, warm up, measure at the set concurrency and at 10. */
async function measureWebhook(settings: Settings, targets: string[], settle: () => Promise<void>, sends: SendLog, runId: number, statements?: () => { all: number; dialog: number }): Promise<MeasuredLoad> {
  const expected = await calibrate(targets[0], sends, userId(runId, 9999, 0), settle);
  const warmUp = Math.min(settings.conversations, 20);
  await runLoad({ targets, sends, expected, conversations: warmUp, maxRounds: 1, seconds: settings.seconds, runId: runId + 1 });
  await settle();
  sends.clear();
  const before = statements?.() ?? { all: 0, dialog: 0 };
  const result: MeasuredLoad = await runLoad({ targets, sends, expected, conversations: settings.conversations, maxRounds: settings.rounds, seconds: settings.seconds, runId: runId + 2 });
  await settle();
  if (statements) {
    const after = statements();
    result.statementsPerTurn = (after.all - before.all) / Math.max(1, result.turns);
    result.dialogStatementsPerTurn = (after.dialog - before.dialog) / Math.max(1, result.turns);
  }
  sends.clear();
  if (settings.conversations !== 10) {
    result.at10 = await runLoad({ targets, sends, expected, conversations: 10, maxRounds: settings.rounds, seconds: settings.seconds, runId: runId + 3 });
    await settle();
    sends.clear();
  }
  return result;
}

async function webhookScenarios(settings: Settings): Promise<NonNullable<BenchReport['webhook']>> {
  const graph = await FakeGraph.start(ACCESS_TOKEN);
  const sends = new SendLog(graph);
  try {
    let runs = 0;
    const measureBaseline = () =>
      attempt(`baseline: restify + signature check + one POST to the fake Graph${runs++ ? ` (run ${runs})` : ''}`, async () => {
        const server = await startBaseline(graph.url);
        try {
          return await measureWebhook(settings, [server.url], async () => undefined, sends, 10 + 4 * (runs - 1));
        } finally {
          await server.close();
        }
      });
    const baselines: Outcome<MeasuredLoad>[] = [await measureBaseline()];
    const baseline = baselines[0];
    const setups: WebhookRow[] = [];
    const onApps = async (setup: string, kind: 'sqlite' | 'postgresql', instances: number, runId: number) => {
      const result = await attempt(setup, async () => {
        const db = await throwawayDb(kind);
        const apps: Awaited<ReturnType<typeof startApp>>[] = [];
        try {
          for (let i = 0; i < instances; i++) apps.push(await startApp(db.url, graph.url));
          const settle = async () => void (await Promise.all(apps.map((a) => a.app.whatsapp!.idle())));
          const statements = () => ({
            all: apps.reduce((sum, a) => sum + a.app.db.statements.count, 0),
            dialog: apps.reduce((sum, a) => sum + a.app.db.statements.dialogCount, 0),
          });
          return await measureWebhook(settings, apps.map((a) => a.url), settle, sends, runId, statements);
        } finally {
          for (const { app } of apps) await app.close();
          await db.close();
        }
      });
      const before = baselines[baselines.length - 1];
      if (settings.bracketBaseline) baselines.push(await measureBaseline());
      const around = [before, baselines[baselines.length - 1]].filter((b, i, all): b is MeasuredLoad => !failed(b) && all.indexOf(b) === i);
      const mean = (f: (b: MeasuredLoad) => number) => around.reduce((sum, b) => sum + f(b), 0) / around.length;
      setups.push({ setup, result, ...(around.length ? { reference: { turnsPerSecond: mean((b) => b.turnsPerSecond), p50: mean((b) => b.latency.p50) } } : {}) });
    };
    if (settings.scenarios.includes('a')) await onApps('(a) app, SQLite, 1 instance', 'sqlite', 1, 20);
    if (settings.scenarios.includes('b')) {
      await onApps('(b) app, PostgreSQL, 1 instance', 'postgresql', 1, 30);
      await onApps('(b) app, PostgreSQL, 2 instances (requests alternated)', 'postgresql', 2, 40);
    }
    return { baseline, baselines, setups };
  } finally {
    await graph.close();
  }
}

export async function runBench(settings: Settings): Promise<BenchReport> {
  const started = Date.now();
  const has = (s: Scenario) => settings.scenarios.includes(s);
  const report: BenchReport = { machine: machine(), settings, script: SCRIPT, seconds: 0 };
  // NLU and memory first, while the process is fresh; then the load runs.
  if (has('h')) report.process = await attempt('(h) the deployed process: start, RSS idle and under load', () => runProcesses({ starts: settings.starts, settleSeconds: settings.settleSeconds, conversations: settings.conversations, seconds: settings.seconds }));
  if (has('e')) report.nlu = await attempt('(e) NLU classifications', () => runNlu({ seconds: settings.nluSeconds, maxCalls: 5_000_000 }));
  if (has('d')) report.memory = await attempt(`(d) memory with ${settings.inFlight} conversations in flight`, () => runMemory({ conversations: settings.inFlight, settleSeconds: settings.settleSeconds }));
  if (has('a') || has('b')) report.webhook = await webhookScenarios(settings);
  if (has('c')) {
    report.status = await attempt(`(c) status lookup with up to ${settings.pqrs.toLocaleString('en-US')} PQRs in PostgreSQL`, () =>
      runStatusLookup({ pqrs: settings.pqrs, insertSeconds: settings.insertSeconds, lookups: settings.lookups, seconds: settings.lookupSeconds, concurrency: 16 }),
    );
  }
  if (has('f')) {
    report.dashboard = await attempt(`(f) dashboard with up to ${settings.pqrs.toLocaleString('en-US')} PQRs in PostgreSQL`, () =>
      runDashboard({ pqrs: settings.pqrs, insertSeconds: settings.insertSeconds, samples: settings.dashboardSamples, seconds: settings.dashboardSeconds }),
    );
  }
  if (has('g')) {
    const { users, leaseSeconds, sweepSeconds } = settings.failover;
    const env = { ...(leaseSeconds ? { CONVERSATION_LEASE_SECONDS: String(leaseSeconds) } : {}), ...(sweepSeconds ? { INBOUND_SWEEP_SECONDS: String(sweepSeconds) } : {}) };
    report.failover = await attempt(`(g) failover after kill -9 of one of two instances, ${users} users`, () => runFailover({ users, env, progress }));
  }
  report.seconds = round((Date.now() - started) / 1000, 1);
  return report;
}

export function render(report: BenchReport): string {
  const m = report.machine;
  const out: string[] = [
    `PQR bot benchmark: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}; load average at start ${m.loadAverage.join(' ')}; ${report.seconds} s`,
    'The app, the fake Graph API and the load generator share this one Node process; PostgreSQL runs in its own.',
  ];
  if (report.webhook) {
    const { baseline, setups } = report.webhook;
    const s = report.settings;
    out.push(
      '',
      `(a, b) WhatsApp webhook → signature → dedupe → dialog → state → reply on the fake Graph (127.0.0.1).`,
      `${s.conversations} conversations at once, each running "${report.script.join('" → "')}" as new users for up to ${s.seconds} s.`,
      'Latency: from the POST to the fake Graph receiving the turn\'s last reply. Ack: from the POST to the 200.',
      'At 10: the same script with 10 conversations at once. Statements/turn: SQL statements (BEGIN/COMMIT included) the app sent per completed turn, counted at the driver adapter; of which dialog: the dialogs\' own queries (PQR lookup, handoff and rating checks), the rest is the message path.',
    );
    const headers = ['setup', 'turns', 'turns/s', 'turns/s ÷ baseline', 'p50 ms', 'p99 ms', 'p50 × baseline', 'ack p50 ms', 'ack p99 ms', 'p99 ms at 10', 'p50 ms at 10', 'statements/turn', 'of which dialog', 'errors', 'mismatched'];
    const row = (label: string, r: MeasuredLoad, reference?: WebhookRow['reference']) => [
      label,
      r.turns,
      round(r.turnsPerSecond, 1),
      reference ? round(r.turnsPerSecond / reference.turnsPerSecond, 3) : '',
      round(r.latency.p50, 2),
      round(r.latency.p99, 2),
      reference ? round(r.latency.p50 / reference.p50, 1) : '',
      round(r.ack.p50, 2),
      round(r.ack.p99, 2),
      r.at10 ? round(r.at10.latency.p99, 2) : '',
      r.at10 ? round(r.at10.latency.p50, 2) : '',
      r.statementsPerTurn === undefined ? '' : round(r.statementsPerTurn, 1),
      r.dialogStatementsPerTurn === undefined ? '' : round(r.dialogStatementsPerTurn, 1),
      r.errors,
      r.mismatched,
    ];
    const runs = report.webhook.baselines ?? [baseline];
    const baseRows: WebhookRow[] = runs.map((result, i) => ({ setup: `baseline: restify + signature + 1 POST${runs.length > 1 ? `, run ${i + 1}` : ''}`, result }));
    const all = [...baseRows, ...setups];
    if (runs.length > 1) out.push('The baseline ran before each setup and after the last; each setup is divided by the mean of the two runs around it.');
    out.push('', table(headers, all.flatMap(({ setup, result, reference }) => (failed(result) ? [] : [row(setup, result, reference)]))));
    for (const { setup, result } of all) if (failed(result)) out.push(`${setup}: failed: ${result.error}`);
  }

  if (report.status) {
    const r = report.status;
    if (failed(r)) out.push('', `(c) status lookup by CUN: failed: ${r.error}`);
    else {
      const cut = r.pqrs < r.requested ? ` (of ${r.requested.toLocaleString('en-US')} asked: inserting stopped at the time limit)` : '';
      out.push(
        '',
        `(c) Status lookup by CUN with ${r.pqrs.toLocaleString('en-US')} PQRs in PostgreSQL${cut}, inserted by SQL in ${r.insertSeconds} s; ${r.owners.toLocaleString('en-US')} owners; random CUNs, asked by their owner.`,
        `p50/p99: one lookup at a time; lookups/s: 16 at once. Misses: ${r.misses}.`,
        '',
        table(
          ['lookup', 'p50 ms', 'p99 ms', 'p50 × baseline', 'lookups/s', 'lookups/s ÷ baseline'],
          [
            ['baseline: pg SELECT * FROM "Pqr" WHERE cun = $1', round(r.baseline.latency.p50, 3), round(r.baseline.latency.p99, 3), '', round(r.baseline.lookupsPerSecond, 0), ''],
            [
              'app.pqr.statusFor(cun, owner)',
              round(r.app.latency.p50, 3),
              round(r.app.latency.p99, 3),
              round(r.app.latency.p50 / r.baseline.latency.p50, 1),
              round(r.app.lookupsPerSecond, 0),
              round(r.app.lookupsPerSecond / r.baseline.lookupsPerSecond, 3),
            ],
          ],
        ),
      );
    }
  }

  if (report.memory) {
    const r = report.memory;
    if (failed(r)) out.push('', `(d) memory: failed: ${r.error}`);
    else {
      const n = (count: number) => count.toLocaleString('en-US');
      const row = (label: string, x: MemoryReading) => [label, mib(x.rss), mib(x.heapUsed), mib(x.external)];
      const per = (label: string, x: MemoryReading, y: MemoryReading) => {
        const kib = (bytes: number) => round(bytes / 1024 / Math.max(1, x.open - y.open), 1);
        return [label, kib(x.rss - y.rss), kib(x.heapUsed - y.heapUsed), kib(x.external - y.external)];
      };
      out.push(
        '',
        `(d) Memory with WhatsApp conversations in flight (SQLite): ${n(r.conversations)} new users at once, each ${r.steps} steps in and left awaiting a CUN`,
        `(the first ${n(r.conversations)} got there in ${round(r.seconds, 1)} s), then ${n(r.conversations)} more. Readings ${r.settleSeconds} s after each burst and a full GC; the peak is sampled every 10 ms.`,
        '',
        table(
          ['reading', 'RSS MiB', 'heap used MiB', 'external MiB'],
          [
            row('before', r.before),
            row(`${n(r.afterFirst.open)} open`, r.afterFirst),
            row(`${n(r.afterSecond.open)} open`, r.afterSecond),
            ['peak', mib(r.rssPeak), '', ''],
            per(`per conversation, first ${n(r.conversations)} (KiB)`, r.afterFirst, r.before),
            per(`per conversation, next ${n(r.conversations)} (KiB)`, r.afterSecond, r.afterFirst),
          ],
        ),
      );
    }
  }

  if (report.nlu) {
    const r = report.nlu;
    if (failed(r)) out.push('', `(e) NLU: failed: ${r.error}`);
    else {
      out.push(
        '',
        `(e) NLU on the ${r.utterances} held-out utterances, round and round, one thread.`,
        '',
        table(
          ['function', 'calls/s', 'µs per call', 'calls/s ÷ baseline'],
          [
            ['baseline: normalize(text)', round(r.baseline.callsPerSecond, 0), round(r.baseline.microsecondsPerCall, 1), ''],
            ['recognize(text): entities, intent, PQR type', round(r.recognize.callsPerSecond, 0), round(r.recognize.microsecondsPerCall, 1), round(r.recognize.callsPerSecond / r.baseline.callsPerSecond, 3)],
          ],
        ),
      );
    }
  }
  if (report.process) out.push('', failed(report.process) ? `(h) deployed process: failed: ${report.process.error}` : renderProcesses(report.process));
  if (report.dashboard) {
    const r = report.dashboard;
    if (failed(r)) out.push('', `(f) dashboard: failed: ${r.error}`);
    else {
      const cut = r.pqrs < r.requested ? ` (of ${r.requested.toLocaleString('en-US')} asked: inserting stopped at the time limit)` : '';
      out.push(
        '',
        `(f) Supervisors' dashboard over HTTP with ${r.pqrs.toLocaleString('en-US')} PQRs filed over the last year in PostgreSQL${cut}, inserted by SQL in ${r.insertSeconds} s.`,
        'One request at a time. Baseline of each: a bare pg count by type of the same period\'s PQRs (the simplest aggregate over the same rows).',
        '',
        table(
          ['request', 'period', 'samples', 'p50 ms', 'p95 ms', 'baseline p50 ms', 'baseline p95 ms', 'p95 × baseline'],
          r.cases.map((c) => [c.name, `${c.period.from} – ${c.period.to}`, c.latency.count, c.latency.p50, c.latency.p95, c.baseline.p50, c.baseline.p95, round(c.latency.p95 / c.baseline.p95, 1)]),
        ),
      );
    }
  }
  if (report.failover) {
    const r = report.failover;
    out.push('', failed(r) ? `(g) failover: failed: ${r.error}` : renderFailover(r));
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const settings = settingsFrom(argv);
  if (!settings) {
    process.stdout.write(USAGE);
    return;
  }
  const report = await runBench(settings);
  process.stdout.write(argv.includes('--json') ? `${JSON.stringify(report, null, 2)}\n` : `${render(report)}\n`);
}

if (require.main === module) {
  main().then(
    // Keep-alive sockets and pools of the apps under test must not hold the process open.
    () => process.exit(0),
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
