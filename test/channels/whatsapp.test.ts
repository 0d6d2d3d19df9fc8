import { normalizeWebhook } from '@kapso/whatsapp-cloud-api/server';
import { MessageFactory } from 'botbuilder';
import { buildApp, listen, type App } from '../../src/index';
import { loadConfig } from '../../src/config';
import { Texts, type Translate } from '../../src/i18n';
import { FixedClock } from '../../src/pqr';
import type { WhatsAppChannel } from '../../src/channels/whatsapp';
import { choiceFromId, LIMITS, toWhatsAppMessages } from '../../src/channels/whatsapp/outbound';
import { splitText } from '../../src/channels/text';
import { readMessage, senderOf, toActivity } from '../../src/channels/whatsapp/adapter';
import { NLU_TEST_CACHE } from '../helpers/app';
import { createTestDb, type TestDb } from '../helpers/db';
import { FakeGraph, messages, newWamid, optionsOf, signature, statusUpdate, textOf, webhookPayload, type SentMessage } from '../helpers/fake-graph';

const ACCESS_TOKEN = 'EAAtest-access-token';
const APP_SECRET = 'test-app-secret-0123456789';
const VERIFY_TOKEN = 'test-verify-token';
const PHONE_NUMBER_ID = '106540352242922';
const MAX_BODY_BYTES = 64 * 1024;

