import { MessageFactory, type ConversationReference } from 'botbuilder';
import { buildApp, listen, type App } from '../../src/index';
import { loadConfig } from '../../src/config';
import { Texts, type Translate } from '../../src/i18n';
import { FixedClock } from '../../src/pqr';
import type { TelegramChannel } from '../../src/channels/telegram';
import { callbackData, LIMITS, toHtml, toTelegramMessages } from '../../src/channels/telegram/outbound';
import { readUpdate } from '../../src/channels/telegram/adapter';
import { NLU_TEST_CACHE } from '../helpers/app';
import { createTestDb, type TestDb } from '../helpers/db';
import { FakeTelegram, parseTelegramHtml, telegramUser, updates, type SentMessage, type TelegramUser } from '../helpers/fake-telegram';

const BOT_TOKEN = '7100200300:AAH-test-token_0123456789abcdefghij';
const WEBHOOK_SECRET = 'test-telegram-secret_0123456789';
const CLOCK = '2026-11-23T15:00:00Z';

function baseEnv(db: TestDb, telegram: FakeTelegram): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    TELEGRAM_API_ROOT: telegram.url,
  };
}

describe('Telegram channel, webhook mode (real server, fake Bot API on 127.0.0.1)', () => {
  let db: TestDb;
  let fake: FakeTelegram;
  let app: App;
  let telegram: TelegramChannel;
  let url: string;
  let t: Translate;

  beforeAll(async () => {
    db = await createTestDb();
    fake = await FakeTelegram.start(BOT_TOKEN);
    // The channel is switched on by its environment variables, as in production.
    const config = loadConfig({ ...baseEnv(db, fake), TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET });
    app = await buildApp(config, { clock: new FixedClock(CLOCK), nluCacheFile: NLU_TEST_CACHE });
    t = new Texts({ operator: app.config.operator.name }).for('es-CO');
    telegram = app.telegram!;
    expect(telegram.mode).toBe('webhook');
    url = await listen(app);
  });

  afterAll(async () => {
    await app?.close();
    await fake?.close();
    await db?.close();
  });

  const post = (body: string, headers: Record<string, string> = { 'X-Telegram-Bot-Api-Secret-Token': WEBHOOK_SECRET }) =>
    fetch(`${url}/api/telegram`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });

  /** One update: delivered as Telegram does, acknowledged, processed; returns what the bot sent back. */
  async function say(user: TelegramUser, update: Record<string, unknown>): Promise<SentMessage[]> {
    const before = fake.sent(user.id).length;
    const response = await post(JSON.stringify(update));
    expect(response.status).toBe(200);
    await telegram.idle();
    return fake.sent(user.id).slice(before);
  }

  /** Taps the inline button titled `title` on the last message that has buttons. */
  function tap(user: TelegramUser, replies: SentMessage[], title: string | RegExp): Record<string, unknown> {
    const withButtons = [...replies].reverse().find((m) => m.replyMarkup?.inline_keyboard);
    if (!withButtons) throw new Error(`no buttons in: ${JSON.stringify(replies.map((m) => m.visible))}`);
    const button = withButtons.replyMarkup!.inline_keyboard!.flat().find((b) => (typeof title === 'string' ? b.text === title : title.test(b.text)));
    if (!button?.callback_data) throw new Error(`no button ${title} in: ${JSON.stringify(withButtons.replyMarkup)}`);
    return updates.callback(user, withButtons, button.callback_data);
  }

  const inboundCount = () => db.prisma.inboundMessage.count({ where: { channel: 'telegram' } });
  const last = (replies: SentMessage[]) => replies[replies.length - 1];

  describe('bad input', () => {
    it('refuses a missing secret token (401) and a wrong one (403), writing nothing', async () => {
      const user = telegramUser(91000001);
      const body = JSON.stringify(updates.text(user, 'hola'));
      expect((await post(body, {})).status).toBe(401);
      expect((await post(body, { 'X-Telegram-Bot-Api-Secret-Token': 'guess' })).status).toBe(403);
      expect((await post(body, { 'X-Telegram-Bot-Api-Secret-Token': `${WEBHOOK_SECRET}x` })).status).toBe(403);
      await telegram.idle();
      expect(await inboundCount()).toBe(0);
      expect(fake.sent(user.id)).toEqual([]);
    });

    it('answers 400 to malformed JSON and to JSON that is not an update', async () => {
      expect((await post('{"update_id": 1, "message": {')).status).toBe(400);
      expect((await post(JSON.stringify({ message: { text: 'hola' } }))).status).toBe(400);
      expect((await post(JSON.stringify({ update_id: 'x' }))).status).toBe(400);
      expect(await inboundCount()).toBe(0);
    });

    it('acknowledges and ignores updates the bot does not take: edits, group messages, unknown kinds', async () => {
      const user = telegramUser(91000002);
      for (const update of [updates.edited(user, 'hola'), updates.inGroup(user, 'hola'), { update_id: 1, my_chat_member: { chat: { id: user.id, type: 'private' } } }]) {
        expect((await post(JSON.stringify(update))).status).toBe(200);
      }
      await telegram.idle();
      expect(await inboundCount()).toBe(0);
      expect(fake.sent(user.id)).toEqual([]);
      expect(fake.sent(-100123)).toEqual([]);
    });

    it('answers a message kind it cannot read (a sticker) with a polite text', async () => {
      const user = telegramUser(91000003);
      const replies = await say(user, updates.sticker(user));
      expect(replies.map((m) => m.visible)).toEqual([t('telegram.unsupported')]);
    });
  });

  it('greets on /start and maps /ayuda, /cancelar and /menu to the commands the dialogs know', async () => {
    const user = telegramUser(91000010);
    const greeting = await say(user, updates.text(user, '/start'));
    expect(greeting).toHaveLength(1);
    expect(greeting[0].visible).toMatch(/^¡Hola!/);
    expect(greeting[0].replyMarkup?.inline_keyboard?.map((row) => row.map((b) => b.text))).toEqual([[t('menu.file')], [t('menu.status')], [t('menu.channels')], [t('menu.help')]]);

    expect((await say(user, updates.text(user, '/ayuda')))[0].visible).toBe(t('help').replace(/\*([^*\n]+)\*/g, '$1'));
    expect((await say(user, updates.text(user, '/cancelar')))[0].visible).toBe(t('cancelled.nothing'));
    expect((await say(user, updates.text(user, '/menu@pqr_test_bot')))[0].visible).toBe(t('menu.prompt'));
  });

  it('lets a subscriber file a petición with inline buttons and their shared contact, then see it with "¿cómo va mi PQR?"', async () => {
    const user = telegramUser(91000020);
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(2045, 3)]);
    fake.addFile('photo-1', photo, 'photos/file_1.jpg');

    let replies = await say(user, updates.text(user, 'Quiero cambiar mi plan a uno más barato, ¿me ayudan con el cambio?'));
    replies = await say(user, tap(user, replies, 'Acepto'));
    expect(replies.map((m) => m.visible).join('\n')).toContain('Guardamos tu autorización');
    replies = await say(user, tap(user, replies, 'Sí'));
    replies = await say(user, tap(user, replies, 'Vozz Móvil'));

    // The line question comes with the button that shares the user's own number.
    const lineQuestion = last(replies);
    expect(lineQuestion.visible).toBe(t('customer.line'));
    expect(lineQuestion.replyMarkup).toMatchObject({ keyboard: [[{ text: 'Compartir mi número', request_contact: true }]], one_time_keyboard: true });
    const afterContact = fake.sent(user.id).length;
    replies = await say(user, updates.contact(user, '573001234567', user.id));
    expect(last(replies).visible).toMatch(/agregar algo más/);
    replies = await say(user, updates.photo(user, 'photo-1', 'Foto del plan que tengo'));
    expect(replies.length).toBeGreaterThan(0);
    replies = await say(user, tap(user, replies, 'Es todo'));
    replies = await say(user, tap(user, replies, /^(Sí, es petición|Petición)$/));
    replies = await say(user, tap(user, replies, 'En este chat'));
    expect(last(replies).visible).toMatch(/Tipo: Petición/);
    replies = await say(user, tap(user, replies, 'Sí, radicar'));

    // The share-my-number keyboard is closed by the first later message without buttons of its own;
    // the filing now ends with the menu's buttons, so every later message carries one or the other.
    const later = fake.sent(user.id).slice(afterContact);
    expect(later.filter((m) => !m.replyMarkup?.inline_keyboard).map((m) => m.replyMarkup)).toEqual(later.some((m) => !m.replyMarkup?.inline_keyboard) ? [{ remove_keyboard: true }] : []);
    expect(later.at(-1)?.replyMarkup?.inline_keyboard?.flat().map((b) => b.text)).toEqual([t('menu.file'), t('menu.status'), t('menu.channels'), t('menu.help')]);

    const filed = replies.map((m) => m.visible).join('\n');
    const cun = /CUN: (\d{4}-\d{2}-\d{10})/.exec(filed)?.[1];
    expect(cun).toBeDefined();
    // `*CUN*` reaches Telegram as bold, not as asterisks.
    expect(replies.flatMap((m) => m.bold)).toContain(cun);
    expect(replies.every((m) => m.parseMode === 'HTML' && m.chatId === String(user.id))).toBe(true);

    // Every tap was answered, so no button kept spinning.
    const taps = fake.calls.filter((c) => c.method === 'answerCallbackQuery');
    expect(taps.length).toBe(7);
    expect(taps.every((c) => c.status === 200 && c.body.text === undefined)).toBe(true);

    const pqr = await db.prisma.pqr.findUniqueOrThrow({ where: { cun }, include: { identity: true, subscriber: true } });
    expect(pqr).toMatchObject({ type: 'peticion', entryChannel: 'telegram', notifyChannel: 'telegram', notifyAddress: `telegram:${user.id}` });
    expect(pqr.subscriber).toMatchObject({ brandId: 'vozz', line: '3001234567' });
    expect(pqr.identity).toMatchObject({ channel: 'telegram', userId: String(user.id), locale: 'es-CO' });
    expect(pqr.identity?.lastInboundAt).not.toBeNull();
    expect(JSON.parse(pqr.identity!.conversationRef!)).toMatchObject({ channelId: 'telegram', conversation: { id: String(user.id) }, user: { id: String(user.id) } });

    const evidence = await db.prisma.attachment.findMany({ where: { pqrId: pqr.id } });
    expect(evidence).toHaveLength(1);
    expect(evidence[0]).toMatchObject({ kind: 'image', mimeType: 'image/jpeg', size: photo.length, identityId: pqr.identityId });
    expect(Buffer.from(evidence[0].data).equals(photo)).toBe(true);
    // The largest size was fetched, through getFile and the file path.
    expect(fake.calls.filter((c) => c.method === 'getFile').map((c) => c.body.file_id)).toEqual(['photo-1']);

    // Journey 3: a known Telegram user asks how it is going and gets the PQR without being asked anything.
    const status = await say(user, updates.text(user, '¿cómo va mi PQR?'));
    const answer = status.map((m) => m.visible).join('\n');
    expect(answer).toContain(cun);
    expect(answer).toMatch(/Fecha máxima de respuesta/);
    expect(answer).not.toContain(t('status.askCun'));
    // Closed once is enough.
    expect(status.some((m) => m.replyMarkup?.remove_keyboard)).toBe(false);
  });

  it('refuses a shared contact that is not the sender’s own', async () => {
    const user = telegramUser(91000030);
    const someoneElse = await say(user, updates.contact(user, '+57 300 765 4321', 91000031));
    expect(someoneElse.map((m) => m.visible)).toEqual([t('telegram.contact.notYours')]);
    const cardWithoutUser = await say(user, updates.contact(user, '573007654321', undefined));
    expect(cardWithoutUser.map((m) => m.visible)).toEqual([t('telegram.contact.notYours')]);
  });

  it('answers a tap on an expired keyboard (an older message, a second tap, unknown data) politely, without a turn', async () => {
    const user = telegramUser(91000040);
    const greeting = await say(user, updates.text(user, 'hola'));
    const oldMenu = greeting[0];
    const help = await say(user, tap(user, greeting, t('menu.help')));
    expect(help.length).toBeGreaterThan(0);

    const sentBefore = fake.sent(user.id).length;
    const second = updates.callback(user, oldMenu, oldMenu.replyMarkup!.inline_keyboard![0][0].callback_data!);
    const older = updates.callback(user, { ...oldMenu, messageId: oldMenu.messageId - 1 }, callbackData(0));
    const unknown = updates.callback(user, last(help), 'something-else');
    for (const update of [second, older, unknown]) expect(await say(user, update)).toEqual([]);

    expect(fake.sent(user.id)).toHaveLength(sentBefore);
    const ids = [second, older, unknown].map((u) => (u.callback_query as { id: string }).id);
    expect(fake.answers().filter((a) => ids.includes(a.id))).toEqual(ids.map((id) => ({ id, text: t('telegram.callback.expired') })));
  });

  it('processes an update delivered four times concurrently once', async () => {
    const user = telegramUser(91000050);
    const update = updates.text(user, 'hola');
    const responses = await Promise.all([1, 2, 3, 4].map(() => post(JSON.stringify(update))));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    await telegram.idle();
    expect(fake.sent(user.id).map((m) => m.visible)).toEqual([expect.stringMatching(/^¡Hola!/)]);
    expect(await db.prisma.inboundMessage.count({ where: { channel: 'telegram', conversationKey: String(user.id) } })).toBe(1);
    // A redelivery later is acknowledged and ignored too.
    expect((await post(JSON.stringify(update))).status).toBe(200);
    await telegram.idle();
    expect(fake.sent(user.id)).toHaveLength(1);
  });

  it('splits a 5,000-character notification in two messages, bold and escaping intact (continueConversation)', async () => {
    const user = telegramUser(91000060);
    await say(user, updates.text(user, 'hola'));
    const identity = await db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_userId: { channel: 'telegram', userId: String(user.id) } } });
    const reference = JSON.parse(identity.conversationRef!) as Partial<ConversationReference>;

    const paragraph = 'Tu PQR *0101-26-0000000001* tiene respuesta: el cobro de <datos> & minutos fue revisado. ';
    const text = paragraph.repeat(Math.ceil(5000 / paragraph.length)).trim();
    expect(text.length).toBeGreaterThan(5000);
    const before = fake.sent(user.id).length;
    const ids: string[] = [];
    await telegram.adapter.continueConversation(reference, async (context) => {
      ids.push((await context.sendActivity(text))!.id);
    });
    const pieces = fake.sent(user.id).slice(before);
    expect(pieces).toHaveLength(2);
    expect(pieces.every((m) => m.visible.length <= LIMITS.text)).toBe(true);
    expect(pieces.map((m) => m.visible).join(' ')).toBe(text.replace(/\*([^*\n]+)\*/g, '$1'));
    expect(pieces.flatMap((m) => m.bold).every((b) => b === '0101-26-0000000001')).toBe(true);
    // One ResourceResponse for the activity: the last message it became.
    expect(ids).toEqual([String(pieces[1].messageId)]);
  });

  it('retries a Bot API that answers 500 or 429 for a while, and sends the reply once', async () => {
    const user = telegramUser(91000070);
    fake.failNext(1, { status: 500, match: (method, body) => method === 'sendMessage' && body.chat_id === String(user.id) });
    fake.failNext(1, { status: 429, match: (method, body) => method === 'sendMessage' && body.chat_id === String(user.id) });
    const replies = await say(user, updates.text(user, 'hola'));
    expect(replies).toHaveLength(1);
    const attempts = fake.calls.filter((c) => c.method === 'sendMessage' && c.body.chat_id === String(user.id));
    expect(attempts.map((c) => c.status)).toEqual([500, 429, 200]);
  });

  it('tells the user when their file cannot be downloaded, and records why', async () => {
    const user = telegramUser(91000080);
    const update = updates.voice(user, 'voice-gone');
    const replies = await say(user, update);
    expect(replies.map((m) => m.visible)).toEqual([t('telegram.media.failed')]);
    const row = await db.prisma.inboundMessage.findFirstOrThrow({ where: { channel: 'telegram', conversationKey: String(user.id) } });
    expect(row.processedAt).not.toBeNull();
    expect(row.lastError).toMatch(/^MediaUnavailableError/);
  });

  it('processes updates recorded before a crash when resumed', async () => {
    const user = telegramUser(91000090);
    const update = updates.text(user, 'hola');
    await db.prisma.inboundMessage.create({
      data: { channel: 'telegram', externalId: `7100200300:${update.update_id}`, conversationKey: String(user.id), payload: JSON.stringify(update) },
    });
    expect(await telegram.resumePending()).toBe(1);
    await telegram.idle();
    expect(fake.sent(user.id).map((m) => m.visible)).toEqual([expect.stringMatching(/^¡Hola!/)]);
  });
});

