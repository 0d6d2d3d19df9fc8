import { TurnContext, type Activity } from 'botbuilder';
import { buildApp, listen, type App } from '../../src/index';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { FixedClock } from '../../src/pqr';
import { NLU_TEST_CACHE, startTestApp, type RunningApp } from '../helpers/app';
import { createTestDb, type TestDb } from '../helpers/db';
import { EmulatorChat, FakeConnector, FakeTokenIssuer, type SentActivity } from '../helpers/fake-connector';
import { FakeGraph, textOf } from '../helpers/fake-graph';
import { textsOf as whatsAppTexts, whatsAppEnv, WhatsAppUser } from '../helpers/whatsapp-user';

const CUN_PATTERN = /\d{4}-\d{2}-\d{10}/;

const textsOf = (activities: SentActivity[]) => activities.map((a) => a.text ?? '');
const actionsOf = (activity: SentActivity | undefined) => activity?.suggestedActions?.actions.map((a) => a.title) ?? [];

function post(url: string, body: string, headers: Record<string, string> = {}): Promise<globalThis.Response> {
  return fetch(`${url}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
}

describe('Bot Framework /api/messages, anonymous (BOTFRAMEWORK_ANONYMOUS=true, Bot Framework Emulator; fake connector on 127.0.0.1)', () => {
  let running: RunningApp;
  let connector: FakeConnector;

  beforeAll(async () => {
    connector = await FakeConnector.start();
    running = await startTestApp({ BOTFRAMEWORK_ANONYMOUS: 'true' });
  });

  afterAll(async () => {
    await running?.close();
    await connector?.close();
  });

  /** Posts an activity as the Emulator does and returns what the bot sent back during that turn. */
  async function deliver(chat: EmulatorChat, activity: Record<string, unknown>): Promise<SentActivity[]> {
    const before = connector.sent(chat.conversationId).length;
    const response = await post(running.url, JSON.stringify(activity));
    expect(response.status).toBe(200);
    // The request ends with the turn, so every reply has reached the connector by now.
    return connector.sent(chat.conversationId).slice(before);
  }

  const say = (chat: EmulatorChat, text: string) => deliver(chat, chat.message(text));
  const said = async (chat: EmulatorChat, text: string) => textsOf(await say(chat, text)).join('\n');

  it('greets when the Emulator opens the chat, replying to that activity on the emulator channel', async () => {
    const chat = new EmulatorChat(connector.url);
    const joined = chat.conversationUpdate();
    const replies = await deliver(chat, joined);

    expect(replies.length).toBeGreaterThan(0);
    expect(textsOf(replies).join('\n')).toMatch(/^¡Hola!/);
    const [first] = replies;
    expect(first).toMatchObject({ type: 'message', channelId: 'emulator', conversation: { id: chat.conversationId }, from: { id: chat.bot.id }, recipient: { id: chat.user.id }, replyToId: joined.id });
    const request = connector.requests.find((r) => r.activity === first)!;
    expect(request.replyToId).toBe(joined.id);
    // Anonymous: the bot sends no token to the connector.
    expect(request.authorization).toBeUndefined();
  });

  it('files a queja from the Emulator: consent, non-customer data, description, type, channel, confirm; the CUN reaches the connector', async () => {
    const chat = new EmulatorChat(connector.url);
    const steps: [string, RegExp | string, string[]?][] = [
      ['radicar', '¿Autorizas el tratamiento de tus datos', ['Acepto', 'No acepto']],
      ['Acepto', '¿Eres cliente de alguna de nuestras marcas aliadas', ['Sí', 'No']],
      ['No', 'Escribe tu nombre completo.'],
      ['Ana María Gómez', '¿Qué tipo de documento de identidad tienes?', ['Cédula de ciudadanía', 'Cédula de extranjería', 'Pasaporte', 'NIT']],
      ['Cédula de ciudadanía', 'Escribe el número de tu documento'],
      ['1020304050', 'Escribe tu correo electrónico'],
      ['ana.gomez@correo.com', 'Cuéntame qué pasó'],
      ['La señal se cae todo el tiempo y las llamadas se cortan.', '¿Quieres agregar algo más?'],
      ['Es todo', 'tu caso es de tipo *queja*'],
      ['Sí', '¿Dónde quieres recibir la respuesta?'],
      ['En este chat', '¿La radicamos?', ['Sí, radicar', 'Corregir un dato', 'Cancelar']],
    ];
    for (const [text, expected, actions] of steps) {
      const replies = await say(chat, text);
      const joined = textsOf(replies).join('\n');
      if (typeof expected === 'string') expect(joined).toContain(expected);
      else expect(joined).toMatch(expected);
      // Choices travel as suggested actions, which the Emulator shows as buttons.
      if (actions) expect(actionsOf(replies.at(-1))).toEqual(actions);
    }

    const filed = await said(chat, 'Sí, radicar');
    expect(filed).toContain('¡Listo! Radicamos tu queja.');
    const cun = CUN_PATTERN.exec(filed)?.[0];
    expect(cun).toBeDefined();

    const row = await running.db.prisma.pqr.findUniqueOrThrow({ where: { cun }, include: { nonCustomer: true, identity: true } });
    // The Emulator's users are the Bot Framework's, never those of a channel the project speaks itself.
    expect(row).toMatchObject({ type: 'queja', entryChannel: 'botframework:emulator', notifyChannel: 'botframework:emulator', description: 'La señal se cae todo el tiempo y las llamadas se cortan.' });
    expect(row.nonCustomer).toMatchObject({ fullName: 'Ana María Gómez', documentType: 'CC', documentNumber: '1020304050', email: 'ana.gomez@correo.com' });
    expect(row.identity).toMatchObject({ channel: 'botframework:emulator', userId: chat.user.id });
  });

  it('delivers the agent\'s answer to the Emulator conversation through the outbox, with proof', async () => {
    const chat = new EmulatorChat(connector.url);
    for (const text of ['radicar', 'Acepto', 'No', 'Luis Pérez Gil', 'Cédula de ciudadanía', '79123456', 'luis.perez@correo.com', 'Necesito una copia de mi contrato', 'Es todo', 'Petición', 'En este chat']) await say(chat, text);
    const cun = CUN_PATTERN.exec(await said(chat, 'Sí, radicar'))?.[0];
    expect(cun).toBeDefined();
    const before = connector.sent(chat.conversationId).length;
    await running.app.lifecycle.answer(cun!, { text: 'Le enviamos la copia del contrato al correo.', outcome: 'favorable' }, 'agent:test');
    await running.app.notify.outbox.runOnce();
    const pushed = textsOf(connector.sent(chat.conversationId).slice(before)).join('\n');
    expect(pushed).toContain(`PQR *${cun}*`);
    expect(pushed).toContain('Le enviamos la copia del contrato al correo.');
    const row = await running.db.prisma.pqr.findUniqueOrThrow({ where: { cun } });
    expect(row.notifiedAt).not.toBeNull();
  });

  it('runs the turns of one conversation one at a time, in the order they arrived', async () => {
    const chat = new EmulatorChat(connector.url);
    const held = connector.holdNext(chat.conversationId);
    const first = post(running.url, JSON.stringify(chat.message('radicar')));
    // The first turn is now waiting on the connector with its reply; the second message arrives meanwhile.
    await held.reached;
    const second = post(running.url, JSON.stringify(chat.message('Acepto')));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(connector.sent(chat.conversationId)).toEqual([]);
    held.release();

    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    const texts = textsOf(connector.sent(chat.conversationId));
    const consentAt = texts.findIndex((t) => t.includes('¿Autorizas el tratamiento de tus datos'));
    const customerAt = texts.findIndex((t) => t.includes('¿Eres cliente'));
    expect(consentAt).toBeGreaterThanOrEqual(0);
    expect(customerAt).toBeGreaterThan(consentAt);
  });

  it('reaches the user later with continueConversation from a stored conversation reference', async () => {
    const chat = new EmulatorChat(connector.url);
    const hello = chat.message('hola');
    await deliver(chat, hello);
    const reference = TurnContext.getConversationReference(hello as Partial<Activity>);
    // As a reference is kept: JSON, then back.
    const stored = JSON.parse(JSON.stringify(reference));

    const before = connector.requests.length;
    await running.app.botframework!.adapter.continueConversationAsync('', stored, async (context) => {
      await context.sendActivity('Tu PQR tiene respuesta.');
    });
    const [request] = connector.requests.slice(before);
    expect(request).toMatchObject({ conversationId: chat.conversationId, activity: { text: 'Tu PQR tiene respuesta.', channelId: 'emulator', recipient: { id: chat.user.id } } });
  });

  describe('bad input: a clear 400 (or 413), no turn', () => {
    const turnsRan = () => running.db.prisma.botState.count();

    it.each([
      ['malformed JSON', '{"type":"message","text":"hola"', /JSON/i],
      ['a JSON array', '[]', /activity object/],
      ['a missing type', JSON.stringify({ ...new EmulatorChat('http://127.0.0.1:9').message('hola'), type: undefined }), /type/],
      ['a missing serviceUrl and conversation', JSON.stringify({ ...new EmulatorChat('http://127.0.0.1:9').message('hola'), serviceUrl: undefined, conversation: undefined }), /serviceUrl.*conversation/],
      ['a serviceUrl that is not http(s)', JSON.stringify(new EmulatorChat('file:///etc/passwd').message('hola')), /serviceUrl/],
      ['a missing sender', JSON.stringify({ ...new EmulatorChat('http://127.0.0.1:9').message('hola'), from: {} }), /from\.id/],
    ])('%s → 400 with the reason', async (_case, body, reason) => {
      const before = await turnsRan();
      const requests = connector.requests.length;
      const response = await post(running.url, body);
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe('bad_request');
      expect(error.message).toMatch(reason);
      expect(await turnsRan()).toBe(before);
      expect(connector.requests.length).toBe(requests);
    });

    it.each([
      ['a remote host', 'https://attacker.example/'],
      ['a private address', 'http://10.0.0.7:3978/'],
      ['a name that merely starts like loopback', 'http://127.0.0.1.attacker.example/'],
    ])('a serviceUrl on %s → 403: without a token the server never posts off this machine', async (_case, serviceUrl) => {
      const before = await turnsRan();
      const response = await post(running.url, JSON.stringify(new EmulatorChat(serviceUrl).message('¿cómo va mi PQR?')));
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/serviceUrl must be on this machine/);
      expect(await turnsRan()).toBe(before);
    });

    it('a channelId that is not a plain short name → 400', async () => {
      const response = await post(running.url, JSON.stringify({ ...new EmulatorChat(connector.url).message('hola'), channelId: 'whatsapp:573001234567' }));
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/channelId/);
    });

    it('a body that is not JSON → 400', async () => {
      const response = await fetch(`${running.url}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'hola' });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/JSON activity/);
    });

    it('a body over the limit → 413', async () => {
      const chat = new EmulatorChat(connector.url);
      const response = await post(running.url, JSON.stringify(chat.message('x'.repeat(running.app.config.maxBodyBytes + 10))));
      expect(response.status).toBe(413);
      expect(connector.sent(chat.conversationId)).toEqual([]);
    });

    it('an unknown activity type is acknowledged and answered with nothing', async () => {
      const chat = new EmulatorChat(connector.url);
      await expect(deliver(chat, { ...chat.message('hola'), type: 'somethingNew' })).resolves.toEqual([]);
    });
  });
});