describe('WhatsApp Cloud API channel (real server, fake Graph on 127.0.0.1)', () => {
  let db: TestDb;
  let graph: FakeGraph;
  let app: App;
  let whatsapp: WhatsAppChannel;
  let url: string;
  let t: Translate;

  beforeAll(async () => {
    db = await createTestDb();
    graph = await FakeGraph.start(ACCESS_TOKEN);
    // The channel is switched on by its environment variables, as in production.
    const config = loadConfig({
      DATABASE_URL: db.url,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
      WHATSAPP_APP_SECRET: APP_SECRET,
      WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
      WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
      WHATSAPP_API_BASE_URL: graph.url,
    });
    const clock = new FixedClock('2026-11-23T15:00:00Z');
    app = await buildApp(config, { clock, nluCacheFile: NLU_TEST_CACHE });
    t = new Texts({ operator: app.config.operator.name }).for(app.config.defaultLocale);
    whatsapp = app.whatsapp!;
    url = await listen(app);
  });

  afterAll(async () => {
    await whatsapp?.idle();
    await app?.close();
    await graph?.close();
    await db?.close();
  });

  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${url}/api/whatsapp`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });

  /** Posts a payload signed with the app secret, as Meta does. */
  const deliver = (payload: unknown) => {
    const body = JSON.stringify(payload);
    return post(body, { 'X-Hub-Signature-256': signature(body, APP_SECRET) });
  };

  /** One user message: delivered, acknowledged, processed; returns what the bot sent back. */
  async function say(message: Record<string, unknown>): Promise<SentMessage[]> {
    const to = String(message.from);
    const before = graph.sent(to).length;
    const response = await deliver(webhookPayload(PHONE_NUMBER_ID, { messages: [message] }));
    expect(response.status).toBe(200);
    await whatsapp.idle();
    return graph.sent(to).slice(before);
  }

  /** Taps the reply button or list row titled `title` in the last interactive message. */
  function tap(replies: SentMessage[], title: string | RegExp, from: string): Record<string, unknown> {
    const interactive = [...replies].reverse().find((m) => m.type === 'interactive');
    if (!interactive) throw new Error(`no buttons in: ${JSON.stringify(replies.map(textOf))}`);
    const option = optionsOf(interactive).find((o) => (typeof title === 'string' ? o.title === title : title.test(o.title)));
    if (!option) throw new Error(`no option ${title} in: ${textOf(interactive)}`);
    return interactive.interactive!.type === 'list' ? messages.listReply(from, option) : messages.buttonReply(from, option);
  }

  const inboundCount = () => db.prisma.inboundMessage.count({ where: { channel: 'whatsapp' } });

  describe('subscription handshake', () => {
    it('echoes hub.challenge as plain text for the right verify token', async () => {
      const response = await fetch(`${url}/api/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await response.text()).toBe('1158201444');
    });

    it('refuses a wrong verify token with 403', async () => {
      const response = await fetch(`${url}/api/whatsapp?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444`);
      expect(response.status).toBe(403);
      expect(await response.text()).not.toContain('1158201444');
    });
  });

  describe('bad input', () => {
    it('refuses a missing signature (401) and a forged one (403), writing nothing', async () => {
      const before = await inboundCount();
      const message = messages.text('573001110000', 'hola');
      const body = JSON.stringify(webhookPayload(PHONE_NUMBER_ID, { messages: [message] }));

      expect((await post(body, {})).status).toBe(401);
      expect((await post(body, { 'X-Hub-Signature-256': signature(body, 'not-the-app-secret') })).status).toBe(403);
      expect((await post(body, { 'X-Hub-Signature-256': 'sha256=zz' })).status).toBe(403);
      // A valid signature of another body does not cover this one.
      expect((await post(body.replace('hola', 'hola!'), { 'X-Hub-Signature-256': signature(body, APP_SECRET) })).status).toBe(403);

      await whatsapp.idle();
      expect(await inboundCount()).toBe(before);
      expect(await db.prisma.inboundMessage.findFirst({ where: { externalId: String(message.id) } })).toBeNull();
      expect(graph.sent('573001110000')).toEqual([]);
    });

    it('answers 400 to malformed JSON and to JSON that is not a WhatsApp webhook', async () => {
      const malformed = '{"object":"whatsapp_business_account","entry":[';
      expect((await post(malformed, { 'X-Hub-Signature-256': signature(malformed, APP_SECRET) })).status).toBe(400);
      const other = JSON.stringify({ object: 'page', entry: [] });
      expect((await post(other, { 'X-Hub-Signature-256': signature(other, APP_SECRET) })).status).toBe(400);
    });

    it('answers 413 to an oversized body', async () => {
      const message = messages.text('573001110001', 'x'.repeat(MAX_BODY_BYTES + 10));
      const response = await deliver(webhookPayload(PHONE_NUMBER_ID, { messages: [message] }));
      expect(response.status).toBe(413);
      expect(await db.prisma.inboundMessage.findFirst({ where: { externalId: String(message.id) } })).toBeNull();
    });

    it('acknowledges messages with missing fields without recording them', async () => {
      const before = await inboundCount();
      const noSender = { id: newWamid(), timestamp: '1700000000', type: 'text', text: { body: 'hola' } };
      const response = await deliver(webhookPayload(PHONE_NUMBER_ID, { messages: [noSender] }));
      expect(response.status).toBe(200);
      expect(await inboundCount()).toBe(before);
    });

    it('answers an unknown message type (and a sticker) with a polite text, not a crash', async () => {
      const from = '573001110002';
      const unknown = await say(messages.unsupported(from));
      expect(unknown.map(textOf)).toEqual([t('whatsapp.unsupported')]);
      const sticker = await say(messages.sticker(from, 'sticker-1'));
      expect(sticker.map(textOf)).toEqual([t('whatsapp.unsupported')]);
      const rows = await db.prisma.inboundMessage.findMany({ where: { conversationKey: from } });
      expect(rows.map((r) => [r.processedAt !== null, r.lastError])).toEqual([
        [true, null],
        [true, null],
      ]);
    });
  });

  it('lets a subscriber file a reclamo with buttons and a voice note as evidence, and sends the CUN on WhatsApp', async () => {
    const from = '573001234567';
    const voice = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(2048, 7)]);
    graph.addMedia('1037543291543636', voice, 'audio/ogg');

    let replies = await say(messages.text(from, 'Me cobraron un paquete de datos que nunca pedí y me descontaron el saldo'));
    replies = await say(tap(replies, 'Acepto', from));
    expect(replies.map(textOf).join('\n')).toContain('Guardamos tu autorización');
    replies = await say(tap(replies, 'Sí', from));
    replies = await say(tap(replies, 'Vozz Móvil', from));
    // The sender's own line is offered (a Sí/No question) once the dialogs use channelData.phone; until then it is typed.
    const lineAsked = replies[replies.length - 1];
    replies = await say(lineAsked.type === 'interactive' ? tap(replies, 'Sí', from) : messages.text(from, '3001234567'));
    expect(textOf(replies[replies.length - 1])).toMatch(/agregar algo más/);

    replies = await say(messages.voiceNote(from, '1037543291543636'));
    expect(replies.length).toBeGreaterThan(0);
    replies = await say(tap(replies, 'Es todo', from));
    replies = await say(tap(replies, /^(Sí, es reclamo|Reclamo)$/, from));
    replies = await say(tap(replies, 'En este chat', from));
    expect(textOf(replies[replies.length - 1])).toMatch(/Tipo: Reclamo/);
    replies = await say(tap(replies, 'Sí, radicar', from));

    const filed = replies.map(textOf).join('\n');
    const cun = /CUN: \*(\d{4}-\d{2}-\d{10})\*/.exec(filed)?.[1];
    expect(cun).toBeDefined();
    expect(replies.every((m) => m.to === from)).toBe(true);
    expect(graph.requests.filter((r) => r.path.endsWith('/messages')).every((r) => r.authorization === `Bearer ${ACCESS_TOKEN}` && r.path === `/v23.0/${PHONE_NUMBER_ID}/messages`)).toBe(true);

    const pqr = await db.prisma.pqr.findUniqueOrThrow({ where: { cun }, include: { identity: true, subscriber: true } });
    expect(pqr).toMatchObject({ type: 'reclamo', entryChannel: 'whatsapp', notifyChannel: 'whatsapp', notifyAddress: `whatsapp:${from}` });
    expect(pqr.subscriber).toMatchObject({ brandId: 'vozz', line: '3001234567' });
    expect(pqr.identity?.lastInboundAt).not.toBeNull();

    const evidence = await db.prisma.attachment.findMany({ where: { identityId: pqr.identityId } });
    expect(evidence).toHaveLength(1);
    expect(evidence[0]).toMatchObject({ kind: 'voice', mimeType: 'audio/ogg', size: voice.length });
    expect(Buffer.from(evidence[0].data).equals(voice)).toBe(true);
    // The media was fetched through Graph with the token: metadata, then the bytes.
    const mediaCalls = graph.requests.filter((r) => r.path === '/v23.0/1037543291543636' || r.path === '/whatsapp_business/attachments/');
    expect(mediaCalls.map((r) => [r.path, r.authorization])).toEqual([
      ['/v23.0/1037543291543636', `Bearer ${ACCESS_TOKEN}`],
      ['/whatsapp_business/attachments/', `Bearer ${ACCESS_TOKEN}`],
    ]);
  });

  it('answers a message delivered four times concurrently exactly once', async () => {
    const from = '573002223344';
    const message = messages.text(from, 'hola');
    const payload = webhookPayload(PHONE_NUMBER_ID, { messages: [message] });
    const responses = await Promise.all([1, 2, 3, 4].map(() => deliver(payload)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    await whatsapp.idle();

    const replies = graph.sent(from);
    expect(replies).toHaveLength(1);
    expect(textOf(replies[0])).toMatch(/^¡Hola!/);
    expect(await db.prisma.inboundMessage.count({ where: { channel: 'whatsapp', externalId: String(message.id) } })).toBe(1);

    // A redelivery later is acknowledged and ignored too.
    expect((await deliver(payload)).status).toBe(200);
    await whatsapp.idle();
    expect(graph.sent(from)).toHaveLength(1);
  });

  it("handles one user's messages in order, one at a time", async () => {
    const from = '573003334455';
    const response = await deliver(webhookPayload(PHONE_NUMBER_ID, { messages: [messages.text(from, 'hola'), messages.text(from, 'ayuda')] }));
    expect(response.status).toBe(200);
    await whatsapp.idle();
    const texts = graph.sent(from).map(textOf);
    // The greeting (one message), then the help and its menu.
    expect(texts[0]).toMatch(/^¡Hola!/);
    expect(texts[1]).toMatch(/^Te ayudo/);
    expect(texts).toHaveLength(3);
  });

  it('retries a Graph API that answers 500 for a while', async () => {
    const from = '573004445566';
    graph.failNext(2, { status: 500, match: (r) => r.path.endsWith('/messages') });
    const replies = await say(messages.text(from, 'hola'));
    expect(replies.map(textOf)).toHaveLength(1);
    const attempts = graph.requests.filter((r) => r.body?.to === from);
    expect(attempts.map((r) => r.status)).toEqual([500, 500, 200]);
  });

  it('tells the user when their media cannot be downloaded, and records why', async () => {
    const from = '573006667788';
    const message = messages.image(from, '990000000000001');
    const replies = await say(message);
    expect(replies.map(textOf)).toEqual([t('whatsapp.media.failed')]);
    const row = await db.prisma.inboundMessage.findUniqueOrThrow({ where: { channel_externalId: { channel: 'whatsapp', externalId: String(message.id) } } });
    expect(row.processedAt).not.toBeNull();
    expect(row.lastError).toMatch(/^MediaUnavailableError/);
    const identity = await db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_userId: { channel: 'whatsapp', userId: from } } });
    expect(await db.prisma.attachment.count({ where: { identityId: identity.id } })).toBe(0);
  });

  it.each([
    ['a path', '../106540352242922/messages'],
    ['a query', '123456?fields=access_token'],
    ['another host', '//attacker.example/steal'],
    ['letters', 'abc123'],
    ['too many digits', '9'.repeat(40)],
  ])('never sends the access token to a media id that is %s: no Graph call, a polite reply', async (_case, mediaId) => {
    const from = '573006667790';
    const before = graph.requests.length;
    const replies = await say(messages.image(from, mediaId));
    expect(replies.map(textOf)).toEqual([t('whatsapp.media.failed')]);
    // The only Graph call of that turn is the reply itself.
    expect(graph.requests.slice(before).map((r) => r.path)).toEqual([`/v23.0/${PHONE_NUMBER_ID}/messages`]);
  });

  it('stores status webhooks as delivery receipts, also for an unknown message id', async () => {
    const payload = webhookPayload(PHONE_NUMBER_ID, {
      statuses: [statusUpdate('wamid.sent-by-bot', 'delivered', '573002223344'), statusUpdate('wamid.sent-by-bot', 'read', '573002223344'), statusUpdate('wamid.nobody-knows', 'failed', '573009999999')],
    });
    expect((await deliver(payload)).status).toBe(200);
    // Meta redelivers statuses: still one row per (message, status).
    expect((await deliver(payload)).status).toBe(200);
    const receipts = await db.prisma.deliveryReceipt.findMany({ where: { channel: 'whatsapp' }, orderBy: { id: 'asc' } });
    expect(receipts.map((r) => [r.externalId, r.status, r.outboxId])).toEqual([
      ['wamid.sent-by-bot', 'delivered', null],
      ['wamid.sent-by-bot', 'read', null],
      ['wamid.nobody-knows', 'failed', null],
    ]);
    expect(JSON.parse(receipts[2].raw)).toMatchObject({ status: 'failed', errors: [{ code: 131047 }] });
  });

  it('processes messages recorded before a crash when resumed', async () => {
    const from = '573005556677';
    const message = normalizeWebhook(webhookPayload(PHONE_NUMBER_ID, { messages: [messages.text(from, 'hola')] })).messages[0];
    await db.prisma.inboundMessage.create({
      data: { channel: 'whatsapp', externalId: message.id, conversationKey: from, payload: JSON.stringify({ userId: from, message }) },
    });
    expect(await whatsapp.resumePending()).toBe(1);
    await whatsapp.idle();
    expect(graph.sent(from).map(textOf)).toEqual([expect.stringMatching(/^¡Hola!/)]);
    const row = await db.prisma.inboundMessage.findUniqueOrThrow({ where: { channel_externalId: { channel: 'whatsapp', externalId: message.id } } });
    expect(row.processedAt).not.toBeNull();
  });

});