describe('Telegram channel, long polling (TELEGRAM_MODE=polling)', () => {
  it('deletes the webhook, takes updates from getUpdates through the same recording, and replies', async () => {
    const db = await createTestDb();
    const fake = await FakeTelegram.start(BOT_TOKEN);
    fake.setWebhook('https://old.example/api/telegram', 'old-secret');
    const app = await buildApp(loadConfig({ ...baseEnv(db, fake), TELEGRAM_MODE: 'polling' }), { clock: new FixedClock(CLOCK), nluCacheFile: NLU_TEST_CACHE });
    try {
      expect(app.telegram?.mode).toBe('polling');
      // No webhook route in polling mode.
      const url = await listen(app);
      expect((await fetch(`${url}/api/telegram`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status).toBe(404);

      app.telegram!.start();
      const user = telegramUser(92000001);
      const update = updates.text(user, 'hola');
      fake.pushUpdate(update);
      // Delivered again (e.g. after a lost getUpdates answer): still one reply.
      fake.pushUpdate(update);
      const [reply] = await fake.waitFor(() => fake.sent(user.id).length > 0 && fake.sent(user.id));
      expect(reply.visible).toMatch(/^¡Hola!/);

      const help = updates.text(user, '/ayuda');
      fake.pushUpdate(help);
      await fake.waitFor(() => fake.sent(user.id).length >= 3);
      await app.telegram!.idle();
      expect(fake.sent(user.id)).toHaveLength(3);
      expect(fake.calls.find((c) => c.method === 'deleteWebhook')?.status).toBe(200);
      // The next poll's offset confirmed what was recorded.
      await fake.waitFor(() => fake.calls.some((c) => c.method === 'getUpdates' && Number(c.body.offset) === Number(help.update_id) + 1));
      expect(await db.prisma.inboundMessage.count({ where: { channel: 'telegram' } })).toBe(2);
    } finally {
      await app.close();
      await fake.close();
      await db.close();
    }
  });
});

describe('Telegram channel switches', () => {
  it('stays off, with its webhook route absent, when the token comes without a webhook secret', async () => {
    const db = await createTestDb();
    const fake = await FakeTelegram.start(BOT_TOKEN);
    const app = await buildApp(loadConfig(baseEnv(db, fake)), { clock: new FixedClock(CLOCK), nluCacheFile: NLU_TEST_CACHE });
    try {
      expect(app.telegram).toBeUndefined();
      const url = await listen(app);
      const response = await fetch(`${url}/api/telegram`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': '' }, body: '{}' });
      expect(response.status).toBe(404);
    } finally {
      await app.close();
      await fake.close();
      await db.close();
    }
  });
});

describe('Telegram message mapping', () => {
  it('escapes <, > and & and turns *bold* into <b>, leaving lone asterisks alone', () => {
    expect(toHtml('Tu CUN: *0101-26-0000000001*\n<b>no</b> & 2 * 3 * 4')).toBe('Tu CUN: <b>0101-26-0000000001</b>\n&lt;b&gt;no&lt;/b&gt; &amp; 2 * 3 * 4');
    expect(parseTelegramHtml(toHtml('a < b > c & *d*'))).toEqual({ visible: 'a < b > c & d', bold: ['d'] });
  });

  it('puts suggested actions on an inline keyboard, one per row, with callback data ≤ 64 bytes; links as URL buttons', () => {
    const long = 'Una opción con un título larguísimo que no cabría en sesenta y cuatro bytes de callback_data';
    const activity = MessageFactory.suggestedActions(['Sí', long], '¿Seguimos?');
    activity.suggestedActions!.actions.push({ type: 'openUrl', title: 'Política', value: 'https://example.com/privacidad' });
    const [message] = toTelegramMessages(activity, { contactButton: 'Compartir mi número', asksForLine: false });
    expect(message.replyMarkup).toEqual({
      inline_keyboard: [[{ text: 'Sí', callback_data: 'c0' }], [{ text: long, callback_data: 'c1' }], [{ text: 'Política', url: 'https://example.com/privacidad' }]],
    });
    expect(message.choices).toEqual(['Sí', long]);
  });

  it('reads commands, taps, own and foreign contacts, and media', () => {
    const user = telegramUser(5);
    expect(readUpdate(updates.text(user, '/start') as never)).toEqual({ kind: 'start' });
    expect(readUpdate(updates.text(user, '/cancelar') as never)).toEqual({ kind: 'text', text: 'cancelar' });
    expect(readUpdate(updates.contact(user, '573001234567', 5) as never)).toEqual({ kind: 'ownContact', phone: '+573001234567' });
    expect(readUpdate(updates.contact(user, '573001234567', 6) as never)).toEqual({ kind: 'foreignContact' });
    expect(readUpdate(updates.photo(user, 'p1') as never)).toMatchObject({ kind: 'media', media: 'image', fileId: 'p1' });
    expect(readUpdate(updates.voice(user, 'v1') as never)).toMatchObject({ kind: 'media', media: 'voice', fileId: 'v1', mimeType: 'audio/ogg' });
  });
});