describe('Bot Framework /api/messages, authenticated (Azure Bot Service; fake token issuer and connector on 127.0.0.1)', () => {
  const APP_ID = '3f1c2a4e-8b7d-4c6e-9a10-5b2d7e8f9a01';
  let db: TestDb;
  let app: App;
  let url: string;
  let connector: FakeConnector;
  let issuer: FakeTokenIssuer;
  const logs: { level: number; msg: string; channel?: string }[] = [];

  beforeAll(async () => {
    connector = await FakeConnector.start();
    issuer = await FakeTokenIssuer.start(['msteams']);
    db = await createTestDb();
    // BOTFRAMEWORK_ANONYMOUS is ignored once an app id is set.
    const config = loadConfig({ DATABASE_URL: db.url, PORT: '0', HOST: '127.0.0.1', MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'test-app-password', BOTFRAMEWORK_ANONYMOUS: 'true' });
    const logger = createLogger('info', { write: (line: string) => void logs.push(JSON.parse(line)) });
    app = await buildApp(config, { clock: new FixedClock('2026-11-23T15:00:00Z'), nluCacheFile: NLU_TEST_CACHE, logger, botFrameworkIssuer: { openIdMetadataUrl: issuer.openIdMetadataUrl, tokenIssuer: issuer.issuer } });
    url = await listen(app);
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
    await connector?.close();
    await issuer?.close();
  });

  const turnsRan = () => db.prisma.botState.count();
  const teamsMessage = (serviceUrl: string, text = 'hola') => ({ ...new EmulatorChat(serviceUrl).message(text), channelId: 'msteams' });

  it('says at start-up that /api/messages is authenticated, and that BOTFRAMEWORK_ANONYMOUS is ignored', () => {
    const lines = logs.filter((l) => l.channel === 'botframework').map((l) => l.msg);
    expect(lines).toEqual([expect.stringMatching(/channel on: Bot Framework at \/api\/messages, authenticated/), expect.stringMatching(/BOTFRAMEWORK_ANONYMOUS ignored/)]);
  });

  it('takes an activity whose token the issuer signed for this app and this serviceUrl', async () => {
    const activity = { ...teamsMessage(connector.url), type: 'somethingNew' };
    const response = await post(url, JSON.stringify(activity), { Authorization: `Bearer ${issuer.channelToken(APP_ID, connector.url)}` });
    expect(response.status).toBe(200);
  });

  it.each([
    ['no Authorization header', () => ({})],
    ['a token that is not a JWT', () => ({ Authorization: 'Bearer not-a-jwt' })],
    ['a JWT from an issuer the Bot Framework does not use', () => ({ Authorization: `Bearer ${unsignedJwt({ iss: 'https://issuer.example', aud: APP_ID, serviceurl: connector.url })}` })],
    ['a forged token: the right issuer and key id, signed with another key', () => ({ Authorization: `Bearer ${issuer.forgedToken(APP_ID, connector.url)}` })],
    ['a genuine token for another bot', () => ({ Authorization: `Bearer ${issuer.channelToken('another-bot-app-id', connector.url)}` })],
    ['a genuine token for another serviceUrl (the attacker replays it with their own)', () => ({ Authorization: `Bearer ${issuer.channelToken(APP_ID, 'https://smba.trafficmanager.net/amer/')}` })],
  ])('refuses %s with 401 and a reason, and runs no turn', async (_case, headers) => {
    const response = await post(url, JSON.stringify(teamsMessage(connector.url)), headers());
    expect(response.status).toBe(401);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('unauthorized');
    expect(error.message.length).toBeGreaterThan(0);
    expect(await turnsRan()).toBe(0);
    expect(connector.requests).toEqual([]);
  });

  it('refuses a genuine msteams token replayed with channelId "whatsapp": the signing key is not endorsed for it', async () => {
    const activity = { ...teamsMessage(connector.url, '¿cómo va mi PQR?'), channelId: 'whatsapp', from: { id: '573001234567' } };
    const response = await post(url, JSON.stringify(activity), { Authorization: `Bearer ${issuer.channelToken(APP_ID, connector.url)}` });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/endorsement/);
    expect(await turnsRan()).toBe(0);
  });

  it('still answers 400 to malformed JSON before looking at the token', async () => {
    expect((await post(url, '{"type":')).status).toBe(400);
  });
});