describe('WhatsApp message mapping', () => {
  const t: Translate = (key, vars) => `${key}${vars ? ` ${JSON.stringify(vars)}` : ''}`;
  const normalized = (message: Record<string, unknown>) => normalizeWebhook(webhookPayload('1', { messages: [message] })).messages[0];

  it('gives the dialogs the sender’s own number (E.164) in channelData.phone, and none for a business-scoped id', () => {
    const message = normalized(messages.text('573001234567', 'hola'));
    const activity = toActivity({ userId: senderOf(message)!, message }, PHONE_NUMBER_ID, 'hola', new Date());
    expect(activity).toMatchObject({ channelId: 'whatsapp', from: { id: '573001234567' }, conversation: { id: '573001234567' }, channelData: { phone: '+573001234567' } });

    const bsuid = normalized({ ...messages.text('0', 'hola'), from: undefined, from_user_id: 'CO.13491208655302741918' });
    expect(senderOf(bsuid)).toBe('CO.13491208655302741918');
    const scoped = toActivity({ userId: senderOf(bsuid)!, message: bsuid }, PHONE_NUMBER_ID, 'hola', new Date());
    expect(scoped.channelData).toEqual({ messageType: 'text' });
  });

  it('splits text at 4096 characters on word boundaries', () => {
    const text = Array.from({ length: 1500 }, (_, i) => `palabra${i}`).join(' ');
    const pieces = splitText(text, LIMITS.text);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.every((p) => p.length <= LIMITS.text)).toBe(true);
    expect(pieces.join(' ')).toBe(text);
    const messages = toWhatsAppMessages({ type: 'message', text }, 'Ver opciones');
    expect(messages.map((m) => m.kind)).toEqual(pieces.map(() => 'text'));
  });

  it('turns up to 3 choices into reply buttons with titles cut to 20 characters, ids mapping back to the choice', () => {
    const [message] = toWhatsAppMessages(MessageFactory.suggestedActions(['Sí', 'Una opción con un título demasiado largo'], '¿Seguimos?'), 'Ver opciones');
    expect(message).toMatchObject({ kind: 'buttons', body: '¿Seguimos?' });
    if (message.kind !== 'buttons') throw new Error('expected buttons');
    expect(message.buttons.map((b) => Array.from(b.title).length)).toEqual([2, 20]);
    expect(message.buttons.map((b) => choiceFromId(b.id))).toEqual(['Sí', 'Una opción con un título demasiado largo']);
  });

  it('turns 4 to 10 choices into a list (titles ≤ 24) and more into numbered text', () => {
    const titles = Array.from({ length: 5 }, (_, i) => `Opción número ${i + 1} con texto extra`);
    const [list] = toWhatsAppMessages(MessageFactory.suggestedActions(titles, 'Elige'), 'Ver opciones');
    if (list.kind !== 'list') throw new Error('expected a list');
    expect(list.buttonText).toBe('Ver opciones');
    expect(list.rows).toHaveLength(5);
    expect(list.rows.every((r) => Array.from(r.title).length <= LIMITS.rowTitle)).toBe(true);

    const many = Array.from({ length: 12 }, (_, i) => `Opción ${i + 1}`);
    const numbered = toWhatsAppMessages(MessageFactory.suggestedActions(many, 'Elige'), 'Ver opciones');
    expect(numbered).toEqual([{ kind: 'text', body: `Elige\n\n${many.map((m, i) => `${i + 1}. ${m}`).join('\n')}` }]);
  });

  it('keeps a long prompt whole: leading text messages, then the buttons with the last part as body', () => {
    const text = 'a '.repeat(1500).trim();
    const result = toWhatsAppMessages(MessageFactory.suggestedActions(['Sí', 'No'], text), 'Ver opciones');
    expect(result.map((m) => m.kind)).toEqual(['text', 'buttons']);
    expect(result.every((m) => m.body.length <= (m.kind === 'buttons' ? LIMITS.buttonBody : LIMITS.text))).toBe(true);
  });

  it('reads button and list replies as the choice, locations and contacts as text, voice notes as media', () => {
    expect(readMessage(normalized(messages.buttonReply('57300', { id: 'c1:Sí, es reclamo', title: 'Sí, es reclamo' })), t)).toEqual({ kind: 'text', text: 'Sí, es reclamo' });
    expect(readMessage(normalized(messages.listReply('57300', { id: 'not-ours', title: 'Ayuda' })), t)).toEqual({ kind: 'text', text: 'Ayuda' });
    expect(readMessage(normalized(messages.location('57300', { latitude: 4.6, longitude: -74.08, name: 'Tienda' })), t)).toEqual({
      kind: 'text',
      text: 'whatsapp.location {"place":"Tienda","latitude":"4.6","longitude":"-74.08"}',
    });
    expect(readMessage(normalized(messages.contacts('57300', [{ name: 'Ana Pérez', phone: '+57 300 765 4321' }])), t)).toEqual({
      kind: 'text',
      text: 'whatsapp.contacts {"contacts":"Ana Pérez +57 300 765 4321"}',
    });
    expect(readMessage(normalized(messages.voiceNote('57300', 'm-1')), t)).toEqual({ kind: 'media', media: 'voice', mediaId: 'm-1', caption: undefined, fileName: undefined });
    expect(readMessage(normalized(messages.unsupported('57300')), t)).toEqual({ kind: 'unsupported' });
  });
});
