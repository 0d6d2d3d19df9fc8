/**
 * `npm run bench:profile`: the app's turns alone (no baseline), for finding where a turn's CPU
 * goes. The bench's script runs with CONV conversations (default 10) for SECS seconds (default 8),
 * each user pausing THINK ms after each reply (default 0: the next message at once),
 * on KIND (sqlite, or postgresql), after a warm-up; it prints turns/s, reply p50/p99, CPU per turn
 * (the load generator and the fake Graph included: they share the process; of it, the kernel's) and statements per
 * turn. With PROF=file.cpuprofile the measured part is also profiled (V8's sampling profiler,
 * 100 µs; it slows the run by about half), to open in Chrome's DevTools.
 */
import { Session } from 'node:inspector/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import { FakeGraph } from '../helpers/fake-graph';
import { ACCESS_TOKEN, calibrate, runLoad, SendLog, startApp, throwawayDb, userId } from './webhook';

/** CPU time used by every process on the machine so far, ms (from /proc/stat; 0 where there is none). */
function machineCpuMs(): number {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    const busy = fields.slice(0, 8).reduce((sum, value, i) => (i === 3 || i === 4 ? sum : sum + value), 0);
    return (busy * 1000) / 100;
  } catch {
    return 0;
  }
}

async function main() {
  const conversations = Number(process.env.CONV ?? 10);
  const seconds = Number(process.env.SECS ?? 8);
  const graph = await FakeGraph.start(ACCESS_TOKEN);
  const sends = new SendLog(graph);
  const db = await throwawayDb((process.env.KIND as 'sqlite') ?? 'sqlite');
  const { app, url } = await startApp(db.url, graph.url);
  const settle = async () => void (await app.whatsapp!.idle());
  const expected = await calibrate(url, sends, userId(20, 9999, 0), settle);
  await runLoad({ targets: [url], sends, expected, conversations: 20, maxRounds: 2, seconds: 5, runId: 21 });
  await settle();
  sends.clear();
  const session = new Session();
  session.connect();
  if (process.env.PROF) {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
  }
  const cpu0 = process.cpuUsage();
  const machine0 = machineCpuMs();
  const st0 = app.db.statements.count;
  const thinkMs = Number(process.env.THINK ?? 0);
  const r = await runLoad({ targets: [url], sends, expected, conversations, maxRounds: 1000, seconds, runId: 22, thinkMs });
  await settle();
  const cpu = process.cpuUsage(cpu0);
  const machineMs = machineCpuMs() - machine0;
  if (process.env.PROF) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(process.env.PROF, JSON.stringify(profile));
  }
  console.log(JSON.stringify({ kind: process.env.KIND ?? 'sqlite', conversations, thinkMs, turns: r.turns, turnsPerSecond: Math.round(r.turnsPerSecond), p50ms: Math.round(r.latency.p50), p99ms: Math.round(r.latency.p99), ackP99ms: Math.round(r.ack.p99), errors: r.errors, mismatched: r.mismatched, cpuMsPerTurn: ((cpu.user + cpu.system) / 1000 / r.turns).toFixed(2), systemCpuMsPerTurn: (cpu.system / 1000 / r.turns).toFixed(2), machineCpuMsPerTurn: (machineMs / r.turns).toFixed(2), statementsPerTurn: ((app.db.statements.count - st0) / r.turns).toFixed(1) }));
  await app.close();
  await db.close();
  await graph.close();
}
void main();
