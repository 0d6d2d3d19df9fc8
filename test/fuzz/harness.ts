import http from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';

/** Every run is reproducible: FUZZ_SEED=<n> replays one. */
export const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
/** The fuzz servers' body limit: small, so oversized bodies are cheap to send. */
export const MAX_BODY_BYTES = 64 * 1024;
/** 10,000 per route with `npm run fuzz`; CI runs a lighter 4,000 (FUZZ_PAYLOADS sets it) to keep the whole suite short. */
export const PAYLOADS_PER_ROUTE = Number(process.env.FUZZ_PAYLOADS ?? (process.env.CI ? 4_000 : 10_000));
const CONCURRENCY = 16;
const BATCH = 500;
/** Payloads sent before memory is first measured: code compiled, pools and caches filled. */
const WARM_UP = 2_000;

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** What this payload is, for the failure report. */
  kind: string;
}

export interface FuzzResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

export interface Failure {
  kind: string;
  contentType: string;
  method: string;
  path: string;
  status: number;
  problem: string;
  body: string;
}

export type Check = (request: FuzzRequest, response: FuzzResponse) => string | null;

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

/**
 * One request on a kept-alive connection; the body is sent as given, bytes and all.
 * A kept-alive socket that the server closed for idleness just as it was reused (after a long
 * GC between batches, say) is reset before any byte of the answer: that request never reached
 * the server, so it is sent once more on a fresh socket, as Node's documentation advises
 * (`request.reusedSocket`). A reset on a fresh socket, or after the answer began, is a failure.
 */
export async function send(baseUrl: string, request: FuzzRequest): Promise<FuzzResponse> {
  try {
    return await sendOnce(baseUrl, request);
  } catch (error) {
    // On a fresh connection: the pool's other idle sockets were likely closed at the same moment.
    if ((error as NodeJS.ErrnoException).code === 'ECONNRESET' && (error as { reusedSocket?: boolean }).reusedSocket) return sendOnce(baseUrl, request, false);
    throw error;
  }
}

