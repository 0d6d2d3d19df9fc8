import fc from 'fast-check';
import { startTestApp, type RunningApp } from '../helpers/app';
import { FakeTelegram } from '../helpers/fake-telegram';
import { edgeString, fuzz, HEAP_MARGIN_MB, hostileBody, MAX_BODY_BYTES, report, RSS_MARGIN_MB, send, type FuzzRequest, PAYLOADS_PER_ROUTE } from './harness';

const BOT_TOKEN = '7100200300:AAH-fuzz-token_0123456789abcdefghij';
const WEBHOOK_SECRET = 'fuzz-telegram-secret_0123456789';

/**
 * Updates in the Bot API's shape. Most come from group chats or bots, which the route checks,
 * records as not taken and acknowledges without a turn; about one in sixty is a private message
 * or button tap that reaches the dialogs (the test bounds how many did).
 */
const update = fc
  .record({
    updateId: fc.integer({ min: 0, max: 2 ** 40 }),
    userId: fc.integer({ min: 1, max: 2 ** 40 }),
    private: fc.integer({ min: 0, max: 59 }).map((n) => n === 0),
    kind: fc.constantFrom('text', 'callback', 'contact', 'photo', 'edited', 'other'),
    text: edgeString,
    language: fc.constantFrom('es', 'en', 'pt-br', '', 'x'.repeat(40)),
  })
  .map(({ updateId, userId, private: isPrivate, kind, text, language }) => {
    const from = { id: userId, is_bot: !isPrivate && kind === 'callback', first_name: text.slice(0, 20), language_code: language };
    const chat = isPrivate ? { id: userId, type: 'private', first_name: 'Cliente' } : { id: -100123, type: 'supergroup', title: text.slice(0, 20) };
    const message = { message_id: updateId % 100_000, from, chat, date: 1_795_000_000 };
    if (kind === 'callback') return { update_id: updateId, callback_query: { id: String(updateId), from, message: { ...message, text: 'menu' }, chat_instance: 'ci', data: text.slice(0, 64) } };
    if (kind === 'contact') return { update_id: updateId, message: { ...message, contact: { phone_number: text, first_name: 'x', user_id: userId } } };
    if (kind === 'photo') return { update_id: updateId, message: { ...message, photo: [{ file_id: text.slice(0, 30), file_unique_id: 'u', width: 1, height: 1 }], caption: text } };
    if (kind === 'edited') return { update_id: updateId, edited_message: { ...message, text, edit_date: 1_795_000_001 } };
    if (kind === 'other') return { update_id: updateId, my_chat_member: { chat, from, date: 1_795_000_000 } };
    return { update_id: updateId, message: { ...message, text } };
  });

const withSecret: fc.Arbitrary<FuzzRequest> = hostileBody(update).map(({ kind, body, contentType }) => ({
  kind: `secret ${kind}`,
  method: 'POST',
  path: '/api/telegram',
  headers: { 'Content-Type': contentType, 'X-Telegram-Bot-Api-Secret-Token': WEBHOOK_SECRET },
  body,
}));

const withoutSecret: fc.Arbitrary<FuzzRequest> = fc
  .tuple(hostileBody(update), fc.option(fc.string({ maxLength: 256 }), { nil: undefined }))
  .map(([{ kind, body, contentType }, secret]) => ({
    kind: `no secret ${kind}`,
    method: 'POST',
    path: '/api/telegram',
    headers: { 'Content-Type': contentType, ...(secret !== undefined ? { 'X-Telegram-Bot-Api-Secret-Token': secret.replace(/[^\x20-\x7e]/g, '') } : {}) },
    body,
  }));

describe('fuzz: POST /api/telegram (real server, fake Bot API on 127.0.0.1)', () => {
  let running: RunningApp;
  let fake: FakeTelegram;

  beforeAll(async () => {
    fake = await FakeTelegram.start(BOT_TOKEN);
    running = await startTestApp({
      MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
      TELEGRAM_API_ROOT: fake.url,
    });
  });

  afterAll(async () => {
    await running?.close();
    await fake?.close();
  });

  it(`answers ${PAYLOADS_PER_ROUTE} updates with and without the secret without a 5xx, every 4xx with a JSON reason, memory flat, server alive`, async () => {
    const arbitrary = fc.oneof({ weight: 90, arbitrary: withSecret }, { weight: 10, arbitrary: withoutSecret });
    const result = await fuzz(running.url, arbitrary, { maxMs: 120_000, afterBatch: () => running.app.telegram!.idle() });
    const recorded = await running.db.prisma.inboundMessage.count({ where: { channel: 'telegram' } });
    console.log(`${report('/api/telegram', result)}; updates recorded: ${recorded}`);

    expect(result.failures.slice(0, 3)).toEqual([]);
    expect(result.sent).toBe(PAYLOADS_PER_ROUTE);
    expect(result.statuses[200]).toBeGreaterThan(PAYLOADS_PER_ROUTE / 10);
    expect(recorded).toBeLessThan(400);
    expect(result.heapAfterMb - result.heapBeforeMb).toBeLessThan(HEAP_MARGIN_MB);
    expect(result.rssAfterMb - result.rssBeforeMb).toBeLessThan(RSS_MARGIN_MB);
    expect((await send(running.url, { kind: 'health', method: 'GET', path: '/healthz', headers: {} })).status).toBe(200);
    // The run stops itself at maxMs; jest's default 60 s would close the server under it first on a busy machine.
  }, 150_000);
});
