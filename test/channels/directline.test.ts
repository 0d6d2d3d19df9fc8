import type { AddressInfo } from 'node:net';
import type { TurnContext } from 'botbuilder';
import pino from 'pino';
import restify from 'restify';
import { createDirectLine, TokenSigner, type DirectLineChannel, type PageOptions } from '../../src/channels/directline';
import { textColorOn } from '../../src/channels/directline/page';
import { createTestDb, type TestDb } from '../helpers/db';

const SECRET = 'test-secret-0123456789abcdef';

interface Conversation {
  conversationId: string;
  token: string;
  expires_in: number;
}

interface WireActivity {
  id: string;
  type: string;
  text?: string;
  name?: string;
  timestamp: string;
  replyToId?: string;
  from: { id: string; role?: string };
  conversation: { id: string };
  channelData?: { clientActivityID?: string };
}

/** A bot built for these tests: greets on join, echoes messages, optionally slowly. */
function echoBot(delayFor: (text: string) => number = () => 0) {
  return {
    async run(context: TurnContext): Promise<void> {
      const { activity } = context;
      if (activity.type === 'event' && activity.name === 'webchat/join') {
        await context.sendActivity('Hola, soy el asistente.');
      } else if (activity.type === 'message') {
        await new Promise((resolve) => setTimeout(resolve, delayFor(activity.text ?? '')));
        await context.sendActivity(`eco: ${activity.text}`);
      }
    },
  };
}

