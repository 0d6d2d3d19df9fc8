import http from 'node:http';
import { WhatsAppClient } from '@kapso/whatsapp-cloud-api';
import { verifySignature } from '@kapso/whatsapp-cloud-api/server';
import { Client } from 'pg';
import restify, { type Request, type Response } from 'restify';
import { loadConfig } from '../../src/config';
import { buildApp, listen, type App } from '../../src/index';
import { NLU_TEST_CACHE } from '../helpers/app';
import { createTestDb, type TestDb } from '../helpers/db';
import { FakeGraph, messages, signature, textOf, webhookPayload, type GraphRequest, type SentMessage } from '../helpers/fake-graph';
import { distribution, now, sleep, type Distribution } from './stats';

export const ACCESS_TOKEN = 'EAAbench-access-token';
export const APP_SECRET = 'bench-app-secret-0123456789';
export const VERIFY_TOKEN = 'bench-verify-token';
export const PHONE_NUMBER_ID = '106540352242922';
const WEBHOOK_PATH = '/api/whatsapp';

/**
 * What a user types, step by step: greeting → menu, "consultar" → asks for a CUN, a CUN nobody
 * owns → asks for proof, "cancelar" → back to the menu. Every reply is quick and the same for
 * every user, and one step reads the PQR table, so a turn does what a real one does.
 */
export const SCRIPT = ['hola', 'Consultar una PQR', '0101-26-0000000042', 'cancelar'];

/** The fake Graph's message sends, by recipient, with the moment each arrived. */
export class SendLog {
  private readonly byRecipient = new Map<string, { at: number[]; texts: string[]; waiters: { count: number; resolve: () => void }[] }>();

  constructor(private readonly graph: FakeGraph) {
    // FakeGraph records each request as it arrives; watching that record gives exact arrival times without polling.
    const requests = graph.requests;
    const record = requests.push.bind(requests);
    requests.push = (...items: GraphRequest[]) => {
      for (const request of items) this.observe(request);
      return record(...items);
    };
  }

  count(to: string): number {
    return this.byRecipient.get(to)?.at.length ?? 0;
  }

  texts(to: string, from: number, until: number): string[] {
    return this.byRecipient.get(to)?.texts.slice(from, until) ?? [];
  }

  /** When the `count`-th message to `to` arrived, or null if it did not within `timeoutMs`. */
  async arrival(to: string, count: number, timeoutMs: number): Promise<number | null> {
    const entry = this.entry(to);
    if (entry.at.length < count) {
      let timer: NodeJS.Timeout | undefined;
      const reached = new Promise<void>((resolve) => entry.waiters.push({ count, resolve }));
      const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([reached, expired]);
      clearTimeout(timer);
    }
    return entry.at.length >= count ? entry.at[count - 1] : null;
  }

  /** Forgets what was recorded here and in the fake Graph, so memory figures leave the load generator out. */
  clear(): void {
    this.byRecipient.clear();
    this.graph.requests.length = 0;
  }

  private entry(to: string) {
    let entry = this.byRecipient.get(to);
    if (!entry) this.byRecipient.set(to, (entry = { at: [], texts: [], waiters: [] }));
    return entry;
  }

  private observe(request: GraphRequest): void {
    if (request.method !== 'POST' || !request.path.endsWith('/messages') || !request.body) return;
    const message = request.body as SentMessage;
    const entry = this.entry(String(message.to ?? message.recipient));
    entry.at.push(now());
    entry.texts.push(textOf(message));
    entry.waiters = entry.waiters.filter((w) => (w.count <= entry.at.length ? (w.resolve(), false) : true));
  }
}

// Like Meta, a bounded number of connections carries every conversation; a burst of a thousand new ones would overflow the listen backlog.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** POSTs a signed webhook as Meta does; resolves with the HTTP status once the response has been read. */
export async function postWebhook(baseUrl: string, payload: unknown): Promise<number> {
  const body = JSON.stringify(payload);
  const headers = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'X-Hub-Signature-256': signature(body, APP_SECRET) };
  for (let attempt = 1; ; attempt++) {
    try {
      return await new Promise<number>((resolve, reject) => {
        const request = http.request(`${baseUrl}${WEBHOOK_PATH}`, { method: 'POST', agent, headers }, (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        });
        request.on('error', (error: NodeJS.ErrnoException) => reject(Object.assign(error, { reusedSocket: request.reusedSocket })));
        request.end(body);
      });
    } catch (error) {
      // A kept-alive socket the server closed as idle just as it was reused: the request never
      // arrived, so sending it again (as Meta would) is safe; the wamid is the same anyway.
      const stale = (error as { reusedSocket?: boolean; code?: string }).reusedSocket && (error as { code?: string }).code === 'ECONNRESET';
      if (!stale || attempt >= 3) throw error;
    }
  }
}