function sendOnce(baseUrl: string, request: FuzzRequest, pooled = true): Promise<FuzzResponse> {
  const url = new URL(baseUrl);
  let answered = false;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent: pooled ? agent : false,
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.path,
        headers: { ...request.headers, ...(request.body ? { 'Content-Length': String(request.body.length) } : {}) },
        timeout: 30_000,
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${request.method} ${request.path}`)));
    req.on('error', (error) => {
      // Only a reset before the answer began may be retried: mark whether the socket was a reused one.
      if (req.reusedSocket && !answered) Object.assign(error, { reusedSocket: true });
      reject(error);
    });
    req.end(request.body);
  });
}

/** No 5xx, and every 4xx says why in JSON (`{ error: { code, message } }`). */
export const noServerErrorAndJsonReasons: Check = (_request, response) => {
  if (response.status >= 500) return `status ${response.status}`;
  if (response.status >= 400) {
    if (!/json/.test(response.contentType)) return `${response.status} without a JSON body (${response.contentType || 'no content type'})`;
    try {
      const parsed = JSON.parse(response.body.toString('utf8')) as { error?: { code?: unknown; message?: unknown } };
      if (typeof parsed.error?.code !== 'string' || typeof parsed.error.message !== 'string' || !parsed.error.message) return `${response.status} without error.code/message`;
    } catch {
      return `${response.status} with a body that is not JSON`;
    }
  }
  return null;
};

export interface FuzzResult {
  sent: number;
  statuses: Record<number, number>;
  failures: Failure[];
  ms: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  heapBeforeMb: number;
  heapAfterMb: number;
}

const exposedGc = (): (() => void) => {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
};

function memory(gc: () => void): { rss: number; heap: number } {
  gc();
  gc();
  const usage = process.memoryUsage();
  return { rss: usage.rss / 2 ** 20, heap: usage.heapUsed / 2 ** 20 };
}

/**
 * Sends `count` payloads drawn from `arbitrary` (fast-check, seeded) with CONCURRENCY requests
 * in flight, checking each response; memory is measured after the warm-up and at the end,
 * after a full GC both times.
 * Bounded by count and by `maxMs`.
 */
export async function fuzz(
  baseUrl: string,
  arbitrary: fc.Arbitrary<FuzzRequest>,
  options: { count?: number; maxMs: number; checks?: Check[]; seed?: number; afterBatch?: () => Promise<void> },
): Promise<FuzzResult> {
  const count = options.count ?? PAYLOADS_PER_ROUTE;
  const checks = options.checks ?? [noServerErrorAndJsonReasons];
  const gc = exposedGc();
  const started = Date.now();
  const statuses: Record<number, number> = {};
  const failures: Failure[] = [];
  let sent = 0;
  let before = { rss: 0, heap: 0 };
  for (let batch = 0; sent < count && Date.now() - started < options.maxMs; batch++) {
    const requests = fc.sample(arbitrary, { numRuns: Math.min(BATCH, count - sent), seed: (options.seed ?? SEED) + batch });
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const request = requests[next++];
        let response: FuzzResponse;
        try {
          response = await send(baseUrl, request);
        } catch (error) {
          failures.push({ kind: request.kind, contentType: request.headers['Content-Type'] ?? '', method: request.method, path: request.path.slice(0, 120), status: 0, problem: `no response: ${(error as Error).message}`, body: preview(request.body) });
          continue;
        }
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
        for (const check of checks) {
          const problem = check(request, response);
          if (problem) failures.push({ kind: request.kind, contentType: request.headers['Content-Type'] ?? '', method: request.method, path: request.path.slice(0, 120), status: response.status, problem, body: preview(request.body) });
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    sent += requests.length;
    await options.afterBatch?.();
    if (sent === WARM_UP) before = memory(gc);
  }
  const after = memory(gc);
  return { sent, statuses, failures, ms: Date.now() - started, rssBeforeMb: before.rss, rssAfterMb: after.rss, heapBeforeMb: before.heap, heapAfterMb: after.heap };
}

function preview(body: Buffer | undefined): string {
  if (!body) return '';
  const text = body.subarray(0, 300).toString('utf8');
  return body.length > 300 ? `${text}… (${body.length} bytes)` : text;
}

/** One line per route for the test output: what was sent, how it was answered, memory. */
export function report(route: string, result: FuzzResult): string {
  const statuses = Object.entries(result.statuses)
    .map(([status, n]) => `${status}×${n}`)
    .join(' ');
  return (
    `${route}: ${result.sent} payloads in ${(result.ms / 1000).toFixed(1)} s (seed ${SEED}); ${statuses}; ` +
    `RSS ${result.rssBeforeMb.toFixed(0)} → ${result.rssAfterMb.toFixed(0)} MB, heap ${result.heapBeforeMb.toFixed(0)} → ${result.heapAfterMb.toFixed(0)} MB; ` +
    `failures ${result.failures.length}${result.failures.length ? `: ${JSON.stringify(result.failures.slice(0, 5), null, 1)}` : ''}`
  );
}

/** Heap growth allowed between the warm-up and the end: what caches legitimately keep, not a leak per payload. */
export const HEAP_MARGIN_MB = 32;
/** RSS also holds request buffers not yet collected and pages the allocator keeps, so its margin is wider. */
export const RSS_MARGIN_MB = 96;

// ---- Payload generators shared by every route ----

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'text/plain',
  'text/csv',
  'text/tab-separated-values',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  'application/xml',
  'multipart/form-data; boundary=----fuzz',
  'application/jsonx',
  '*/*',
  ';;;',
];

export const contentType = fc.oneof({ weight: 6, arbitrary: fc.constant('application/json') }, { weight: 4, arbitrary: fc.constantFrom(...CONTENT_TYPES) });

/** Strings that break naive handlers: lone surrogates, NUL, bidi overrides, line separators, BOM, emoji, combining marks. */
const UNICODE_EDGES = ['\ud800', '\udfff', '\u0000', '\u202e', '\u2028', '\u2029', '\ufeff', '👩🏽‍💻', 'e\u0301\u0301\u0301', '\uffff', '𝕏', '%00', '${7*7}', '<script>', "'; DROP TABLE Pqr; --", '../../etc/passwd'];

export const edgeString = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40, unit: 'grapheme' }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40, unit: 'binary' }) },
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...UNICODE_EDGES), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 50_000 }).map((n) => 'a'.repeat(n)) },
);

/** A string as one URL path segment or query value; lone surrogates become U+FFFD first, as a browser does. */
export const urlPart = (text: string) => encodeURIComponent(Buffer.from(text, 'utf8').toString('utf8'));

/** Any JSON value, strings included from the edge cases. */
export const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -1, 0, 1e308, -0),
    edgeString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(edgeString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Arrays or objects nested `depth` levels deep, written directly (JSON.stringify would recurse). */
export const deepNesting = fc.tuple(fc.integer({ min: 40, max: 20_000 }), fc.boolean()).map(([depth, arrays]) =>
  arrays ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
);

/** The text of a JSON value, damaged: cut short, a byte changed, a brace dropped, or trailing garbage. */
export function malformed(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(text, fc.nat(), fc.constantFrom('cut', 'flip', 'drop', 'trail', 'quote'), fc.string({ maxLength: 3 })).map(([source, at, how, extra]) => {
    const i = source.length ? at % source.length : 0;
    if (how === 'cut') return source.slice(0, i);
    if (how === 'flip') return source.slice(0, i) + extra + source.slice(i + 1);
    if (how === 'drop') return source.replace(/[}\]]/, '');
    if (how === 'quote') return source.slice(0, i) + '"' + source.slice(i);
    return source + extra + '{';
  });
}

/**
 * A valid template with one change: a node replaced by any JSON value, deleted, or a key added.
 * Paths are collected without recursion; the template is cloned with structuredClone.
 */
export function mutated(template: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.tuple(template, fc.nat(), fc.constantFrom('replace', 'delete', 'add', 'none'), jsonValue, edgeString).map(([source, at, how, value, key]) => {
    if (how === 'none') return source;
    const root = structuredClone(source) as Record<string, unknown>;
    const nodes: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
    const stack: unknown[] = [root];
    while (stack.length) {
      const node = stack.pop();
      if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          nodes.push({ parent: node as Record<string, unknown>, key: Array.isArray(node) ? Number(k) : k });
          stack.push(v);
        }
      }
    }
    if (!nodes.length) return value;
    const target = nodes[at % nodes.length];
    const parent = target.parent as Record<string | number, unknown>;
    if (how === 'replace') parent[target.key] = value;
    else if (how === 'delete') delete parent[target.key];
    else {
      const holder = parent[target.key];
      if (holder && typeof holder === 'object' && !Array.isArray(holder)) (holder as Record<string, unknown>)[key] = value;
      else parent[target.key] = { [key]: value };
    }
    return root;
  });
}

/**
 * A body for a JSON route: mostly (mutated) structure from `valid`, otherwise any JSON, malformed
 * JSON, random bytes, deep nesting, an oversized body or nothing; with a random content type.
 */
export function hostileBody(valid: fc.Arbitrary<unknown>, weights: { valid?: number } = {}): fc.Arbitrary<{ kind: string; body: Buffer | undefined; contentType: string }> {
  const text = (kind: string, arbitrary: fc.Arbitrary<string>) => arbitrary.map((s) => ({ kind, body: Buffer.from(s, 'utf8') }));
  return fc
    .tuple(
      fc.oneof(
        { weight: weights.valid ?? 8, arbitrary: text('mutated', mutated(valid).map((v) => JSON.stringify(v) ?? '')) },
        { weight: 3, arbitrary: text('json', jsonValue.map((v) => JSON.stringify(v) ?? 'null')) },
        { weight: 2, arbitrary: text('malformed', malformed(valid.map((v) => JSON.stringify(v) ?? ''))) },
        { weight: 2, arbitrary: fc.uint8Array({ maxLength: 4096 }).map((bytes) => ({ kind: 'bytes', body: Buffer.from(bytes) })) },
        { weight: 1, arbitrary: text('deep', deepNesting) },
        { weight: 1, arbitrary: fc.integer({ min: MAX_BODY_BYTES - 64, max: MAX_BODY_BYTES * 3 }).map((n) => ({ kind: 'huge', body: Buffer.from(`{"text":"${'x'.repeat(n)}"}`) })) },
        { weight: 1, arbitrary: fc.constant({ kind: 'empty', body: undefined as Buffer | undefined }) },
      ),
      contentType,
    )
    .map(([payload, type]) => ({ ...payload, contentType: type }));
}
