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
import { ACCESS_TOKEN, calibrate, mergeLoads, runLoad, SCRIPT, SendLog, startApp, startBaseline, throwawayDb, userId, type LoadResult } from './webhook';

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
   * (a, b): each setup and its own baseline take turns in this many slices of `seconds / slices`
   * each (the machine's speed drifts by a quarter within minutes: a baseline measured a minute
   * earlier is no yardstick).
   */
  slices: number;
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
  slices: 3,
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
  slices: 1,
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
    slices: base.slices,
  };
}

type Outcome<T> = T | { error: string };

export interface WebhookRow {
  setup: string;
  result: Outcome<MeasuredLoad>;
  /** The baseline measured in slices taking turns with this setup's (see `Settings.slices`). */
  baseline?: MeasuredLoad;
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
  /** `baseline`: every setup's baseline slices pooled; each setup is compared with its own (`WebhookRow.baseline`). */
  webhook?: { baseline: Outcome<MeasuredLoad>; setups: WebhookRow[] };
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

/** A target of the load: its instances, how to wait until it has answered everything, its statement counts. */
interface Target {
  urls: string[];
  settle: () => Promise<void>;
  statements?: () => { all: number; dialog: number };
  expected?: string[][];
}

/**
 * The setup and the baseline, both running, take turns: `slices` slices of `seconds / slices`
 * each, at the set concurrency and then at 10, the first of each pair alternating. Each side's
 * slices are pooled. Calibrated and warmed up first; statements are counted over the slices at
 * the set concurrency.
 */
async function measurePair(settings: Settings, app: Target, baseline: Target, sends: SendLog, runId: number): Promise<{ app: MeasuredLoad; baseline: MeasuredLoad }> {
  for (const [i, target] of [app, baseline].entries()) {
    target.expected = await calibrate(target.urls[0], sends, userId(runId + i, 9999, 0), target.settle);
    await runLoad({ targets: target.urls, sends, expected: target.expected, conversations: Math.min(settings.conversations, 20), maxRounds: 1, seconds: settings.seconds, runId: runId + 2 + i });
    await target.settle();
    sends.clear();
  }
  let nextRun = runId + 4;
  const sliced = async (conversations: number) => {
    const slices = new Map<Target, LoadResult[]>([[app, []], [baseline, []]]);
    const counted = { all: 0, dialog: 0 };
    for (let slice = 0; slice < settings.slices; slice++) {
      for (const target of slice % 2 === 0 ? [app, baseline] : [baseline, app]) {
        const before = target.statements?.();
        slices.get(target)!.push(
          await runLoad({ targets: target.urls, sends, expected: target.expected!, conversations, maxRounds: settings.rounds, seconds: settings.seconds / settings.slices, runId: nextRun++, stopAtDeadline: settings.slices > 1 }),
        );
        await target.settle();
        if (before && target.statements) {
          const after = target.statements();
          counted.all += after.all - before.all;
          counted.dialog += after.dialog - before.dialog;
        }
        sends.clear();
      }
    }
    return { app: mergeLoads(slices.get(app)!), baseline: mergeLoads(slices.get(baseline)!), counted };
  };
  const full = await sliced(settings.conversations);
  const result: { app: MeasuredLoad; baseline: MeasuredLoad } = {
    app: { ...full.app, statementsPerTurn: full.counted.all / Math.max(1, full.app.turns), dialogStatementsPerTurn: full.counted.dialog / Math.max(1, full.app.turns) },
    baseline: full.baseline,
  };
  if (settings.conversations !== 10) {
    const at10 = await sliced(10);
    result.app.at10 = at10.app;
    result.baseline.at10 = at10.baseline;
  }
  return result;
}

/** Reports carry figures, not every sample. */
function withoutSamples(load: MeasuredLoad): MeasuredLoad {
  const { samples: _samples, at10, ...rest } = load;
  return { ...rest, ...(at10 ? { at10: (({ samples: _s, ...r }) => r)(at10) } : {}) };
}

async function webhookScenarios(settings: Settings): Promise<NonNullable<BenchReport['webhook']>> {
  const graph = await FakeGraph.start(ACCESS_TOKEN);
  const sends = new SendLog(graph);
  try {
    const setups: WebhookRow[] = [];
    const onApps = async (setup: string, kind: 'sqlite' | 'postgresql', instances: number, runId: number) => {
      let baseline: MeasuredLoad | undefined;
      const result = await attempt(setup, async () => {
        const db = await throwawayDb(kind);
        const bare = await startBaseline(graph.url);
        const apps: Awaited<ReturnType<typeof startApp>>[] = [];
        try {
          for (let i = 0; i < instances; i++) apps.push(await startApp(db.url, graph.url));
          const app: Target = {
            urls: apps.map((a) => a.url),
            settle: async () => void (await Promise.all(apps.map((a) => a.app.whatsapp!.idle()))),
            statements: () => ({
              all: apps.reduce((sum, a) => sum + a.app.db.statements.count, 0),
              dialog: apps.reduce((sum, a) => sum + a.app.db.statements.dialogCount, 0),
            }),
          };
          const pair = await measurePair(settings, app, { urls: [bare.url], settle: async () => undefined }, sends, runId);
          baseline = pair.baseline;
          return pair.app;
        } finally {
          for (const { app } of apps) await app.close();
          await bare.close();
          await db.close();
        }
      });
      setups.push({ setup, result: failed(result) ? result : withoutSamples(result), ...(baseline ? { baseline } : {}) });
    };
    if (settings.scenarios.includes('a')) await onApps('(a) app, SQLite, 1 instance', 'sqlite', 1, 20);
    if (settings.scenarios.includes('b')) {
      await onApps('(b) app, PostgreSQL, 1 instance', 'postgresql', 1, 40);
      await onApps('(b) app, PostgreSQL, 2 instances (requests alternated)', 'postgresql', 2, 60);
    }
    const runs = setups.flatMap((s) => (s.baseline ? [s.baseline] : []));
    const pooled: Outcome<MeasuredLoad> = runs.length
      ? { ...mergeLoads(runs), ...(runs.every((r) => r.at10) ? { at10: mergeLoads(runs.map((r) => r.at10!)) } : {}) }
      : { error: 'no setup ran' };
    for (const s of setups) if (s.baseline) s.baseline = withoutSamples(s.baseline);
    return { baseline: failed(pooled) ? pooled : withoutSamples(pooled), setups };
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
    const headers = ['setup', 'turns', 'turns/s', 'turns/s ÷ baseline', 'p50 ms', 'p99 ms', 'p50 × baseline', 'ack p50 ms', 'ack p99 ms', 'p99 ms at 10', 'p50 ms at 10', 'p99 at 10 × baseline', 'statements/turn', 'of which dialog', 'errors', 'mismatched'];
    const row = (label: string, r: MeasuredLoad, reference?: MeasuredLoad) => [
      label,
      r.turns,
      round(r.turnsPerSecond, 1),
      reference ? round(r.turnsPerSecond / reference.turnsPerSecond, 3) : '',
      round(r.latency.p50, 2),
      round(r.latency.p99, 2),
      reference ? round(r.latency.p50 / reference.latency.p50, 1) : '',
      round(r.ack.p50, 2),
      round(r.ack.p99, 2),
      r.at10 ? round(r.at10.latency.p99, 2) : '',
      r.at10 ? round(r.at10.latency.p50, 2) : '',
      r.at10 && reference?.at10 ? round(r.at10.latency.p99 / reference.at10.latency.p99, 2) : '',
      r.statementsPerTurn === undefined ? '' : round(r.statementsPerTurn, 1),
      r.dialogStatementsPerTurn === undefined ? '' : round(r.dialogStatementsPerTurn, 1),
      r.errors,
      r.mismatched,
    ];
    const rows: (string | number)[][] = [];
    if (!failed(baseline)) rows.push(row('baseline: restify + signature + 1 POST (all its slices)', baseline));
    for (const { setup, result, baseline: paired } of setups) {
      if (failed(result)) continue;
      if (paired) rows.push(row('  baseline, in turns with the next row', paired));
      rows.push(row(setup, result, paired));
    }
    out.push('p99 at 10 × baseline: the reply p99 at 10 conversations over its baseline\'s, a figure that travels between machines (issue 14 asked for 50 ms where the baseline\'s was 16 ms: 3.1 ×).');
    if (s.slices > 1) out.push(`Each setup and a bare baseline took turns in ${s.slices} slices of ${round(s.seconds / s.slices, 1)} s (at 100 and at 10); each setup is divided by its own baseline's slices.`);
    out.push('', table(headers, rows));
    for (const { setup, result } of [{ setup: 'baseline', result: baseline }, ...setups]) if (failed(result)) out.push(`${setup}: failed: ${result.error}`);
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
