import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { saveAgent } from '../../src/backoffice';
import { MAX_JSON_DEPTH, nestingExceeds } from '../../src/http';
import type { FixedClock } from '../../src/pqr';
import { LOGIN_EMAIL_LIMIT, LOGIN_IP_LIMIT } from '../../src/pqr/lookup-guard';
import { safeEqual } from '../../src/security';
import { startTestApp, type RunningApp } from '../helpers/app';
import { BOOTSTRAP_TOKEN, call } from '../backoffice/helpers';
import { MAX_BODY_BYTES, send } from './harness';

const WHATSAPP = { WHATSAPP_ACCESS_TOKEN: 'EAAlimits', WHATSAPP_APP_SECRET: 'limits-app-secret-0123456789', WHATSAPP_VERIFY_TOKEN: 'limits-verify', WHATSAPP_PHONE_NUMBER_ID: '1065403522', WHATSAPP_API_BASE_URL: 'http://127.0.0.1:9' };
const TELEGRAM = { TELEGRAM_BOT_TOKEN: '7100200300:AAH-limits_0123456789abcdefghij', TELEGRAM_WEBHOOK_SECRET: 'limits-telegram-secret', TELEGRAM_API_ROOT: 'http://127.0.0.1:9' };
const SECRET = 'limits-directline-secret-0123456789';

