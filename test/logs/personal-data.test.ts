import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';
import { startTestApp, type RunningApp } from '../helpers/app';
import { FakeGraph, messages, webhookPayload } from '../helpers/fake-graph';
import { TestSmtpServer } from '../helpers/smtp';
import { textsOf, whatsAppEnv, WhatsAppUser } from '../helpers/whatsapp-user';

const ACCESS_TOKEN = 'EAA-pii-test-token';
const APP_SECRET = 'pii-test-app-secret-0123456789';
const PHONE_NUMBER_ID = '106540352242977';
const WA_ID = '573157654321';
const DOCUMENT = '1029384756';
const EMAIL = 'camila.rojas@example.com';
const NAME = 'Camila Rojas Pérez';
const IDS = { accessToken: ACCESS_TOKEN, appSecret: APP_SECRET, phoneNumberId: PHONE_NUMBER_ID };
const DESCRIPTION_MARKER = 'paquete de 4 gigas que nunca activé';

/**
 * Ley 1581: no document, phone number, e-mail or message text in plain application logs. A whole
 * filing on WhatsApp runs with debug logging, and every log line is searched for what the user typed.
 */
describe('logs of a full journey hold no personal data', () => {
  let graph: FakeGraph;
  let running: RunningApp;
  let user: WhatsAppUser;
  let smtp: TestSmtpServer;
  const lines: string[] = [];

  beforeAll(async () => {
    graph = await FakeGraph.start(ACCESS_TOKEN);
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    smtp = await TestSmtpServer.start();
    running = await startTestApp({ ...whatsAppEnv(graph, IDS), SMTP_URL: smtp.url }, undefined, { logger: createLogger('debug', sink) });
    user = new WhatsAppUser(running, graph, IDS, WA_ID);
  });

  afterAll(async () => {
    await running?.close();
    await graph?.close();
    await smtp?.close();
  });

  it('files a PQR with name, document, e-mail and phone, and none of them is logged', async () => {
    let replies = await user.say(`me cobraron un ${DESCRIPTION_MARKER} y me quitaron el saldo`);
    replies = await user.tap(replies, /^Acepto$/);
    replies = await user.tap(replies, /^No$/);
    replies = await user.say(NAME);
    replies = await user.tap(replies, /ciudadan/i);
    replies = await user.say(DOCUMENT);
    replies = await user.say(EMAIL);
    replies = await user.tap(replies, /^Es todo$/);
    replies = await user.tap(replies, /^(Sí, es|Reclamo)/);
    replies = await user.tap(replies, /^Por correo$/);
    replies = await user.tap(replies, /^Sí, radicar$/);
    expect(textsOf(replies)).toMatch(/CUN: \*?\d{4}-\d{2}-\d{10}/);
    const cun = /\d{4}-\d{2}-\d{10}/.exec(textsOf(replies))![0];

    // Someone else proves ownership with the document and a one-time code by e-mail.
    const other = new WhatsAppUser(running, graph, IDS, '573150000001');
    await other.say(`consultar ${cun}`);
    replies = await other.say(DOCUMENT);
    replies = await other.tap(replies, /^Enviar código$/);
    const code = /\b(\d{6})\b/.exec(smtp.received.at(-1)!.text)![1];
    expect(textsOf(await other.say(code))).toContain('Confirmamos que eres el titular');

    // Provoke the rejection paths too: they log, and must not log the body.
    const forged = JSON.stringify(webhookPayload(PHONE_NUMBER_ID, { messages: [messages.text(WA_ID, `soy ${NAME}, cc ${DOCUMENT}`)] }));
    const rejected = await fetch(`${running.url}/api/whatsapp`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': 'sha256=00' }, body: forged });
    expect(rejected.status).toBe(403);

    expect(lines.length).toBeGreaterThan(3);
    const log = lines.join('\n');
    for (const secret of [WA_ID, WA_ID.slice(2), DOCUMENT, EMAIL, 'Camila', DESCRIPTION_MARKER, code]) {
      expect({ secret, found: log.includes(secret) }).toEqual({ secret, found: false });
    }
  });
});
