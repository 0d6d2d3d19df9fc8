import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { render, type BenchReport } from './run';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

/** The smoke run of `npm run bench`: every scenario runs and reports figures. Speed is never judged here. */
describe('npm run bench -- --quick', () => {
  let report: BenchReport;

  beforeAll(async () => {
    const { stdout } = await promisify(execFile)(TSX, ['test/bench/run.ts', '--quick', '--json'], { cwd: ROOT, timeout: 360_000, maxBuffer: 16 * 1024 * 1024 });
    report = JSON.parse(stdout) as BenchReport;
  }, 370_000);

  const ok = <T extends object>(outcome: T | { error: string } | undefined): T => {
    if (!outcome) throw new Error('scenario missing from the report');
    if ('error' in outcome) throw new Error(`scenario failed: ${outcome.error}`);
    return outcome;
  };

  it('names the machine it ran on', () => {
    expect(report.machine.cpus).toBeGreaterThan(0);
    expect(report.machine.memoryGiB).toBeGreaterThan(0);
    expect(report.machine.node).toBe(process.version);
  });

  it('(a, b) measures webhook turns on the baseline, SQLite, and PostgreSQL with one and two instances', () => {
    const webhook = ok(report.webhook);
    const setups = [{ setup: 'baseline', result: webhook.baseline }, ...webhook.setups];
    expect(setups.map((s) => s.setup)).toEqual([
      'baseline',
      '(a) app, SQLite, 1 instance',
      '(b) app, PostgreSQL, 1 instance',
      '(b) app, PostgreSQL, 2 instances (requests alternated)',
    ]);
    for (const { result } of setups) {
      const r = ok(result);
      expect(r.turns).toBeGreaterThan(0);
      expect(r.turnsPerSecond).toBeGreaterThan(0);
      expect(r.latency.p50).toBeGreaterThan(0);
      expect(r.latency.p99).toBeGreaterThanOrEqual(r.latency.p50);
      expect(r.ack.p50).toBeGreaterThan(0);
    }
    // Every setup has its own baseline, measured in turns with it; the baseline row pools them.
    for (const { baseline } of webhook.setups) expect(baseline?.turns).toBeGreaterThan(0);
    expect(ok(webhook.baseline).turns).toBe(webhook.setups.reduce((sum, s) => sum + (s.baseline?.turns ?? 0), 0));
    // Reports carry figures, not the raw samples.
    expect(JSON.stringify(report)).not.toContain('"samples"');
    // Statements per turn are counted for the app (BEGIN/COMMIT included), not for the baseline.
    for (const { result } of webhook.setups) {
      const r = ok(result) as { statementsPerTurn?: number; dialogStatementsPerTurn?: number };
      expect(r.statementsPerTurn).toBeGreaterThan(0);
      expect(r.dialogStatementsPerTurn).toBeLessThan(r.statementsPerTurn!);
    }
  });

  it('(c) looks PQRs up by CUN among many, finding every one for its owner', () => {
    const status = ok(report.status);
    expect(status.pqrs).toBeGreaterThan(0);
    expect(status.misses).toBe(0);
    for (const figures of [status.app, status.baseline]) {
      expect(figures.latency.p50).toBeGreaterThan(0);
      expect(figures.latency.p99).toBeGreaterThanOrEqual(figures.latency.p50);
      expect(figures.lookupsPerSecond).toBeGreaterThan(0);
    }
  });

  it('(d) reads memory with every conversation in flight', () => {
    const memory = ok(report.memory);
    expect(memory.afterFirst.open).toBe(memory.conversations);
    expect(memory.afterSecond.open).toBe(2 * memory.conversations);
    for (const reading of [memory.before, memory.afterFirst, memory.afterSecond]) {
      expect(reading.rss).toBeGreaterThan(0);
      expect(reading.heapUsed).toBeGreaterThan(0);
    }
    expect(memory.rssPeak).toBeGreaterThanOrEqual(memory.before.rss);
  });

  it('(e) counts NLU classifications per second next to its baseline', () => {
    const nlu = ok(report.nlu);
    expect(nlu.recognize.callsPerSecond).toBeGreaterThan(0);
    expect(nlu.baseline.callsPerSecond).toBeGreaterThan(0);
  });

  it('(f) times the dashboard and the regulatory CSV next to a bare query on the same rows', () => {
    const dashboard = ok(report.dashboard);
    expect(dashboard.pqrs).toBeGreaterThan(0);
    expect(dashboard.cases.map((c) => c.name)).toHaveLength(4);
    for (const latency of dashboard.cases.flatMap((c) => [c.latency, c.baseline])) {
      expect(latency.p50).toBeGreaterThan(0);
      expect(latency.p95).toBeGreaterThanOrEqual(latency.p50);
    }
  });

  it('(g) times the failover after kill -9 next to the same users\' ordinary turns, with nothing lost or duplicated', () => {
    const failover = ok(report.failover);
    expect(failover.baseline.count).toBeGreaterThan(0);
    expect(failover.failover.count).toBeGreaterThan(0);
    expect(failover.failover.max).toBeGreaterThanOrEqual(failover.failover.p50);
    expect(failover.lost).toBe(0);
    expect(failover.duplicated).toBe(0);
    expect(failover.distinctCuns).toBe(failover.users);
  });

  it('(h) starts the deployed process and a bare server, and reads their RSS idle and under load from outside', () => {
    const processes = ok(report.process);
    expect(processes.rows[0].setup).toMatch(/^baseline/);
    expect(processes.rows.at(-1)!.setup).toMatch(/^before/);
    for (const row of processes.rows) {
      expect(row.startMs).toBeGreaterThan(0);
      expect(row.idleRss).toBeGreaterThan(20 * 2 ** 20);
    }
    const loaded = processes.rows.filter((r) => r.load);
    expect(loaded.length).toBeGreaterThanOrEqual(2);
    for (const row of loaded) {
      expect(row.load!.turnsPerSecond).toBeGreaterThan(0);
      expect(row.load!.errors).toBe(0);
      expect(row.load!.peakRss).toBeGreaterThanOrEqual(row.load!.endRss);
    }
  });

  it('prints a table per scenario', () => {
    const text = render(report);
    for (const heading of ['(a, b) WhatsApp webhook', '(c) Status lookup by CUN', '(d) Memory with', '(e) NLU on', "(f) Supervisors' dashboard", '(g) Failover after kill -9', '(h) The server as deployed']) expect(text).toContain(heading);
    expect(text).not.toContain('failed:');
  });
});