describe('body limits, nesting, encodings and page headers on every route', () => {
  let running: RunningApp;
  let routes: { path: string; headers: Record<string, string> }[];

  beforeAll(async () => {
    running = await startTestApp({ MAX_BODY_BYTES: String(MAX_BODY_BYTES), DIRECTLINE_SECRET: SECRET, BACKOFFICE_TOKEN: BOOTSTRAP_TOKEN, ...WHATSAPP, ...TELEGRAM });
    const started = (await (await fetch(`${running.url}/v3/directline/conversations`, { method: 'POST', headers: { Authorization: `Bearer ${SECRET}` } })).json()) as { conversationId: string };
    const json = { 'Content-Type': 'application/json' };
    routes = [
      { path: '/api/whatsapp', headers: { ...json, 'X-Hub-Signature-256': 'sha256=00' } },
      { path: '/api/telegram', headers: { ...json, 'X-Telegram-Bot-Api-Secret-Token': TELEGRAM.TELEGRAM_WEBHOOK_SECRET } },
      { path: '/api/messages', headers: json },
      { path: '/v3/directline/tokens/generate', headers: json },
      { path: '/v3/directline/conversations', headers: { ...json, Authorization: `Bearer ${SECRET}` } },
      { path: `/v3/directline/conversations/${started.conversationId}/activities`, headers: { ...json, Authorization: `Bearer ${SECRET}` } },
      { path: '/api/backoffice/login', headers: json },
      { path: '/api/backoffice/pqrs/0100-26-0000000001/answer', headers: { ...json, Authorization: `Bearer ${BOOTSTRAP_TOKEN}` } },
    ];
  });
  afterAll(() => running?.close());

  const post = (path: string, headers: Record<string, string>, body: Buffer) => send(running.url, { kind: 'limit', method: 'POST', path, headers, body });
  const reason = (body: Buffer) => (JSON.parse(body.toString('utf8')) as { error: { code: string; message: string } }).error;

  it('refuses a body over MAX_BODY_BYTES with 413 and a JSON reason, on every route', async () => {
    const body = Buffer.from(JSON.stringify({ text: 'x'.repeat(MAX_BODY_BYTES) }));
    for (const route of routes) {
      const response = await post(route.path, route.headers, body);
      expect({ path: route.path, status: response.status }).toEqual({ path: route.path, status: 413 });
      expect(reason(response.body)).toEqual({ code: 'payload_too_large', message: expect.stringContaining(String(MAX_BODY_BYTES)) });
    }
  });

  it('refuses an oversized chunked body (no Content-Length) the same way', async () => {
    const url = new URL(running.url);
    const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, method: 'POST', path: '/api/messages', headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write('x'.repeat(8 * 1024));
      req.end();
    });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body).error.code).toBe('payload_too_large');
  });

  it('refuses JSON nested deeper than the limit with 400 (before any handler recurses), on every route; the server lives on', async () => {
    const deep = Buffer.from('{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000));
    for (const route of routes) {
      const response = await post(route.path, route.headers, deep);
      expect({ path: route.path, status: response.status }).toEqual({ path: route.path, status: 400 });
      expect(reason(response.body).message).toContain(`nested deeper than ${MAX_JSON_DEPTH}`);
    }
    expect((await send(running.url, { kind: 'health', method: 'GET', path: '/healthz', headers: {} })).status).toBe(200);
  });

  it('counts nesting outside strings only', () => {
    const brackets = '['.repeat(MAX_JSON_DEPTH + 1);
    expect(nestingExceeds(Buffer.from(JSON.stringify({ text: brackets })), MAX_JSON_DEPTH)).toBe(false);
    expect(nestingExceeds(Buffer.from(JSON.stringify({ text: `\\"${brackets}` })), MAX_JSON_DEPTH)).toBe(false);
    expect(nestingExceeds(Buffer.from(brackets), MAX_JSON_DEPTH)).toBe(true);
    expect(nestingExceeds(Buffer.from('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH)), MAX_JSON_DEPTH)).toBe(false);
  });

  it('refuses compressed bodies (a gzip bomb would pass the size limit) and multipart or CSV bodies with 415', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(MAX_BODY_BYTES);
    for (const [headers, body] of [
      [{ 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, bomb],
      [{ 'Content-Type': 'multipart/form-data; boundary=x' }, Buffer.from('--x\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\nhello\r\n--x--\r\n')],
      [{ 'Content-Type': 'text/csv' }, Buffer.from('a,"b\n')],
    ] as [Record<string, string>, Buffer][]) {
      for (const route of routes) {
        const response = await post(route.path, { ...route.headers, ...headers }, body);
        expect({ path: route.path, type: headers['Content-Type'], status: response.status }).toEqual({ path: route.path, type: headers['Content-Type'], status: 415 });
        expect(reason(response.body).code).toBe('unsupported_media_type');
      }
    }
  });

  it('answers a URL over Node\'s header limit with 431 and a JSON reason', async () => {
    const response = await send(running.url, { kind: 'limit', method: 'GET', path: `/api/backoffice/pqrs/${'a'.repeat(20_000)}`, headers: {} });
    expect(response.status).toBe(431);
    expect(reason(response.body).code).toBe('headers_too_large');
  });

  it('serves the web chat page and the back office with CSP, frame-ancestors, X-Frame-Options, nosniff and Referrer-Policy', async () => {
    for (const [path, frames, frameOption] of [
      ['/', "frame-ancestors 'self'", 'SAMEORIGIN'],
      ['/backoffice', "frame-ancestors 'none'", 'DENY'],
    ]) {
      const response = await fetch(`${running.url}${path}`);
      expect(response.status).toBe(200);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'none'");
      expect(csp).toContain(frames);
      expect(response.headers.get('x-frame-options')).toBe(frameOption);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });
});

describe('back-office sign-in: failed attempts limited per e-mail and per IP', () => {
  let running: RunningApp;
  const password = 'correct horse battery';

  beforeAll(async () => {
    running = await startTestApp({ BACKOFFICE_TOKEN: BOOTSTRAP_TOKEN });
    for (const email of ['laura@operador.co', 'pedro@operador.co']) await saveAgent(running.app.db.prisma, { email, name: email, role: 'agent', password });
  });
  afterAll(() => running?.close());

  const login = (email: string, pass: string, headers: Record<string, string> = {}) =>
    fetch(`${running.url}/api/backoffice/login`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify({ email, password: pass }) });

  it('after five wrong passwords for an e-mail, answers 429 with Retry-After and a reason, even for the right password; other e-mails still sign in', async () => {
    for (let i = 0; i < LOGIN_EMAIL_LIMIT.maxFailures; i++) expect((await login('laura@operador.co', `wrong-${i}`)).status).toBe(401);
    const refused = await login(' Laura@Operador.co ', password);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toEqual({ error: { code: 'too_many_attempts', message: expect.stringContaining('Too many failed sign-ins') } });
    expect((await login('pedro@operador.co', password)).status).toBe(200);

    (running.clock as FixedClock).advance(LOGIN_EMAIL_LIMIT.windowMs + 1_000);
    expect((await login('laura@operador.co', password)).status).toBe(200);
  });

  it('after twenty failures from one address, that address is refused for every e-mail; the table keeps no e-mail or IP', async () => {
    const failures = LOGIN_IP_LIMIT.maxFailures;
    for (let i = 0; i < failures; i++) expect((await login(`nobody-${i}@operador.co`, 'wrong')).status).toBe(401);
    const refused = await login('pedro@operador.co', password);
    expect(refused.status).toBe(429);
    expect((await refused.json()).error.code).toBe('too_many_attempts');

    const keys = (await running.app.db.prisma.lookupAttempt.findMany()).map((row) => row.key).join('\n');
    expect(keys).not.toMatch(/operador\.co|127\.0\.0\.1/);
    expect((await call(running.url, 'GET', '/me', { token: BOOTSTRAP_TOKEN })).status).toBe(200);
  });
});

describe('safeEqual', () => {
  it('compares whole strings of any length, empty and non-ASCII included', () => {
    expect(safeEqual('bootstrap-token', 'bootstrap-token')).toBe(true);
    expect(safeEqual('bootstrap-token', 'bootstrap-tokem')).toBe(false);
    expect(safeEqual('bootstrap', 'bootstrap-token')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
    expect(safeEqual('', 'x')).toBe(false);
    expect(safeEqual('ñandú', 'ñandú')).toBe(true);
    expect(safeEqual('\ud800', '\udfff')).toBe(false);
  });
});
