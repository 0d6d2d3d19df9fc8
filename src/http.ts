import { BlockList, isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import restify, { type Next, type Request, type Response, type Server } from 'restify';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import { bearerCredential, safeEqual } from './security';

/** A year, with subdomains: what HSTS preload lists ask for. */
const HSTS = 'max-age=31536000; includeSubDomains';

/** Deeper than any payload a channel sends (Meta's webhooks nest about 8 levels), far from what recursion could not handle. */
export const MAX_JSON_DEPTH = 64;

export interface HttpOptions {
  name: string;
  maxBodyBytes: number;
  logger: Logger;
  /** Answers /healthz: true when the database answers. */
  healthy: () => Promise<boolean>;
  metrics: Metrics;
  /** METRICS_TOKEN: when set, /metrics needs it as a bearer. */
  metricsToken?: string;
  /** TRUST_PROXY: the proxy's X-Forwarded-Proto says whether the client used HTTPS (then HSTS is sent). */
  trustProxy: boolean;
}

/**
 * The restify server every channel registers its routes on: body limits, raw body kept for
 * signature checks, JSON errors with a reason, and the health check.
 */
export function createHttpServer(options: HttpOptions): Server {
  const server = restify.createServer({ name: options.name, handleUncaughtExceptions: false });
  // Only the proxy in front knows whether the client came over HTTPS; without it, a client's own header proves nothing.
  if (options.trustProxy) server.pre(strictTransportSecurity);
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(refuseUnreadableBodies);
  server.use(restify.plugins.bodyParser({ maxBodySize: options.maxBodyBytes, mapParams: false, mapFiles: false, keepExtensions: false, rejectUnknown: false }));
  server.use(refuseDeepNesting);

  server.get('/healthz', async (_req: Request, res: Response) => {
    const ok = await options.healthy().catch(() => false);
    res.send(ok ? 200 : 503, ok ? { status: 'ok' } : { status: 'unavailable', reason: 'database' });
  });

  server.get('/metrics', async (req: Request, res: Response) => {
    const { metricsToken } = options;
    const credential = bearerCredential(req.headers.authorization);
    if (metricsToken && !(credential && safeEqual(credential, metricsToken))) {
      sendError(res, 401, 'unauthorized', 'The metrics need "Authorization: Bearer <METRICS_TOKEN>"', { 'WWW-Authenticate': 'Bearer realm="metrics"' });
      return;
    }
    res.sendRaw(200, await options.metrics.registry.metrics(), { 'Content-Type': options.metrics.registry.contentType });
  });

  // Every 4xx, whichever route answered it and however: webhook rejections show up here.
  server.on('after', (req: Request, res: Response) => {
    if (res.statusCode >= 400 && res.statusCode < 500) options.metrics.rejected(req.getRoute()?.path?.toString() ?? 'unmatched', res.statusCode);
  });

  // Node answers requests it cannot parse (a URL or headers over its limit, broken framing) itself,
  // with an empty body; the same answer, with its reason in JSON like every other 4xx.
  server.server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable) return socket.destroy();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const body = JSON.stringify({ error: tooLarge ? { code: 'headers_too_large', message: 'The URL or the headers are too large' } : { code: 'bad_request', message: 'Malformed HTTP request' } });
    const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });

  server.on('restifyError', (req: Request, res: Response, err: Error & { statusCode?: number; body?: unknown }, callback: () => void) => {
    const status = err.statusCode ?? 500;
    // Only the route and the status: the body may hold personal data.
    options.logger.warn({ route: req.getRoute()?.path ?? req.path(), status, error: err.name }, 'request rejected');
    (err as { toJSON?: () => unknown }).toJSON = () => ({ error: { code: errorCode(err.name, status), message: status >= 500 ? 'Internal error' : err.message } });
    callback();
  });
  return server;
}

/**
 * A request refused with a status, a machine-readable code and a reason: every route answers it
 * as `{ error: { code, message } }` (see `sendError`), with `headers` (e.g. Retry-After) set.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The one shape of every error answer: `{ error: { code, message } }`. */
export function sendError(res: Response, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  for (const [header, value] of Object.entries(headers)) res.header(header, value);
  res.json(status, { error: { code, message } });
}

/** Answers a refused request (an HttpError) in the one error shape. */
export function sendHttpError(res: Response, error: HttpError): void {
  sendError(res, error.status, error.code, error.message, error.headers);
}

/**
 * The credential of an `Authorization: Bearer <credential>` header, or undefined when there is
 * none; a header of another shape is refused with 401 (`code` in the route's own style).
 */
export function bearer(req: Request, code = 'unauthorized'): string | undefined {
  const credential = bearerCredential(req.headers.authorization);
  if (credential === null) throw new HttpError(401, code, 'The Authorization header must be "Bearer <token>"');
  return credential;
}

/** The raw bytes the client sent (what a webhook signature covers): restify's body parser keeps them as UTF-8 text, which round-trips for valid JSON. */
export function rawBody(req: Request): Buffer {
  const raw = (req as { rawBody?: unknown }).rawBody ?? (req as { body?: unknown }).body;
  if (Buffer.isBuffer(raw)) return raw;
  return Buffer.from(typeof raw === 'string' ? raw : '', 'utf8');
}