const textMessage = (waId: string, text: string) => webhookPayload(PHONE_NUMBER_ID, { messages: [messages.text(waId, text)] });

/** The replies a target gives to each step of the script, learned from one unhurried conversation. */
export async function calibrate(target: string, sends: SendLog, waId: string, settle: () => Promise<void>): Promise<string[][]> {
  const replies: string[][] = [];
  for (const text of SCRIPT) {
    const before = sends.count(waId);
    const status = await postWebhook(target, textMessage(waId, text));
    if (status !== 200) throw new Error(`calibration: ${target} answered ${status}`);
    await settle();
    // Quiet for a while: every reply of the turn has arrived (sends may follow the turn, e.g. through an outbox).
    let seen = -1;
    while (seen !== sends.count(waId)) {
      seen = sends.count(waId);
      await sleep(150);
    }
    replies.push(sends.texts(waId, before, seen));
    if (seen === before) throw new Error(`calibration: no reply to step ${replies.length} from ${target}`);
  }
  return replies;
}

export interface LoadOptions {
  /** Instances to post to, in turn. */
  targets: string[];
  sends: SendLog;
  expected: string[][];
  conversations: number;
  /** Each conversation runs the script this many times at most (a new user each time)… */
  maxRounds: number;
  /** …and starts no new round after this many seconds. */
  seconds: number;
  /** Two digits that keep this run's users apart from every other run's. */
  runId: number;
  stepTimeoutMs?: number;
  /** Stop every conversation at the deadline, mid-script (a slice of an interleaved run), instead of finishing its round. */
  stopAtDeadline?: boolean;
  /** A pause after each reply before the user's next message, as a person reading (default none: the next message at once). */
  thinkMs?: number;
}

export interface LoadResult {
  conversations: number;
  turns: number;
  turnsPerSecond: number;
  /** From the POST to the fake Graph receiving the turn's last reply, ms. */
  latency: Distribution;
  /** From the POST to the 200, ms. */
  ack: Distribution;
  /** Turns whose replies did not all arrive in time, or were refused. */
  errors: number;
  /** Turns whose replies differ from the calibrated ones (e.g. state read before another instance saved it). */
  mismatched: number;
  elapsedSeconds: number;
  /** The raw samples, for merging slices (see `mergeLoads`); dropped before reporting. */
  samples?: { latencies: number[]; acks: number[] };
}

/** Slices of one load (the same target, run at different times) as one result: turns and time summed, samples pooled. */
export function mergeLoads(slices: LoadResult[]): LoadResult {
  const latencies = slices.flatMap((s) => s.samples?.latencies ?? []);
  const acks = slices.flatMap((s) => s.samples?.acks ?? []);
  const elapsed = slices.reduce((sum, s) => sum + s.elapsedSeconds, 0);
  return {
    conversations: slices[0]?.conversations ?? 0,
    turns: latencies.length,
    turnsPerSecond: latencies.length / elapsed,
    latency: distribution(latencies),
    ack: distribution(acks),
    errors: slices.reduce((sum, s) => sum + s.errors, 0),
    mismatched: slices.reduce((sum, s) => sum + s.mismatched, 0),
    elapsedSeconds: elapsed,
    samples: { latencies, acks },
  };
}

export const userId = (runId: number, conversation: number, round: number) =>
  `57${String(runId).padStart(2, '0')}${String(conversation).padStart(4, '0')}${String(round).padStart(4, '0')}`;

/** `conversations` users at once, each going through the script and waiting for the bot's answer before the next step. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { targets, sends, expected } = options;
  const stepTimeoutMs = options.stepTimeoutMs ?? 15_000;
  const latencies: number[] = [];
  const acks: number[] = [];
  let errors = 0;
  let mismatched = 0;
  let posted = 0;
  const started = now();
  const deadline = started + options.seconds * 1000;

  async function conversation(index: number): Promise<void> {
    for (let round = 0; round < options.maxRounds && now() < deadline; round++) {
      const waId = userId(options.runId, index, round);
      for (let step = 0; step < SCRIPT.length; step++) {
        if (options.stopAtDeadline && now() >= deadline) return;
        const before = sends.count(waId);
        const want = before + expected[step].length;
        const target = targets[posted++ % targets.length];
        const t0 = now();
        const status = await postWebhook(target, textMessage(waId, SCRIPT[step])).catch(() => 0);
        acks.push(now() - t0);
        const arrived = status === 200 ? await sends.arrival(waId, want, stepTimeoutMs) : null;
        if (arrived === null) {
          errors++;
          // This user's state is unknown now: the next round starts a new one.
          break;
        }
        latencies.push(arrived - t0);
        if (sends.texts(waId, before, want).join('\n') !== expected[step].join('\n')) mismatched++;
        if (options.thinkMs) await new Promise((resolve) => setTimeout(resolve, options.thinkMs));
      }
    }
  }

  await Promise.all(Array.from({ length: options.conversations }, (_, i) => conversation(i)));
  const elapsed = (now() - started) / 1000;
  return {
    conversations: options.conversations,
    turns: latencies.length,
    turnsPerSecond: latencies.length / elapsed,
    latency: distribution(latencies),
    ack: distribution(acks),
    errors,
    mismatched,
    elapsedSeconds: elapsed,
    samples: { latencies, acks },
  };
}

/** Drives `conversations` users to the middle of the script at once (each then awaits a CUN), for memory figures. */
export async function openConversations(target: string, sends: SendLog, expected: string[][], runId: number, conversations: number, steps: number): Promise<number> {
  let open = 0;
  await Promise.all(
    Array.from({ length: conversations }, async (_, i) => {
      const waId = userId(runId, i, 0);
      let want = 0;
      for (let step = 0; step < steps; step++) {
        want += expected[step].length;
        if ((await postWebhook(target, textMessage(waId, SCRIPT[step]))) !== 200) return;
        if ((await sends.arrival(waId, want, 60_000)) === null) return;
      }
      open++;
    }),
  );
  return open;
}

