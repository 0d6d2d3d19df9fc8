import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { LOCALES } from '../../src/i18n';
import { DEFAULT_CACHE_FILE, loadOrTrain } from '../../src/nlu/recognizer';
import { FakeGraph } from '../helpers/fake-graph';
import { fullGc, mib, now, round, sleep, table } from './stats';
import { ACCESS_TOKEN, APP_SECRET, calibrate, openConversations, PHONE_NUMBER_ID, runLoad, SendLog, startApp, throwawayDb, userId, VERIFY_TOKEN } from './webhook';

export interface MemoryReading {
  /** Conversations open (mid-dialog, awaiting a CUN) at this reading. */
  open: number;
  rss: number;
  heapUsed: number;
  /** Memory outside V8's heap that V8 knows of (Buffers and the like). */
  external: number;
}

export interface MemoryResult {
  /** Conversations started at once in each burst. */
  conversations: number;
  /** Steps of the script each conversation went through. */
  steps: number;
  /** How long the first burst took to reach every conversation's reply. */
  seconds: number;
  /** Pause after each burst before its reading. */
  settleSeconds: number;
  before: MemoryReading;
  /** Highest RSS sampled from the first burst to the last reading. */
  rssPeak: number;
  afterFirst: MemoryReading;
  /** A second burst of new users on top: tells growth per conversation from a one-off high-water mark. */
  afterSecond: MemoryReading;
}

function reading(open: number): MemoryReading {
  fullGc();
  const { rss, heapUsed, external } = process.memoryUsage();
  return { open, rss, heapUsed, external };
}

/**
 * RSS of the app with `conversations` users mid-dialog: all start at once, each answers the
 * menu and is left waiting for a CUN; then as many again. Readings after a full GC, with the fake
 * Graph's and the load generator's records dropped first.
 */
export async function runMemory(options: { conversations: number; settleSeconds: number }): Promise<MemoryResult> {
  const db = await throwawayDb('sqlite');
  const graph = await FakeGraph.start(ACCESS_TOKEN);
  const sends = new SendLog(graph);
  let running: Awaited<ReturnType<typeof startApp>> | undefined;
  try {
    running = await startApp(db.url, graph.url);
    const { app, url } = running;
    const whatsapp = app.whatsapp!;
    const expected = await calibrate(url, sends, userId(80, 9999, 0), () => whatsapp.idle());
    await runLoad({ targets: [url], sends, expected, conversations: 20, maxRounds: 1, seconds: 30, runId: 81 });
    await whatsapp.idle();
    sends.clear();
    const before = reading(0);

    let peak = before.rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
    const steps = 2;
    let open = 0;
    const burst = async (runId: number) => {
      open += await openConversations(url, sends, expected, runId, options.conversations, steps);
      await whatsapp.idle();
      sends.clear();
      // Idle kept-alive sockets to the fake Graph and 10-second request timers outlive the burst a
      // little: wait them out, so the reading is what the open conversations hold.
      await sleep(options.settleSeconds * 1000);
      return reading(open);
    };
    const started = now();
    const afterFirst = await burst(82);
    const seconds = (now() - started) / 1000;
    const afterSecond = await burst(83);
    clearInterval(sampler);
    return { conversations: options.conversations, steps, seconds, settleSeconds: options.settleSeconds, before, rssPeak: Math.max(peak, afterFirst.rss, afterSecond.rss), afterFirst, afterSecond };
  } finally {
    await running?.app.close();
    await graph.close();
    await db.close();
  }
}

// ——— (h) the process as deployed: start time, RSS idle and under load, read from outside ———

const ROOT = path.resolve(__dirname, '../..');

/** Resident memory of `pid` and every process under it (npm → sh → node), from /proc: what the machine pays; no GC is forced. */
export function treeRss(pid: number): number {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may contain spaces and parentheses: fields resume after the last ')'.
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  let bytes = 0;
  for (const p of tree) {
    try {
      const kib = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))?.[1];
      bytes += Number(kib ?? 0) * 1024;
    } catch {
      // exited meanwhile
    }
  }
  return bytes;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Spawned {
  pid: number;
  url: string;
  /** From spawn to the first 200 of GET /healthz. */
  startMs: number;
  stop(): Promise<void>;
}

/** Spawns a server in its own process group and waits for /healthz; a fresh SQLite file each time. */
async function spawnServer(command: string, args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<Spawned> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pqr-bench-start-'));
  const started = now();
  const child = spawn(command, args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `file:${path.join(dataDir, 'pqr.db')}`, LOG_LEVEL: 'warn' },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    const killer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 10_000);
    await exit;
    clearTimeout(killer);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  for (;;) {
    if (exited) throw new Error(`${command} ${args.join(' ')} exited before answering /healthz: ${stderr.trim()}`);
    if (now() - started > timeoutMs) {
      await stop();
      throw new Error(`${command} ${args.join(' ')} did not answer /healthz within ${timeoutMs / 1000} s`);
    }
    const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    await sleep(10);
  }
  return { pid: child.pid!, url, startMs: now() - started, stop };
}

export interface ProcessRow {
  setup: string;
  /** Median of the starts, ms, spawn → /healthz 200 on a fresh SQLite file. */
  startMs: number;
  starts: number[];
  /** RSS of the whole process tree `settleSeconds` after the last start, nothing forced. */
  idleRss: number;
  load?: { turnsPerSecond: number; errors: number; peakRss: number; endRss: number };
}

