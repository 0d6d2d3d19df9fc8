import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { startTestApp, type RunningApp } from '../helpers/app';
import { FakeConnector } from '../helpers/fake-connector';
import { edgeString, fuzz, HEAP_MARGIN_MB, hostileBody, MAX_BODY_BYTES, noServerErrorAndJsonReasons, report, RSS_MARGIN_MB, send, type Check, type FuzzRequest, PAYLOADS_PER_ROUTE } from './harness';

describe('fuzz: POST /api/messages, anonymous (fake connector on 127.0.0.1)', () => {
  let running: RunningApp;
  let connector: FakeConnector;

  beforeAll(async () => {
    connector = await FakeConnector.start();
    running = await startTestApp({ MAX_BODY_BYTES: String(MAX_BODY_BYTES), BOTFRAMEWORK_ANONYMOUS: 'true' });
  });

  afterAll(async () => {
    await running?.close();
    await connector?.close();
  });

  it(`answers ${PAYLOADS_PER_ROUTE} activities without a 5xx, every 4xx with a JSON reason, memory flat, server alive`, async () => {
    /**
     * Activities in the Emulator's shape. Replies go to the activity's serviceUrl, so only the fake
     * connector on loopback is ever a valid one; most carry a serviceUrl that is not a URL and are
     * refused before a turn, about one in sixty runs a turn (the test bounds how many did).
     */
    const activity = fc
      .record({
        reachable: fc.integer({ min: 0, max: 59 }).map((n) => n === 0),
        badUrl: fc.constantFrom('not a url', 'ftp://127.0.0.1/', 'javascript:alert(1)', '', 'file:///etc/passwd'),
        type: fc.constantFrom('message', 'conversationUpdate', 'event', 'typing', 'invoke', 'endOfConversation', 'messageReaction', 'x'),
        text: edgeString,
        channelId: fc.constantFrom('emulator', 'msteams', 'webchat', 'whatsapp', ''),
        conversation: fc.uuid(),
        user: fc.uuid(),
        locale: fc.constantFrom('es-CO', 'en', 'xx-INVALID-locale', ''),
      })
      .map((a) => ({
        type: a.type,
        id: randomUUID(),
        channelId: a.channelId,
        serviceUrl: a.reachable ? connector.url : a.badUrl,
        conversation: { id: `${a.conversation}|livechat` },
        from: { id: a.user, name: a.text.slice(0, 20), role: 'user' },
        recipient: { id: 'bot', name: 'Bot', role: 'bot' },
        locale: a.locale,
        text: a.text,
        name: a.text.slice(0, 10),
        value: { text: a.text },
        timestamp: a.text.slice(0, 24),
        membersAdded: [{ id: a.user }],
        channelData: { clientActivityID: a.text.slice(0, 30) },
      }));
    const request: fc.Arbitrary<FuzzRequest> = fc
      .tuple(hostileBody(activity), fc.option(fc.constantFrom('Bearer x.y.z', 'Basic Zm9vOmJhcg==', 'Bearer', ''), { nil: undefined }))
      .map(([{ kind, body, contentType }, authorization]) => ({
        kind,
        method: 'POST',
        path: '/api/messages',
        headers: { 'Content-Type': contentType, ...(authorization !== undefined ? { Authorization: authorization } : {}) },
        body,
      }));

    // The Bot Framework protocol answers an invoke no handler takes with 501 Not Implemented
    // (what Teams and the Emulator expect), the one 5xx that is an answer rather than a failure.
    const unhandledInvoke = (req: FuzzRequest) => /^\{"type":"invoke"/.test(req.body?.toString('utf8') ?? '') && /json/.test(req.headers['Content-Type']);
    const check: Check = (req, res) => (res.status === 501 && unhandledInvoke(req) ? null : noServerErrorAndJsonReasons(req, res));
    const result = await fuzz(running.url, request, { maxMs: 120_000, checks: [check] });
    const turns = connector.requests.length;
    console.log(`${report('/api/messages', result)}; replies the fake connector received: ${turns}`);

    expect(result.failures.slice(0, 3)).toEqual([]);
    expect(result.sent).toBe(PAYLOADS_PER_ROUTE);
    expect(result.heapAfterMb - result.heapBeforeMb).toBeLessThan(HEAP_MARGIN_MB);
    expect(result.rssAfterMb - result.rssBeforeMb).toBeLessThan(RSS_MARGIN_MB);
    expect((await send(running.url, { kind: 'health', method: 'GET', path: '/healthz', headers: {} })).status).toBe(200);
    // The run stops itself at maxMs; jest's default 60 s would close the server under it first on a busy machine.
  }, 150_000);
});
