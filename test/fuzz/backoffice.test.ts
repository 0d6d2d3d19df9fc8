import fc from 'fast-check';
import { startTestApp, type RunningApp } from '../helpers/app';
import { BOOTSTRAP_TOKEN, fileCase } from '../backoffice/helpers';
import { edgeString, fuzz, HEAP_MARGIN_MB, hostileBody, MAX_BODY_BYTES, report, RSS_MARGIN_MB, send, urlPart, type FuzzRequest, PAYLOADS_PER_ROUTE } from './harness';

describe('fuzz: /api/backoffice/* and /backoffice (real server, bootstrap token)', () => {
  let running: RunningApp;
  let cuns: string[];

  beforeAll(async () => {
    // Wrong bearers block their address after 20: the right token comes from another address (through a proxy), so the fuzz still reaches the handlers.
    running = await startTestApp({ MAX_BODY_BYTES: String(MAX_BODY_BYTES), BACKOFFICE_TOKEN: BOOTSTRAP_TOKEN, TRUST_PROXY: 'true' });
    // Real cases, so some of the fuzzed actions reach the lifecycle rather than a 404.
    cuns = [];
    for (let i = 0; i < 3; i++) cuns.push((await fileCase(running.app)).cun);
  });

  afterAll(async () => {
    await running?.close();
  });

  it(`answers ${PAYLOADS_PER_ROUTE} requests with random paths, queries and bodies without a 5xx, every 4xx with a JSON reason, memory flat, server alive`, async () => {
    const cun = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...cuns) },
      { weight: 3, arbitrary: fc.stringMatching(/^\d{4}-\d{2}-\d{10}$/) },
      { weight: 3, arbitrary: edgeString.map((s) => urlPart(s.slice(0, 60))) },
      { weight: 1, arbitrary: fc.constantFrom('..', '%2e%2e', '%', '%zz', '%00', 'a%2Fb') },
    );
    const action = fc.record({
      text: edgeString,
      outcome: fc.oneof(fc.constantFrom('favorable', 'desfavorable', 'parcial', 'repone', 'confirma'), edgeString),
      email: fc.oneof(fc.emailAddress(), edgeString),
      password: edgeString,
    });
    const query = fc
      .dictionary(fc.constantFrom('status', 'type', 'brand', 'channel', 'overdue', 'page', 'pageSize', 'from', 'to', 'x'), fc.oneof(edgeString, fc.nat().map(String), fc.constantFrom('radicada', 'reclamo', 'true', '-1', '1e9', '2026-01-01', '2026-02-30', '2016-01-01', 'no_cliente')), { maxKeys: 4 })
      .map((q) => Object.entries(q).map(([k, v]) => `${k}=${urlPart(v)}`).join('&'));
    const token = fc.constantFrom<string | undefined>(BOOTSTRAP_TOKEN, BOOTSTRAP_TOKEN, BOOTSTRAP_TOKEN, undefined, 'bo1.e30.x', `${BOOTSTRAP_TOKEN}x`, '');

    const request: fc.Arbitrary<FuzzRequest> = fc
      .tuple(
        fc.constantFrom('login', 'me', 'options', 'pqrs', 'case', 'attachment', 'answer', 'decision', 'traslado', 'expediente', 'expediente.pdf', 'reports', 'page', 'asset', 'random'),
        hostileBody(action),
        cun,
        query,
        token,
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
        edgeString,
      )
      .map(([endpoint, { kind, body, contentType }, c, q, bearer, randomMethod, segment]) => {
        // Sign-ins all come from the guessing address, so bcrypt runs no more often than with one address.
        const client = bearer === BOOTSTRAP_TOKEN && endpoint !== 'login' ? '198.51.100.1' : '203.0.113.1';
        const routes: Record<string, [string, string]> = {
          login: ['POST', '/api/backoffice/login'],
          me: ['GET', '/api/backoffice/me'],
          options: ['GET', '/api/backoffice/options'],
          pqrs: ['GET', `/api/backoffice/pqrs?${q}`],
          case: ['GET', `/api/backoffice/pqrs/${c}`],
          attachment: ['GET', `/api/backoffice/pqrs/${c}/attachments/${urlPart(segment.slice(0, 20))}`],
          answer: ['POST', `/api/backoffice/pqrs/${c}/answer`],
          decision: ['POST', `/api/backoffice/pqrs/${c}/recurso/decision`],
          traslado: ['POST', `/api/backoffice/pqrs/${c}/traslado`],
          expediente: ['GET', `/api/backoffice/pqrs/${c}/expediente`],
          'expediente.pdf': ['GET', `/api/backoffice/pqrs/${c}/expediente.pdf`],
          // One share for both reports: each reads several tables, so they would slow the run most.
          reports: ['GET', `/api/backoffice/reports/${segment.length % 2 ? 'summary' : 'regulatory.csv'}?${q}`],
          page: ['GET', `/backoffice?${q}`],
          asset: ['GET', `/backoffice/assets/${urlPart(segment.slice(0, 40))}`],
          random: [randomMethod, `/api/backoffice/${urlPart(segment.slice(0, 60))}/${c}?${q}`],
        };
        const [method, path] = routes[endpoint];
        return {
          kind: `${endpoint} ${kind}`,
          method,
          path,
          headers: { 'Content-Type': contentType, 'X-Forwarded-For': client, ...(bearer !== undefined ? { Authorization: `Bearer ${bearer}` } : {}) },
          body: method === 'GET' ? undefined : body,
        };
      });

    const result = await fuzz(running.url, request, { maxMs: 120_000 });
    console.log(report('/api/backoffice/*', result));

    expect(result.failures.slice(0, 3)).toEqual([]);
    expect(result.sent).toBe(PAYLOADS_PER_ROUTE);
    expect(result.statuses[200]).toBeGreaterThan(PAYLOADS_PER_ROUTE / 20);
    // Sign-in guessing from one address ends in 429s well before the run does.
    expect(result.statuses[429]).toBeGreaterThan(0);
    expect(result.heapAfterMb - result.heapBeforeMb).toBeLessThan(HEAP_MARGIN_MB);
    expect(result.rssAfterMb - result.rssBeforeMb).toBeLessThan(RSS_MARGIN_MB);
    expect((await send(running.url, { kind: 'health', method: 'GET', path: '/healthz', headers: {} })).status).toBe(200);
    // The run stops itself at maxMs; jest's default 60 s would close the server under it first on a busy machine.
  }, 150_000);
});
