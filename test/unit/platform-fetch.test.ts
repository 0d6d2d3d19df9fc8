import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { platformFetch } from '../../src/channels/platform-fetch';
import { transient } from '../../src/channels/retry';

/**
 * The fetch the Graph client is given (undici's `request` behind fetch's signature): answers read
 * as fetch's are, and failures shaped as fetch's so the retry policy judges them the same way.
 */
describe('platformFetch', () => {
  let server: http.Server;
  let base: string;
  const fetch2s = platformFetch(2_000);
  const seen: { method?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      // Not chained: restify, loaded by other suites in the same worker, patches writeHead to return nothing.
      const answer = (status: number, headers: http.OutgoingHttpHeaders, body: string | Buffer) => {
        res.writeHead(status, headers);
        res.end(body);
      };
      req.on('end', () => {
        seen.push({ method: req.method, headers: req.headers, body });
        if (req.url === '/json') answer(200, { 'Content-Type': 'application/json', 'Retry-After': '3' }, '{"messages":[{"id":"wamid.1"}]}');
        else if (req.url === '/fail') answer(503, { 'Content-Type': 'text/plain' }, 'busy');
        else if (req.url === '/slow') setTimeout(() => answer(200, {}, 'late'), 1_000);
        else if (req.url === '/bytes') answer(200, { 'Content-Type': 'image/png' }, Buffer.from([1, 2, 3]));
        else answer(404, {}, '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await fetch2s.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends the method, headers and body, and reads status, headers and JSON', async () => {
    const response = await fetch2s(`${base}/json`, { method: 'POST', headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' }, body: '{"to":"57300"}' });
    expect(response.ok).toBe(true);
    expect(response.status).toBe(200);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(response.headers.get('Content-Type')).toBe('application/json');
    expect(response.headers.get('x-missing')).toBeNull();
    expect(await response.json()).toEqual({ messages: [{ id: 'wamid.1' }] });
    const request = seen.at(-1)!;
    expect(request).toMatchObject({ method: 'POST', body: '{"to":"57300"}' });
    expect(request.headers.authorization).toBe('Bearer t');
  });

  it('gives a server error as a response that is not ok, with its text', async () => {
    const response = await fetch2s(`${base}/fail`);
    expect(response.ok).toBe(false);
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('busy');
  });

  it('reads a binary body whole', async () => {
    const response = await fetch2s(`${base}/bytes`);
    expect([...new Uint8Array(await response.arrayBuffer())]).toEqual([1, 2, 3]);
  });

  it('gives up on a server that does not answer in time, as a retryable TimeoutError', async () => {
    const quick = platformFetch(100);
    const error = await quick(`${base}/slow`).catch((e: unknown) => e);
    await quick.close();
    expect((error as Error).name).toBe('TimeoutError');
    expect(transient(error)).toBe(true);
  });

  it('turns a refused connection into fetch\'s TypeError, which the retry policy retries', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await fetch2s(`http://127.0.0.1:${port}/json`).catch((e: unknown) => e);
    expect((error as Error).name).toBe('TypeError');
    expect((error as Error).message).toBe('fetch failed');
    expect(transient(error)).toBe(true);
  });

  it('passes an abort on as an AbortError', async () => {
    const controller = new AbortController();
    const pending = fetch2s(`${base}/slow`, { signal: controller.signal }).catch((e: unknown) => e);
    controller.abort();
    expect((await pending as Error).name).toBe('AbortError');
  });
});
