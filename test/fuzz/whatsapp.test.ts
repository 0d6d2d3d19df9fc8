import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { startTestApp, type RunningApp } from '../helpers/app';
import { FakeGraph } from '../helpers/fake-graph';
import { edgeString, fuzz, HEAP_MARGIN_MB, hostileBody, MAX_BODY_BYTES, report, RSS_MARGIN_MB, send, urlPart, type FuzzRequest, PAYLOADS_PER_ROUTE } from './harness';

const ACCESS_TOKEN = 'EAAfuzz-access-token';
const APP_SECRET = 'fuzz-app-secret-0123456789';
const VERIFY_TOKEN = 'fuzz-verify-token';
const PHONE_NUMBER_ID = '106540352242922';

const sign = (body: Buffer) => `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}`;

/**
 * A webhook as Meta posts it. Most name another business number, so the route checks, parses and
 * acknowledges them but no turn runs; about one in sixty is for this bot's number and reaches the
 * dialogs (the test bounds how many did).
 */
const webhook = fc.record({
  ours: fc.integer({ min: 0, max: 59 }).map((n) => n === 0),
  from: fc.stringMatching(/^57[0-9]{10}$/),
  id: fc.uuid().map((u) => `wamid.FUZZ${u}`),
  type: fc.constantFrom('text', 'interactive', 'image', 'audio', 'sticker', 'location', 'contacts', 'unsupported', 'reaction', 'button'),
  text: edgeString,
  status: fc.constantFrom('sent', 'delivered', 'read', 'failed', 'deleted', ''),
  withStatus: fc.boolean(),
}).map(({ ours, from, id, type, text, status, withStatus }) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: '102290129340398',
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15550783881', phone_number_id: ours ? PHONE_NUMBER_ID : '999000111222333' },
            contacts: [{ profile: { name: text.slice(0, 30) }, wa_id: from }],
            messages: [
              {
                from,
                id,
                timestamp: String(1_795_000_000),
                type,
                text: { body: text },
                interactive: { type: 'button_reply', button_reply: { id: text.slice(0, 10), title: text.slice(0, 20) } },
                image: { id: 'media-1', mime_type: 'image/jpeg' },
              },
            ],
            ...(withStatus ? { statuses: [{ id: `wamid.OUT${id}`, status, timestamp: '1795000000', recipient_id: from }] } : {}),
          },
        },
      ],
    },
  ],
}));

const signedPost: fc.Arbitrary<FuzzRequest> = hostileBody(webhook).map(({ kind, body, contentType }) => ({
  kind: `signed ${kind}`,
  method: 'POST',
  path: '/api/whatsapp',
  headers: { 'Content-Type': contentType, 'X-Hub-Signature-256': sign(body ?? Buffer.alloc(0)) },
  body,
}));

const unsignedPost: fc.Arbitrary<FuzzRequest> = fc
  .tuple(hostileBody(webhook), fc.option(fc.oneof(fc.string({ maxLength: 80 }), fc.stringMatching(/^sha256=[0-9a-f]{64}$/)), { nil: undefined }))
  .map(([{ kind, body, contentType }, header]) => ({
    kind: `unsigned ${kind}`,
    method: 'POST',
    path: '/api/whatsapp',
    headers: { 'Content-Type': contentType, ...(header !== undefined ? { 'X-Hub-Signature-256': header.replace(/[^\x20-\x7e]/g, '') } : {}) },
    body,
  }));

const handshake: fc.Arbitrary<FuzzRequest> = fc
  .record({ mode: fc.constantFrom('subscribe', 'unsubscribe', ''), token: fc.oneof(fc.constant(VERIFY_TOKEN), fc.string()), challenge: fc.string(), extra: fc.string() })
  .map(({ mode, token, challenge, extra }) => ({
    kind: 'handshake',
    method: 'GET',
    path: `/api/whatsapp?hub.mode=${urlPart(mode)}&hub.verify_token=${urlPart(token)}&hub.challenge=${urlPart(challenge)}&${urlPart(extra)}=${urlPart(extra)}`,
    headers: {},
  }));

describe('fuzz: POST/GET /api/whatsapp (real server, fake Graph on 127.0.0.1)', () => {
  let running: RunningApp;
  let graph: FakeGraph;

  beforeAll(async () => {
    graph = await FakeGraph.start(ACCESS_TOKEN);
    running = await startTestApp({
      MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
      WHATSAPP_APP_SECRET: APP_SECRET,
      WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
      WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
      WHATSAPP_API_BASE_URL: graph.url,
    });
  });

  afterAll(async () => {
    await running?.app.whatsapp?.idle();
    await running?.close();
    await graph?.close();
  });

  it(`answers ${PAYLOADS_PER_ROUTE} signed, unsigned and handshake payloads without a 5xx, every 4xx with a JSON reason, memory flat, server alive`, async () => {
    const arbitrary = fc.oneof({ weight: 85, arbitrary: signedPost }, { weight: 10, arbitrary: unsignedPost }, { weight: 5, arbitrary: handshake });
    const result = await fuzz(running.url, arbitrary, {
      maxMs: 120_000,
      // Turns of the few messages for this number finish before memory is measured.
      afterBatch: () => running.app.whatsapp!.idle(),
    });
    const turns = await running.db.prisma.inboundMessage.count({ where: { channel: 'whatsapp' } });
    console.log(`${report('/api/whatsapp', result)}; messages that reached the dialogs: ${turns}`);

    expect(result.failures.slice(0, 3)).toEqual([]);
    expect(result.sent).toBe(PAYLOADS_PER_ROUTE);
    expect(result.statuses[200]).toBeGreaterThan(PAYLOADS_PER_ROUTE / 10);
    expect(turns).toBeLessThan(400);
    expect(result.heapAfterMb - result.heapBeforeMb).toBeLessThan(HEAP_MARGIN_MB);
    expect(result.rssAfterMb - result.rssBeforeMb).toBeLessThan(RSS_MARGIN_MB);
    expect((await send(running.url, { kind: 'health', method: 'GET', path: '/healthz', headers: {} })).status).toBe(200);
    // The run stops itself at maxMs; jest's default 60 s would close the server under it first on a busy machine.
  }, 150_000);
});