export interface ProcessResult {
  settleSeconds: number;
  conversations: number;
  seconds: number;
  rows: ProcessRow[];
}

/** The node flags `npm start` passes (package.json), so the bench measures what it runs. */
function startFlags(): string[] {
  const start = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;
  return /\bnode ((?:--\S+ )*)dist\/src\/index\.js/.exec(start)?.[1].trim().split(' ').filter(Boolean) ?? [];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/**
 * (h) The server as it is deployed, measured from outside its process: time from spawn to
 * /healthz 200 on a fresh SQLite file (the NLU model already built, as `npm install` leaves it),
 * RSS of the process tree once idle, then RSS sampled every 50 ms during a WhatsApp webhook load
 * and at its end. Nothing forces a GC: the figures are what the machine pays. The baseline is a
 * bare restify webhook (bare-server.js) run the same way, in the same run.
 */
export async function runProcesses(options: { starts: number; settleSeconds: number; conversations: number; seconds: number }): Promise<ProcessResult> {
  // `npm start` builds dist/ when a source is newer; do it here so no start below pays for it.
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js'), '--if-stale'], { cwd: ROOT, stdio: 'ignore' });
  for (const locale of LOCALES) loadOrTrain(DEFAULT_CACHE_FILE, locale);
  const graph = await FakeGraph.start(ACCESS_TOKEN);
  const sends = new SendLog(graph);
  const env = {
    WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
    WHATSAPP_APP_SECRET: APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
    WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
    WHATSAPP_API_BASE_URL: graph.url,
    DIRECTLINE_SECRET: 'bench-directline-secret-0123456789',
  };
  const node = process.execPath;
  const flags = startFlags();
  const setups: { setup: string; command: string; args: string[]; load: boolean }[] = [
    { setup: 'baseline: bare restify webhook (node)', command: node, args: ['test/bench/bare-server.js'], load: true },
    { setup: `app: node ${[...flags, ''].join(' ')}dist/src/index.js (what npm start runs)`, command: node, args: [...flags, 'dist/src/index.js'], load: true },
    ...(flags.length ? [{ setup: 'app: node dist/src/index.js (V8 defaults)', command: node, args: ['dist/src/index.js'], load: true }] : []),
    { setup: 'app: npm start (npm + sh + node)', command: 'npm', args: ['start', '--silent'], load: false },
    { setup: 'before: tsx src/index.ts (the former npm start, without npm)', command: node, args: [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'src/index.ts'], load: false },
  ];
  const rows: ProcessRow[] = [];
  try {
    let runId = 90;
    for (const { setup, command, args, load } of setups) {
      const starts: number[] = [];
      let last: Spawned | undefined;
      for (let i = 0; i < options.starts; i++) {
        await last?.stop();
        last = await spawnServer(command, args, env);
        starts.push(last.startMs);
      }
      const server = last!;
      try {
        await sleep(options.settleSeconds * 1000);
        const row: ProcessRow = { setup, startMs: median(starts), starts, idleRss: treeRss(server.pid) };
        if (load) {
          // Another process answers: wait for the step's first reply to reach the fake Graph (calibrate then waits for quiet).
          const waId = userId(runId, 9999, 0);
          let seen = 0;
          const firstReply = async () => {
            for (const deadline = now() + 30_000; sends.count(waId) === seen && now() < deadline; ) await sleep(20);
            seen = sends.count(waId);
          };
          const expected = await calibrate(server.url, sends, waId, firstReply);
          let peak = 0;
          const sampler = setInterval(() => (peak = Math.max(peak, treeRss(server.pid))), 50);
          try {
            const result = await runLoad({ targets: [server.url], sends, expected, conversations: options.conversations, maxRounds: 9_999, seconds: options.seconds, runId: runId + 1 });
            const endRss = treeRss(server.pid);
            row.load = { turnsPerSecond: result.turnsPerSecond, errors: result.errors, peakRss: Math.max(peak, endRss), endRss };
          } finally {
            clearInterval(sampler);
            sends.clear();
          }
          runId += 2;
        }
        rows.push(row);
      } finally {
        await server.stop();
      }
    }
  } finally {
    await graph.close();
  }
  return { settleSeconds: options.settleSeconds, conversations: options.conversations, seconds: options.seconds, rows };
}

export function renderProcesses(r: ProcessResult): string {
  const base = r.rows[0];
  const rows = r.rows.map((row) => [
    row.setup,
    Math.round(row.startMs),
    row === base ? '' : round(row.startMs / base.startMs, 1),
    mib(row.idleRss),
    row === base ? '' : round(row.idleRss / base.idleRss, 1),
    row.load ? mib(row.load.peakRss) : '',
    row.load ? mib(row.load.endRss) : '',
    row.load ? round(row.load.turnsPerSecond, 1) : '',
    row.load ? row.load.errors : '',
  ]);
  return [
    `(h) The server as deployed, measured from outside: spawn → GET /healthz 200 on a fresh SQLite file (median of ${r.rows[0]?.starts.length ?? 0} starts; the NLU model built at install),`,
    `RSS of the process tree ${r.settleSeconds} s after start, then sampled every 50 ms while ${r.conversations} WhatsApp conversations run for ${r.seconds} s. No GC is forced.`,
    '',
    table(['process', 'start ms', 'start × baseline', 'idle RSS MiB', 'idle × baseline', 'load peak RSS MiB', 'load end RSS MiB', 'turns/s', 'errors'], rows),
  ].join('\n');
}
