import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRecognizer } from '../../src/nlu';
import { copyCache } from '../../src/nlu/recognizer';
import { NLU_TEST_CACHE } from './app';
import { createPgTestDb, type PgTestDb } from './db';

const ROOT = path.resolve(__dirname, '..', '..');
const ENTRY = path.join(ROOT, 'src', 'index.ts');
// Node itself with tsx's loader (not the tsx CLI, which runs the program in a child of its own):
// the pid is the server's, so a signal reaches the server and nothing else.
const TSX_LOADER = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

export type PgDatabase = PgTestDb;

/** A new, migrated PostgreSQL database for the instances, dropped by `close`. */
export function createPgDatabase(): Promise<PgDatabase> {
  return createPgTestDb('pqr_scale');
}

/**
 * A working directory for instances: no `.env` to pick up, and the trained NLU model in
 * `data/`, so instances load it instead of each training its own at start.
 */
export async function prepareWorkDir(): Promise<{ dir: string; remove(): void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pqr-instances-'));
  const model = path.join(dir, 'data', 'nlu-model.json');
  // Every language's model (data/nlu-model.json and data/nlu-model.en.json).
  copyCache(model, NLU_TEST_CACHE);
  // Trains (and writes) the model only if the copy is missing or stale.
  await createRecognizer({ cacheFile: model });
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One `npm start` of the server as a child process. */
export interface Instance {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
  /** Every JSON log line it wrote so far. */
  readonly logs: Record<string, unknown>[];
  /** Resolves when the process has exited. */
  readonly exited: Promise<Exit>;
  signal(signal: NodeJS.Signals): void;
  /** Whatever state it is in: SIGKILL, and wait for the exit. */
  destroy(): Promise<Exit>;
}

/**
 * Starts the server as production does (`src/index.ts`, configured by the environment only) and
 * resolves once it listens. Its environment is `env` alone, with PORT=0 (the port is read from
 * the start-up log line).
 */
export function startInstance(name: string, workDir: string, env: Record<string, string>, timeoutMs = 30_000): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, ENTRY], {
    cwd: workDir,
    env: { PATH: process.env.PATH ?? '', HOME: workDir, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line));
      } catch {
        stderr.push(line);
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));

  return new Promise<Instance>((resolve, reject) => {
    const fail = (reason: string) => {
      clearInterval(watch);
      child.kill('SIGKILL');
      reject(new Error(`instance ${name} ${reason}; stderr: ${stderr.join('').slice(-2000)}`));
    };
    const started = Date.now();
    const watch = setInterval(() => {
      const listening = logs.find((line) => typeof line.url === 'string' && String(line.msg).startsWith('PQR bot listening'));
      if (listening) {
        clearInterval(watch);
        resolve({
          name,
          pid: child.pid!,
          url: String(listening.url),
          logs,
          exited,
          signal: (signal) => void child.kill(signal),
          destroy: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
            return exited;
          },
        });
      } else if (child.exitCode !== null) fail(`exited with ${child.exitCode} before listening`);
      else if (Date.now() - started > timeoutMs) fail(`did not listen within ${timeoutMs} ms`);
    }, 25);
  });
}

/**
 * A TCP relay on 127.0.0.1 between the server and PostgreSQL, to take the database away and
 * bring it back without touching the machine's PostgreSQL (other tests use it).
 */
export class TcpProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  private constructor(private readonly target: { host: string; port: number }) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await proxy.listen(0);
    return proxy;
  }

  /** Refuses new connections and drops the open ones, as a database that went away. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Accepts connections again on the same port. */
  async restore(): Promise<void> {
    if (!this.server) await this.listen(this.port);
  }

  close(): Promise<void> {
    return this.cut();
  }

  private async listen(port: number): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          this.sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
  }
}

/** Polls `check` every `everyMs` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