/** The whole server as `npm start` builds it; with `graphUrl`, WhatsApp is switched on by its settings and pointed at the fake Graph. */
export async function startApp(databaseUrl: string, graphUrl?: string, env: Record<string, string> = {}): Promise<{ app: App; url: string }> {
  const whatsapp = graphUrl
    ? {
        WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
        WHATSAPP_APP_SECRET: APP_SECRET,
        WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
        WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
        WHATSAPP_API_BASE_URL: graphUrl,
      }
    : {};
  const config = loadConfig({ DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', DIRECTLINE_SECRET: 'bench-directline-secret-0123456789', ...whatsapp, ...env });
  const app = await buildApp(config, { nluCacheFile: NLU_TEST_CACHE });
  if (graphUrl && !app.whatsapp) throw new Error('the WhatsApp channel did not switch on');
  return { app, url: await listen(app) };
}

/**
 * The bare minimum a WhatsApp bot must do per message, as the yardstick: restify with the same
 * body parsing, the same signature check on the raw body, a 200, and one POST to the same fake
 * Graph through the same client library. No database, no dialog.
 */
export async function startBaseline(graphUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = restify.createServer({ name: 'bench-baseline', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: 1_048_576, mapParams: false }));
  const client = new WhatsAppClient({
    accessToken: ACCESS_TOKEN,
    baseUrl: graphUrl,
    fetch: (input, init) => fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(10_000) }),
  });
  server.post(WEBHOOK_PATH, async (req: Request, res: Response) => {
    const header = req.headers['x-hub-signature-256'];
    const raw = (req as { rawBody?: string | Buffer }).rawBody ?? '';
    if (typeof header !== 'string' || !verifySignature({ appSecret: APP_SECRET, rawBody: raw, signatureHeader: header })) {
      res.json(403, { error: 'signature' });
      return;
    }
    const from = (req.body as { entry?: { changes?: { value?: { messages?: { from?: string }[] } }[] }[] }).entry?.[0]?.changes?.[0]?.value?.messages?.[0]?.from;
    res.json(200, { received: true });
    if (from) await client.messages.sendText({ phoneNumberId: PHONE_NUMBER_ID, to: from, body: 'echo' }).catch(() => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A throwaway database from the test helper: SQLite, or PostgreSQL through its TEST_DATABASE
 * switch. Closing it first waits (a few seconds at most) until the apps' connections are gone:
 * pg's `pool.end()` resolves before its sockets close, and a connection still open when the
 * helper drops the database is terminated with an error event nobody listens to.
 */
export async function throwawayDb(kind: 'sqlite' | 'postgresql'): Promise<TestDb> {
  const previous = process.env.TEST_DATABASE;
  if (kind === 'postgresql') process.env.TEST_DATABASE = 'postgresql';
  else delete process.env.TEST_DATABASE;
  let db: TestDb;
  try {
    db = await createTestDb();
  } finally {
    if (previous === undefined) delete process.env.TEST_DATABASE;
    else process.env.TEST_DATABASE = previous;
  }
  if (kind === 'sqlite') return db;
  const close = db.close;
  return {
    ...db,
    close: async () => {
      await waitForNoSessions(db.url, 5_000);
      await close();
    },
  };
}

async function waitForNoSessions(url: string, timeoutMs: number): Promise<void> {
  const database = new URL(url).pathname.slice(1);
  const admin = new Client({ connectionString: url.replace(/\/[^/]*$/, '/postgres') });
  await admin.connect();
  try {
    const deadline = now() + timeoutMs;
    while (now() < deadline) {
      const { rows } = await admin.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [database]);
      if (Number(rows[0].n) === 0) return;
      await sleep(20);
    }
  } finally {
    await admin.end();
  }
}