async function startServer(db: TestDb, options: { globalBodyParser?: boolean; bot?: ReturnType<typeof echoBot>; page?: PageOptions } = {}) {
  const server = restify.createServer({ handleUncaughtExceptions: false });
  if (options.globalBodyParser) server.use(restify.plugins.bodyParser({ maxBodySize: 32 * 1024, mapParams: false }));
  const channel: DirectLineChannel = createDirectLine({
    prisma: db.prisma,
    bot: options.bot ?? echoBot(),
    secret: SECRET,
    logger: pino({ level: 'silent' }),
    maxBodyBytes: 48 * 1024,
    page: options.page,
    // This file opens dozens of conversations from one address; the limit itself is tested in metrics.test.ts.
    newConversations: { ratePerSecond: 1000, burst: 1000, trustProxy: false },
  });
  channel.routes(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    base: `${origin}/v3/directline`,
    channel,
    close: async () => {
      await channel.idle();
      // fetch keeps connections alive; closing them lets the server (and jest) finish at once.
      server.server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('Direct Line v3 subset', () => {
  let db: TestDb;
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    db = await createTestDb();
    server = await startServer(db, { bot: echoBot((text) => (text === 'slow' || text === 'm1' ? 80 : 0)) });
  });

  afterAll(async () => {
    await server.close();
    await db.close();
  });

  const request = (path: string, init: { method?: string; token?: string; body?: unknown; rawBody?: string } = {}) =>
    fetch(`${server.base}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
        ...(init.body !== undefined || init.rawBody !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      body: init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
    });

  async function startConversation(): Promise<Conversation> {
    const generated = await request('/tokens/generate', { method: 'POST' });
    expect(generated.status).toBe(200);
    const { token } = (await generated.json()) as Conversation;
    const started = await request('/conversations', { method: 'POST', token });
    expect(started.status).toBe(200);
    return (await started.json()) as Conversation;
  }

  const post = (conversation: Conversation, activity: Record<string, unknown>) =>
    request(`/conversations/${conversation.conversationId}/activities`, { method: 'POST', token: conversation.token, body: activity });

  async function poll(conversation: Conversation, watermark = ''): Promise<{ activities: WireActivity[]; watermark: string }> {
    const response = await request(`/conversations/${conversation.conversationId}/activities?watermark=${watermark}`, { token: conversation.token });
    expect(response.status).toBe(200);
    return (await response.json()) as { activities: WireActivity[]; watermark: string };
  }

  /** Polls like Web Chat until `until` holds for everything received, or fails after 10 s. */
  async function pollUntil(conversation: Conversation, until: (all: WireActivity[]) => boolean, from = ''): Promise<{ all: WireActivity[]; watermark: string }> {
    const all: WireActivity[] = [];
    let watermark = from;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const page = await poll(conversation, watermark);
      all.push(...page.activities);
      watermark = page.watermark;
      if (until(all)) return { all, watermark };
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`timed out; received: ${JSON.stringify(all.map((a) => a.text ?? a.name))}`);
  }

  const botTexts = (all: WireActivity[]) => all.filter((a) => a.from.role === 'bot').map((a) => a.text);

  it('issues a token bound to a new conversation, with a Web Chat user id inside', async () => {
    const response = await request('/tokens/generate', { method: 'POST' });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Conversation;
    expect(body.conversationId).toMatch(/^[\w-]{16,}$/);
    expect(body.expires_in).toBe(1800);
    // Web Chat reads the user id from the token's `user` claim.
    const claims = JSON.parse(Buffer.from(body.token.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ conv: body.conversationId, user: expect.stringMatching(/^dl_/) });
    const stored = await db.prisma.directLineConversation.findUnique({ where: { id: body.conversationId } });
    expect(stored?.userId).toBe(claims.user);
  });

  it('runs the turn and serves the echo (with its clientActivityID) and then the reply, advancing the watermark', async () => {
    const conversation = await startConversation();
    const empty = await poll(conversation);
    expect(empty).toEqual({ activities: [], watermark: '0' });

    const posted = await post(conversation, {
      type: 'message',
      text: 'hola',
      from: { id: 'someone-else', role: 'user' },
      locale: 'es-CO',
      channelData: { clientActivityID: 'client-1', clientTimestamp: '2026-11-25T10:00:00.000Z' },
    });
    expect(posted.status).toBe(200);
    const { id } = (await posted.json()) as { id: string };
    expect(id).toBe(`${conversation.conversationId}|0000001`);

    const { all, watermark } = await pollUntil(conversation, (received) => botTexts(received).length === 1);
    expect(watermark).toBe('2');
    const [echo, reply] = all;
    expect(echo).toMatchObject({
      id,
      type: 'message',
      text: 'hola',
      channelData: { clientActivityID: 'client-1' },
      conversation: { id: conversation.conversationId },
      from: { role: 'user' },
    });
    // The user id comes from the token, never from the posted activity.
    expect(echo.from.id).toMatch(/^dl_/);
    expect(reply).toMatchObject({ type: 'message', text: 'eco: hola', replyToId: id, from: { role: 'bot' } });
    expect(Date.parse(reply.timestamp)).toBeGreaterThanOrEqual(Date.parse(echo.timestamp));

    expect(await poll(conversation, watermark)).toEqual({ activities: [], watermark: '2' });
    const again = await poll(conversation, '1');
    expect(again.activities.map((a) => a.text)).toEqual(['eco: hola']);
  });

  it('greets on the webchat/join event and stores the event like any activity', async () => {
    const conversation = await startConversation();
    const posted = await post(conversation, { type: 'event', name: 'webchat/join', value: { locale: 'es-CO' }, channelData: { clientActivityID: 'join-1' } });
    expect(posted.status).toBe(200);
    const { all } = await pollUntil(conversation, (received) => botTexts(received).length === 1);
    expect(all[0]).toMatchObject({ type: 'event', name: 'webchat/join', channelData: { clientActivityID: 'join-1' } });
    expect(botTexts(all)).toEqual(['Hola, soy el asistente.']);
  });

  it('keeps the order of five quick messages even when the first turn is slow', async () => {
    const conversation = await startConversation();
    for (const text of ['m1', 'm2', 'm3', 'm4', 'm5']) {
      expect((await post(conversation, { type: 'message', text, channelData: { clientActivityID: text } })).status).toBe(200);
    }
    const { all } = await pollUntil(conversation, (received) => botTexts(received).length === 5);
    expect(botTexts(all)).toEqual(['eco: m1', 'eco: m2', 'eco: m3', 'eco: m4', 'eco: m5']);
    const seqs = all.map((a) => Number(a.id.split('|')[1]));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('processes concurrent posts in the order they were recorded', async () => {
    const conversation = await startConversation();
    const texts = ['c1', 'c2', 'c3', 'c4', 'c5'];
    const responses = await Promise.all(texts.map((text) => post(conversation, { type: 'message', text, channelData: { clientActivityID: text } })));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const { all } = await pollUntil(conversation, (received) => botTexts(received).length === 5);
    const recorded = all.filter((a) => a.from.role === 'user').map((a) => `eco: ${a.text}`);
    expect(botTexts(all)).toEqual(recorded);
  });

  it('answers a repeated clientActivityID with the first id and runs the turn once', async () => {
    const conversation = await startConversation();
    const first = (await (await post(conversation, { type: 'message', text: 'una vez', channelData: { clientActivityID: 'dup' } })).json()) as { id: string };
    const second = (await (await post(conversation, { type: 'message', text: 'una vez', channelData: { clientActivityID: 'dup' } })).json()) as { id: string };
    expect(second.id).toBe(first.id);
    await server.channel.idle();
    const { activities } = await poll(conversation);
    expect(activities.map((a) => a.text)).toEqual(['una vez', 'eco: una vez']);
  });

  it('accepts a message of 4,000 characters (emoji count as one) and the bot answers it', async () => {
    const conversation = await startConversation();
    const text = 'á'.repeat(3000) + '😀'.repeat(1000);
    expect((await post(conversation, { type: 'message', text })).status).toBe(200);
    const { all } = await pollUntil(conversation, (received) => botTexts(received).length === 1);
    expect(botTexts(all)[0]).toBe(`eco: ${text}`);
  });

  it('refuses a message of 4,001 characters with 413 and the reason, storing nothing and running no turn', async () => {
    const conversation = await startConversation();
    const response = await post(conversation, { type: 'message', text: 'a'.repeat(4001) });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: { code: 'MessageTooLong', message: 'The message has 4001 characters; at most 4000 are accepted' } });
    await server.channel.idle();
    expect((await poll(conversation)).activities).toEqual([]);
    expect(await db.prisma.inboundMessage.count({ where: { conversationKey: conversation.conversationId } })).toBe(0);
  });

  it('refuses a large "value" the same way: only text a person types, and small button values, are taken', async () => {
    const conversation = await startConversation();
    const response = await post(conversation, { type: 'message', text: 'hola', value: { blob: 'x'.repeat(5000) } });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/"value"/);
  });

  it('stores a message once: the inbound record points at the stream entry that holds it', async () => {
    const conversation = await startConversation();
    const text = `una sola vez ${'z'.repeat(300)}`;
    expect((await post(conversation, { type: 'message', text, channelData: { clientActivityID: 'once' } })).status).toBe(200);
    await pollUntil(conversation, (received) => botTexts(received).length === 1);
    // The reply is in the stream a moment before its message is marked processed.
    await server.channel.idle();
    const inbound = await db.prisma.inboundMessage.findMany({ where: { conversationKey: conversation.conversationId }, select: { payload: true, processedAt: true } });
    const stream = await db.prisma.directLineActivity.findMany({ where: { conversationId: conversation.conversationId }, select: { activity: true } });
    // The bot's echo quotes the text too; the user's own message is the one whose text is exactly it.
    const copies = [...inbound.map((r) => r.payload), ...stream.map((r) => r.activity)].filter((stored) => stored.includes(`"text":"${text}"`));
    expect(copies).toHaveLength(1);
    expect(inbound).toEqual([{ payload: expect.any(String), processedAt: expect.any(Date) }]);
  });

  it('answers a flood from one conversation with 429 and Retry-After once its burst is spent; other conversations go on', async () => {
    const flooding = await startConversation();
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 13; i++) {
      const response = await post(flooding, { type: 'message', text: `f${i}`, channelData: { clientActivityID: `flood-${i}` } });
      statuses.push(response.status);
      if (response.status === 429) {
        retryAfter = response.headers.get('retry-after');
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('TooManyRequests');
      }
    }
    expect(statuses).toEqual([...Array(10).fill(200), 429, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // Typing is not counted (Web Chat sends it while the user writes) and is still ignored.
    expect((await post(flooding, { type: 'typing' })).status).toBe(200);
    await server.channel.idle();
    expect(await db.prisma.inboundMessage.count({ where: { conversationKey: flooding.conversationId } })).toBe(10);
    const other = await startConversation();
    expect((await post(other, { type: 'message', text: 'hola' })).status).toBe(200);
  });

  it('ignores typing: no stored activity, no turn', async () => {
    const conversation = await startConversation();
    expect((await post(conversation, { type: 'typing' })).status).toBe(200);
    await server.channel.idle();
    expect((await poll(conversation)).activities).toEqual([]);
  });

  it('refreshes a token for the same conversation and user', async () => {
    const conversation = await startConversation();
    const response = await request('/tokens/refresh', { method: 'POST', token: conversation.token });
    expect(response.status).toBe(200);
    const refreshed = (await response.json()) as Conversation;
    expect(refreshed.conversationId).toBe(conversation.conversationId);
    const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(claims(refreshed.token).user).toBe(claims(conversation.token).user);
  });

  it('reconnects to a conversation with GET /conversations/{id}', async () => {
    const conversation = await startConversation();
    const response = await request(`/conversations/${conversation.conversationId}?watermark=0`, { token: conversation.token });
    expect(response.status).toBe(200);
    expect(((await response.json()) as Conversation).conversationId).toBe(conversation.conversationId);
  });

  it('lets a server holding the secret choose the user id; the browser cannot', async () => {
    const withSecret = await request('/tokens/generate', { method: 'POST', token: SECRET, body: { user: { id: 'dl_server-chosen' } } });
    expect(withSecret.status).toBe(200);
    const chosen = (await withSecret.json()) as Conversation;
    expect(JSON.parse(Buffer.from(chosen.token.split('.')[1], 'base64url').toString()).user).toBe('dl_server-chosen');

    const anonymous = await request('/tokens/generate', { method: 'POST', body: { user: { id: 'dl_server-chosen' } } });
    const claims = JSON.parse(Buffer.from(((await anonymous.json()) as Conversation).token.split('.')[1], 'base64url').toString());
    expect(claims.user).not.toBe('dl_server-chosen');
  });

  it('sends proactive messages with continueConversation', async () => {
    const conversation = await startConversation();
    await post(conversation, { type: 'message', text: 'guárdame' });
    const { all } = await pollUntil(conversation, (received) => botTexts(received).length === 1);
    const reference = {
      conversation: { id: conversation.conversationId },
      user: all[0].from,
      bot: { id: 'pqr-bot', name: 'PQR', role: 'bot' },
      channelId: 'webchat',
    } as Parameters<DirectLineChannel['adapter']['continueConversation']>[0];
    await server.channel.adapter.continueConversation(reference, async (context) => {
      await context.sendActivity('Tu PQR tiene respuesta.');
    });
    const { activities } = await poll(conversation, '2');
    expect(activities).toEqual([expect.objectContaining({ text: 'Tu PQR tiene respuesta.', from: expect.objectContaining({ role: 'bot' }) })]);
    await expect(
      server.channel.adapter.continueConversation({ ...reference, conversation: { id: 'nope' } } as typeof reference, async () => undefined),
    ).rejects.toThrow(/unknown conversation/);
  });

  describe('rejects bad requests with a Direct Line error body', () => {
    const expectError = async (response: Response, status: number, code: string) => {
      expect(response.status).toBe(status);
      expect(await response.json()).toEqual({ error: { code, message: expect.any(String) } });
    };

    it('401 without a token', async () => {
      const conversation = await startConversation();
      await expectError(await request(`/conversations/${conversation.conversationId}/activities`), 401, 'Unauthorized');
    });

    it('403 for a forged or tampered token', async () => {
      const conversation = await startConversation();
      const [header, payload] = conversation.token.split('.');
      const forged = `${header}.${payload}.${'A'.repeat(43)}`;
      await expectError(await request(`/conversations/${conversation.conversationId}/activities`, { token: forged }), 403, 'BadToken');
      await expectError(await request(`/conversations/${conversation.conversationId}/activities`, { token: 'not-a-token' }), 403, 'BadToken');
      const otherSecret = new TokenSigner('another-secret-0123456789').sign(conversation.conversationId, 'dl_x', 60).token;
      await expectError(await request(`/conversations/${conversation.conversationId}/activities`, { token: otherSecret }), 403, 'BadToken');
    });

    it('403 for an expired token, and refresh is refused', async () => {
      const conversation = await startConversation();
      const expired = new TokenSigner(SECRET).sign(conversation.conversationId, 'dl_x', 60, Date.now() - 120_000).token;
      await expectError(await request(`/conversations/${conversation.conversationId}/activities`, { token: expired }), 403, 'TokenExpired');
      await expectError(await request('/tokens/refresh', { method: 'POST', token: expired }), 403, 'TokenExpired');
    });

    it("403 for another conversation's token", async () => {
      const mine = await startConversation();
      const theirs = await startConversation();
      await expectError(await request(`/conversations/${theirs.conversationId}/activities`, { token: mine.token }), 403, 'Forbidden');
      await expectError(await post({ ...theirs, token: mine.token }, { type: 'message', text: 'hola' }), 403, 'Forbidden');
    });

    it('404 for an unknown conversation', async () => {
      const ghost = new TokenSigner(SECRET).sign('no-such-conversation', 'dl_x', 60).token;
      await expectError(await request('/conversations/no-such-conversation/activities', { token: ghost }), 404, 'NotFound');
      await expectError(await request('/conversations/no-such-conversation/activities', { token: SECRET }), 404, 'NotFound');
      await expectError(await request('/conversations', { method: 'POST', token: ghost }), 404, 'NotFound');
      await expectError(await request('/tokens/refresh', { method: 'POST', token: ghost }), 404, 'NotFound');
    });

    it('400 for malformed JSON, a missing type, an unsupported type, a bad watermark', async () => {
      const conversation = await startConversation();
      const path = `/conversations/${conversation.conversationId}/activities`;
      await expectError(await request(path, { method: 'POST', token: conversation.token, rawBody: '{"type": "message", "text": ' }), 400, 'BadArgument');
      await expectError(await request(path, { method: 'POST', token: conversation.token, rawBody: '[1, 2]' }), 400, 'BadArgument');
      await expectError(await post(conversation, { text: 'sin tipo' }), 400, 'MissingProperty');
      await expectError(await post(conversation, { type: 'invoke', name: 'x' }), 400, 'BadArgument');
      await expectError(await post(conversation, { type: 'message', text: 42 }), 400, 'BadArgument');
      await expectError(await post(conversation, { type: 'event' }), 400, 'MissingProperty');
      await expectError(await request(`${path}?watermark=abc`, { token: conversation.token }), 400, 'BadArgument');
      expect((await poll(conversation)).activities).toEqual([]);
    });

    it('413 for a body over the limit', async () => {
      const conversation = await startConversation();
      await expectError(await post(conversation, { type: 'message', text: 'x'.repeat(60 * 1024) }), 413, 'PayloadTooLarge');
    });
  });

  it('resumes turns recorded but never processed (a crash mid-turn), without repeating a reply already sent', async () => {
    const conversation = await startConversation();
    await post(conversation, { type: 'message', text: 'antes del fallo', channelData: { clientActivityID: 'crash-1' } });
    await server.channel.idle();
    const where = { externalId: `${conversation.conversationId}:crash-1` };
    // A crash after the reply went out: the re-run sends nothing again.
    await db.prisma.inboundMessage.updateMany({ where, data: { processedAt: null } });
    expect(await server.channel.resumePending()).toBe(1);
    await server.channel.idle();
    expect((await poll(conversation)).activities.map((a) => a.text)).toEqual(['antes del fallo', 'eco: antes del fallo']);
    // A crash before the reply went out: the re-run sends it.
    await db.prisma.inboundMessage.updateMany({ where, data: { processedAt: null, repliesSent: 0 } });
    expect(await server.channel.resumePending()).toBe(1);
    await server.channel.idle();
    expect((await poll(conversation)).activities.map((a) => a.text)).toEqual(['antes del fallo', 'eco: antes del fallo', 'eco: antes del fallo']);
    expect(await server.channel.resumePending()).toBe(0);
  });
});

describe('Direct Line behind a server-wide body parser', () => {
  let db: TestDb;
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    db = await createTestDb();
    server = await startServer(db, { globalBodyParser: true });
  });

  afterAll(async () => {
    await server.close();
    await db.close();
  });

  it('still runs a turn, and the parser answers malformed JSON with 400 and a huge body with 413', async () => {
    const { token, conversationId } = (await (await fetch(`${server.base}/tokens/generate`, { method: 'POST' })).json()) as Conversation;
    const send = (body: string) =>
      fetch(`${server.base}/conversations/${conversationId}/activities`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body,
      });
    expect((await send(JSON.stringify({ type: 'message', text: 'hola' }))).status).toBe(200);
    await server.channel.idle();
    const page = (await (await fetch(`${server.base}/conversations/${conversationId}/activities`, { headers: { Authorization: `Bearer ${token}` } })).json()) as {
      activities: WireActivity[];
    };
    expect(page.activities.map((a) => a.text)).toEqual(['hola', 'eco: hola']);
    expect((await send('{"type":')).status).toBe(400);
    expect((await send(JSON.stringify({ type: 'message', text: 'x'.repeat(40 * 1024) }))).status).toBe(413);
  });
});

describe('web chat page routes', () => {
  let db: TestDb;
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    db = await createTestDb();
    server = await startServer(db, { page: { title: 'Demo </script><b>"PQR"</b>', brandColor: 'red;}', locale: 'es-CO' } });
  });

  afterAll(async () => {
    await server.close();
    await db.close();
  });

  it('serves the page with its security headers, the escaped title and versioned asset links', async () => {
    const response = await fetch(`${server.origin}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await response.text();
    expect(html).toContain('<html lang="es-CO" style="--brand: #1d4f91; --on-brand: #ffffff">');
    expect(html).toContain('<p id="status-text">Conectando con el asistente…</p>');
    expect(html).toContain('<title>Demo &#60;/script&#62;&#60;b&#62;&#34;PQR&#34;&#60;/b&#62;</title>');
    expect(html).toMatch(/<script src="\/webchat\/webchat\.js\?v=[0-9a-f]{12}"><\/script>/);
  });

  it('serves branding as /config.js, escaped, with an invalid colour replaced by the default', async () => {
    const script = await (await fetch(`${server.origin}/config.js`)).text();
    expect(script).not.toContain('</script>');
    const config = JSON.parse(script.replace(/^window\.PQR_CONFIG = /, '').replace(/;\s*$/, ''));
    expect(config).toMatchObject({ title: 'Demo </script><b>"PQR"</b>', brandColor: '#1d4f91', locale: 'es-CO' });
    expect(config.texts.placeholder).toBe('Escribe tu mensaje');
  });

  it('serves the official Web Chat bundle from node_modules, compressed and cacheable for a year', async () => {
    // The bundle is compressed on the thread pool right after start; until then it goes out whole.
    let response = await fetch(`${server.origin}/webchat/webchat.js`, { headers: { 'Accept-Encoding': 'gzip' } });
    for (let tries = 0; response.headers.get('content-encoding') !== 'gzip' && tries < 50; tries++) {
      expect(await response.text()).toContain('createDirectLine');
      await new Promise((resolve) => setTimeout(resolve, 100));
      response = await fetch(`${server.origin}/webchat/webchat.js`, { headers: { 'Accept-Encoding': 'gzip' } });
    }
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // fetch decompresses: this is the bundle itself.
    expect(await response.text()).toContain('createDirectLine');
  });

  it('picks dark text for a light brand colour and white for a dark one', () => {
    expect(textColorOn('#ffd400')).toBe('#1b1f24');
    expect(textColorOn('#1d4f91')).toBe('#ffffff');
  });

  it('serves the page assets and 404s anything else', async () => {
    const css = await fetch(`${server.origin}/assets/app.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${server.origin}/assets/index.html`)).status).toBe(404);
    expect((await fetch(`${server.origin}/assets/..%2Fpackage.json`)).status).toBe(404);
  });
});