describe('Bot Framework /api/messages with neither MicrosoftAppId nor BOTFRAMEWORK_ANONYMOUS (a default npm start)', () => {
  let running: RunningApp;
  const logs: { level: number; msg: string; channel?: string }[] = [];

  beforeAll(async () => {
    const logger = createLogger('info', { write: (line: string) => void logs.push(JSON.parse(line)) });
    running = await startTestApp({}, new FixedClock('2026-11-23T15:00:00Z'), { logger });
  });
  afterAll(() => running?.close());

  it('starts, and says at start-up why the channel is off', () => {
    expect(logs.filter((l) => l.channel === 'botframework')).toEqual([
      expect.objectContaining({ level: 30, msg: expect.stringMatching(/channel off: MicrosoftAppId \(or BOTFRAMEWORK_ANONYMOUS=true for the Emulator on this machine\) not set/) }),
    ]);
  });

  it('refuses every post, even from loopback, with 401 and the reason', async () => {
    const response = await post(running.url, JSON.stringify(new EmulatorChat('http://127.0.0.1:9').message('hola')));
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/channel is off/);
    expect(await running.db.prisma.botState.count()).toBe(0);
  });
});

describe('Bot Framework start-up log, anonymous', () => {
  it('says the channel is anonymous and warns that it is for local development only', async () => {
    const logs: { level: number; msg: string; channel?: string }[] = [];
    const logger = createLogger('info', { write: (line: string) => void logs.push(JSON.parse(line)) });
    const running = await startTestApp({ BOTFRAMEWORK_ANONYMOUS: 'true' }, new FixedClock('2026-11-23T15:00:00Z'), { logger });
    try {
      expect(logs.filter((l) => l.channel === 'botframework')).toEqual([
        expect.objectContaining({ level: 30, msg: expect.stringMatching(/channel on: Bot Framework at \/api\/messages, anonymous \(Bot Framework Emulator/) }),
        expect.objectContaining({ level: 40, msg: expect.stringMatching(/from this machine \(loopback\).*local development only/) }),
      ]);
    } finally {
      await running.close();
    }
  });
});

/** A JWT with a valid shape and a signature nobody made. */
function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'RS256', typ: 'JWT', kid: 'unknown-key' })}.${part({ ...claims, iat: now, nbf: now, exp: now + 3600 })}.${Buffer.from('not-a-signature').toString('base64url')}`;
}

describe('Bot Framework /api/messages cannot claim another channel\'s user (anonymous, behind a proxy, WhatsApp on)', () => {
  const IDS = { accessToken: 'EAA-spoof-token', appSecret: 'spoof-app-secret-0123456789', phoneNumberId: '106540352242111' };
  let graph: FakeGraph;
  let connector: FakeConnector;
  let running: RunningApp;
  let subscriber: WhatsAppUser;
  let cun: string;

  beforeAll(async () => {
    graph = await FakeGraph.start(IDS.accessToken);
    connector = await FakeConnector.start();
    running = await startTestApp({ ...whatsAppEnv(graph, IDS), BOTFRAMEWORK_ANONYMOUS: 'true', TRUST_PROXY: 'true' });
    subscriber = new WhatsAppUser(running, graph, IDS, '573105556677');
    let replies = await subscriber.say('me cobraron un paquete de datos que nunca pedí y me descontaron el saldo');
    for (const choice of [/^Acepto$/, /^Sí$/, /Vozz/, /^Sí$/, /^Es todo$/, /^(Sí, es reclamo|Reclamo)$/, /^En este chat$/, /^Sí, radicar$/]) replies = await subscriber.tap(replies, choice);
    cun = CUN_PATTERN.exec(whatsAppTexts(replies))![0];
  });

  afterAll(async () => {
    await running?.close();
    await connector?.close();
    await graph?.close();
  });

  /** The attacker's post: the subscriber's WhatsApp number as the sender, channelId "whatsapp", replies to the attacker's connector. */
  const spoofed = (chat: EmulatorChat, text: string) => ({ ...chat.message(text), channelId: 'whatsapp', from: { id: subscriber.waId, name: 'x' } });

  it('does not show the subscriber\'s PQR to a post claiming their WhatsApp number, nor send them the agent\'s answer', async () => {
    const chat = new EmulatorChat(connector.url);
    for (const text of ['¿cómo va mi PQR?', 'mis PQR', cun]) {
      const response = await post(running.url, JSON.stringify(spoofed(chat, text)));
      expect(response.status).toBe(200);
    }
    const seen = textsOf(connector.sent(chat.conversationId)).join('\n');
    expect(seen).not.toContain('Tipo: Reclamo');
    expect(seen).not.toMatch(/me cobraron un paquete/);
    expect(seen).not.toContain('3105556677');
    // The post was the Bot Framework's "whatsapp" user, never the WhatsApp channel's.
    const identities = await running.db.prisma.channelIdentity.findMany({ where: { userId: subscriber.waId }, select: { channel: true } });
    expect(identities.map((i) => i.channel).sort()).toEqual(['whatsapp']);

    await running.app.lifecycle.answer(cun, { text: 'Reversamos el cobro del paquete.', outcome: 'favorable' }, 'agent:test');
    const toAttacker = connector.requests.length;
    await running.app.notify.outbox.runOnce();
    expect(connector.requests.length).toBe(toAttacker);
    expect(graph.sent(subscriber.waId).map(textOf).join('\n')).toContain('Reversamos el cobro del paquete.');
  });

  it.each([
    ['a public address', '203.0.113.7', 403],
    ['a private address', '10.1.2.3', 403],
    ['a chain ending in a remote client', '127.0.0.1, 198.51.100.4', 403],
    ['loopback', '127.0.0.1', 200],
  ])('behind the proxy, an anonymous post from %s (X-Forwarded-For: %s) gets %s', async (_case, forwardedFor, status) => {
    const chat = new EmulatorChat(connector.url);
    const response = await post(running.url, JSON.stringify({ ...chat.message('hola'), type: 'somethingNew' }), { 'X-Forwarded-For': forwardedFor });
    expect(response.status).toBe(status);
    if (status === 403) expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/from this machine only/);
  });
});