/**
 * The JSON body as the server-wide body parser left it (parsed JSON, or text for other content
 * types, parsed here); undefined when empty; 400 (`code`) when it is not JSON.
 */
export function jsonBody(req: Request, code = 'bad_request'): unknown {
  const body = (req as { body?: unknown }).body;
  if (body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body)) return body;
  return parseJson(rawBody(req).toString('utf8'), code);
}

/** `jsonBody`, or undefined when the body is not JSON (a webhook then answers that it is not the payload it takes). */
export function jsonBodyOrUndefined(req: Request): unknown {
  try {
    return jsonBody(req);
  } catch {
    return undefined;
  }
}

/**
 * `jsonBody`, also on a server without a body parser (the stream is read here, up to `maxBytes`:
 * 413 beyond it).
 */
export async function readJsonBody(req: Request, maxBytes: number, codes = { invalid: 'bad_request', tooLarge: 'payload_too_large' }): Promise<unknown> {
  if ((req as { body?: unknown }).body !== undefined || (req as { rawBody?: unknown }).rawBody !== undefined) return jsonBody(req, codes.invalid);
  if (req.readableEnded) return undefined;
  const tooLarge = () => new HttpError(413, codes.tooLarge, `The body exceeds ${maxBytes} bytes`);
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw tooLarge();
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.on('end', () => (size > maxBytes ? reject(tooLarge()) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
  return parseJson(text, codes.invalid);
}

function parseJson(text: string, code: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, code, 'The body is not valid JSON');
  }
}

/** The client's address: behind a proxy (TRUST_PROXY) the last X-Forwarded-For entry, the one our own proxy added. */
export function clientIp(req: Request, trustProxy: boolean): string {
  const forwarded = trustProxy ? String(req.headers['x-forwarded-for'] ?? '').split(',').pop()?.trim() : undefined;
  return forwarded || req.socket?.remoteAddress || 'unknown';
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (`::ffff:127.0.0.1`); anything else, names included, is not. */
export function isLoopbackAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/^::ffff:(?=\d+\.)/i, '');
  const family = isIP(bare);
  return family !== 0 && LOOPBACK.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

function strictTransportSecurity(req: Request, res: Response, next: Next): void {
  // The last entry is the one our own proxy wrote, as with X-Forwarded-For.
  const proto = String(req.headers['x-forwarded-proto'] ?? '').split(',').pop()?.trim().toLowerCase();
  if (proto === 'https') res.header('Strict-Transport-Security', HSTS);
  next();
}

function refuse(res: Response, next: Next, status: number, code: string, message: string): void {
  sendError(res, status, code, message);
  next(false);
}

/** Types restify's body parser would parse in ways no route wants: uploads to disk, and CSV/TSV whose syntax errors end in a 500. */
const REFUSED_TYPES = /^(multipart\/|text\/csv|text\/tab-separated-values|text\/tsv)/i;

/**
 * No route takes uploads, tables or compressed bodies. Restify's body parser would handle them
 * outside the size limit (multipart files go to disk; a gzip body is limited by its compressed
 * size only, so a small bomb inflates to gigabytes in memory) or fail with a 500 (bad CSV).
 */
function refuseUnreadableBodies(req: Request, res: Response, next: Next): void {
  const encoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== '') return refuse(res, next, 415, 'unsupported_media_type', 'Compressed request bodies are not accepted');
  if (REFUSED_TYPES.test(req.contentType())) return refuse(res, next, 415, 'unsupported_media_type', 'Only JSON bodies are accepted');
  next();
}

/**
 * Arrays and objects nested deeper than MAX_JSON_DEPTH are refused before any handler walks them:
 * JSON.parse copes with any depth, but JSON.stringify, validators and the bot's deep copies
 * recurse and overflow the stack. Counted on the raw text, whatever the content type said.
 */
function refuseDeepNesting(req: Request, res: Response, next: Next): void {
  const raw = (req as { rawBody?: unknown }).rawBody ?? (req as { body?: unknown }).body;
  const text = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.isBuffer(raw) ? raw : null;
  if (text && nestingExceeds(text, MAX_JSON_DEPTH)) return refuse(res, next, 400, 'bad_request', `The body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  next();
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

/** Whether brackets outside JSON strings nest deeper than `max`: one pass over the bytes, no recursion. */
export function nestingExceeds(bytes: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      if (++depth > max) return true;
    } else if ((byte === CLOSE_BRACKET || byte === CLOSE_BRACE) && depth > 0) depth--;
  }
  return false;
}

function errorCode(name: string, status: number): string {
  if (status === 413) return 'payload_too_large';
  if (status === 404) return 'not_found';
  if (status === 400) return 'bad_request';
  if (status === 405) return 'method_not_allowed';
  if (status === 415) return 'unsupported_media_type';
  return name.replace(/Error$/, '').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase() || 'error';
}
