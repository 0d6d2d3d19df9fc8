import fc from 'fast-check';
import { startTestApp, type RunningApp } from '../helpers/app';
import { edgeString, fuzz, HEAP_MARGIN_MB, hostileBody, MAX_BODY_BYTES, report, RSS_MARGIN_MB, send, urlPart, type FuzzRequest, PAYLOADS_PER_ROUTE } from './harness';

const SECRET = 'fuzz-directline-secret-0123456789';

describe('fuzz: /v3/directline/* (real server)', () => {
  let running: RunningApp;
  let conversationId: string;
  let token: string;

  beforeAll(async () => {
    running = await startTestApp({
      MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      DIRECTLINE_SECRET: SECRET,
      // The per-IP limit on new conversations would answer almost everything with 429: raised so bodies are exercised.
      WEBCHAT_NEW_CONVERSATIONS_PER_SECOND: '1000000',
      WEBCHAT_NEW_CONVERSATIONS_BURST: '1000000',
    });
    const started = await fetch(`${running.url}/v3/directline/conversations`, { method: 'POST', headers: { Authorization: `Bearer ${SECRET}` } });
    ({ conversationId, token } = (await started.json()) as { conversationId: string; token: string });
  });

  afterAll(async () => {
    await running?.app.webchat.idle();
    await running?.close();
  });

  it(`answers ${PAYLOADS_PER_ROUTE} token, conversation and activity requests without a 5xx, every 4xx with a JSON reason, memory flat, server alive`, async () => {
    const auth = fc.constantFrom<() => string | undefined>(
      () => `Bearer ${token}`,
      () => `Bearer ${token}`,
      () => `Bearer ${SECRET}`,
      () => undefined,
      () => 'Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.x',
      () => `Bearer ${token.slice(0, -2)}xx`,
      () => 'Basic abc',
      () => 'Bearer',
    );
    const conversation = fc.oneof({ weight: 6, arbitrary: fc.constant('') }, { weight: 2, arbitrary: edgeString.map((s) => urlPart(s.slice(0, 80))) }, { weight: 1, arbitrary: fc.constantFrom('..', '%2e%2e', '%', '%zz', 'a/b') });
    /**
     * Activities as Web Chat posts them. Most are typing, unknown types or events without a name,
     * refused or answered before a turn; about one in forty is a message that runs a turn.
     */
    const activity = fc
      .record({
        type: fc.oneof({ weight: 1, arbitrary: fc.constant('message') }, { weight: 39, arbitrary: fc.constantFrom('typing', 'event', 'x', '', 'conversationUpdate', 'invoke') }),
        text: edgeString,
        locale: fc.constantFrom('es-CO', 'en', '"><script>', 'x'.repeat(50)),
        clientActivityID: fc.string({ maxLength: 120 }),
      })
      .map((a) => ({ type: a.type, text: a.text, locale: a.locale, from: { id: 'forged-user', name: a.text.slice(0, 120) }, channelData: { clientActivityID: a.clientActivityID }, value: { a: a.text } }));
    const userRequest = fc.record({ user: fc.record({ id: fc.oneof(fc.stringMatching(/^[\w.:@-]{1,64}$/), edgeString) }) });

    const request: fc.Arbitrary<FuzzRequest> = fc
      .tuple(
        fc.constantFrom('tokens/generate', 'tokens/refresh', 'conversations', 'conversation', 'activities/get', 'activities/post', 'activities/post', 'activities/post', 'unknown'),
        fc.oneof(hostileBody(activity), hostileBody(userRequest)),
        auth,
        conversation,
        fc.oneof(fc.constant(''), fc.nat().map(String), edgeString.map(urlPart)),
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
      )
      .map(([endpoint, { kind, body, contentType }, authorization, convo, watermark, unknownMethod]) => {
        const id = convo || conversationId;
        const paths: Record<string, [string, string]> = {
          'tokens/generate': ['POST', '/v3/directline/tokens/generate'],
          'tokens/refresh': ['POST', '/v3/directline/tokens/refresh'],
          conversations: ['POST', '/v3/directline/conversations'],
          conversation: ['GET', `/v3/directline/conversations/${id}`],
          'activities/get': ['GET', `/v3/directline/conversations/${id}/activities?watermark=${watermark}`],
          'activities/post': ['POST', `/v3/directline/conversations/${id}/activities`],
          unknown: [unknownMethod, `/v3/directline/${convo || 'x'}/${watermark}`],
        };
        const [method, path] = paths[endpoint];
        const header = authorization();
        return {
          kind: `${endpoint} ${kind}`,
          method,
          path,
          headers: { 'Content-Type': contentType, ...(header !== undefined ? { Authorization: header } : {}) },
          body: method === 'GET' ? undefined : body,
        };
      });

    const result = await fuzz(running.url, request, { maxMs: 120_000, afterBatch: () => running.app.webchat.idle() });
    const inbound = await running.db.prisma.directLineActivity.count();
    console.log(`${report('/v3/directline/*', result)}; activities stored (inbound and replies): ${inbound}`);

    expect(result.failures.slice(0, 3)).toEqual([]);
    expect(result.sent).toBe(PAYLOADS_PER_ROUTE);
    expect(result.statuses[200]).toBeGreaterThan(PAYLOADS_PER_ROUTE / 20);
    expect(result.heapAfterMb - result.heapBeforeMb).toBeLessThan(HEAP_MARGIN_MB);
    expect(result.rssAfterMb - result.rssBeforeMb).toBeLessThan(RSS_MARGIN_MB);
    expect((await send(running.url, { kind: 'health', method: 'GET', path: '/healthz', headers: {} })).status).toBe(200);
    // The run stops itself at maxMs; jest's default 60 s would close the server under it first on a busy machine.
  }, 150_000);
});
