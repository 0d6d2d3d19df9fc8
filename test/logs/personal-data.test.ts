import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';
import { startTestApp, type RunningApp } from '../helpers/app';
import { FakeGraph, messages, optionsOf, signature, textOf, webhookPayload, type SentMessage } from '../helpers/fake-graph';

const ACCESS_TOKEN = 'EAA-pii-test-token';
const APP_SECRET = 'pii-test-app-secret-0123456789';
const PHONE_NUMBER_ID = '106540352242977';
const WA_ID = '573157654321';
const DOCUMENT = '1029384756';
const EMAIL = 'camila.rojas@example.com';
const NAME = 'Camila Rojas Pérez';
const DESCRIPTION_MARKER = 'paquete de 4 gigas que nunca activé';

/**
 * Ley 1581: no document, phone number, e-mail or message text in plain application logs. A whole
 * filing on WhatsApp runs with debug logging, and every log line is searched for what the user typed.
 */
describe('logs of a full journey hold no personal data', () => {
  let graph: FakeGraph;
  let running: RunningApp;
  const lines: string[] = [];

  beforeAll(async () => {
    graph = await FakeGraph.start(ACCESS_TOKEN);
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    running = await startTestApp(
      {
        WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
        WHATSAPP_APP_SECRET: APP_SECRET,
        WHATSAPP_VERIFY_TOKEN: 'pii-verify',
        WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
        WHATSAPP_API_BASE_URL: graph.url,
      },
      undefined,
      { logger: createLogger('debug', sink) },
    );
  });

  afterAll(async () => {
    await running?.close();
    await graph?.close();
  });

  async function say(message: Record<string, unknown>): Promise<SentMessage[]> {
    const before = graph.sent(WA_ID).length;
    const body = JSON.stringify(webhookPayload(PHONE_NUMBER_ID, { messages: [message] }));
    const response = await fetch(`${running.url}/api/whatsapp`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': signature(body, APP_SECRET) },
      body,
    });
    expect(response.status).toBe(200);
    await running.app.whatsapp!.idle();
    return graph.sent(WA_ID).slice(before);
  }

  async function tap(replies: SentMessage[], title: RegExp): Promise<SentMessage[]> {
    const interactive = [...replies].reverse().find((m) => m.type === 'interactive');
    const option = interactive && optionsOf(interactive).find((o) => title.test(o.title));
    if (!option) throw new Error(`no option ${title} in ${JSON.stringify(replies.map(textOf))}`);
    const reply = interactive!.interactive!.type === 'list' ? messages.listReply(WA_ID, option) : messages.buttonReply(WA_ID, option);
    return say(reply);
  }

  it('files a PQR with name, document, e-mail and phone, and none of them is logged', async () => {
    let replies = await say(messages.text(WA_ID, `me cobraron un ${DESCRIPTION_MARKER} y me quitaron el saldo`));
    replies = await tap(replies, /^Acepto$/);
    replies = await tap(replies, /^No$/);
    replies = await say(messages.text(WA_ID, NAME));
    replies = await tap(replies, /ciudadan/i);
    replies = await say(messages.text(WA_ID, DOCUMENT));
    replies = await say(messages.text(WA_ID, EMAIL));
    replies = await tap(replies, /^Es todo$/);
    replies = await tap(replies, /^(Sí, es|Reclamo)/);
    replies = await tap(replies, /^Por correo$/);
    replies = await tap(replies, /^Sí, radicar$/);
    expect(replies.map(textOf).join('\n')).toMatch(/CUN: \*?\d{4}-\d{2}-\d{10}/);

    // Provoke the rejection paths too: they log, and must not log the body.
    const forged = JSON.stringify(webhookPayload(PHONE_NUMBER_ID, { messages: [messages.text(WA_ID, `soy ${NAME}, cc ${DOCUMENT}`)] }));
    const rejected = await fetch(`${running.url}/api/whatsapp`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': 'sha256=00' }, body: forged });
    expect(rejected.status).toBe(403);

    expect(lines.length).toBeGreaterThan(3);
    const log = lines.join('\n');
    for (const secret of [WA_ID, WA_ID.slice(2), DOCUMENT, EMAIL, 'Camila', DESCRIPTION_MARKER]) {
      expect({ secret, found: log.includes(secret) }).toEqual({ secret, found: false });
    }
  });
});
