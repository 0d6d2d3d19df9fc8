import { startTestApp, type RunningApp } from '../helpers/app';
import { EventStream } from '../helpers/sse';
import { call } from '../backoffice/helpers';
import { FakeTelegram, telegramUser, updates, type SentMessage, type TelegramUser } from '../helpers/fake-telegram';

const BOT_TOKEN = '7100200399:AAH-handoff-token_0123456789abcdefgh';
const WEBHOOK_SECRET = 'handoff-telegram-secret_0123456789';
const BOOTSTRAP = 'handoff-telegram-bootstrap-token-0123456';

describe('live handoff to an agent on Telegram', () => {
  let fake: FakeTelegram;
  let running: RunningApp;
  const api = (method: string, path: string, json?: unknown) => call(running.url, method, path, { token: BOOTSTRAP, json });

  beforeAll(async () => {
    fake = await FakeTelegram.start(BOT_TOKEN);
    running = await startTestApp({ TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_API_ROOT: fake.url, TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET, BACKOFFICE_TOKEN: BOOTSTRAP, OUTBOX_POLL_MS: '60000' });
  });

  afterAll(async () => {
    await running?.close();
    await fake?.close();
  });

  async function say(user: TelegramUser, update: Record<string, unknown>): Promise<SentMessage[]> {
    const before = fake.sent(user.id).length;
    const response = await fetch(`${running.url}/api/telegram`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': WEBHOOK_SECRET },
      body: JSON.stringify(update),
    });
    expect(response.status).toBe(200);
    await running.app.telegram!.idle();
    return fake.sent(user.id).slice(before);
  }

  function tap(user: TelegramUser, replies: SentMessage[], title: RegExp): Record<string, unknown> {
    const withButtons = [...replies].reverse().find((m) => m.replyMarkup?.inline_keyboard);
    const button = withButtons?.replyMarkup!.inline_keyboard!.flat().find((b) => title.test(b.text));
    if (!withButtons || !button?.callback_data) throw new Error(`no button ${title} in ${JSON.stringify(replies.map((m) => m.visible))}`);
    return updates.callback(user, withButtons, button.callback_data);
  }

  const visible = (replies: SentMessage[]) => replies.map((m) => m.visible).join('\n');
  /** What reached the chat through the outbox (agent replies, the bot's notices). */
  async function pushed(user: TelegramUser, since: number): Promise<SentMessage[]> {
    await running.app.notify.outbox.runOnce();
    return fake.sent(user.id).slice(since);
  }

  it('hands the chat to an agent who talks live, files a PQR and closes; the user gets the CUN, rates once, and a second score is refused', async () => {
    expect((await api('POST', '/inbox/heartbeat')).status).toBe(200);
    const user = telegramUser(93000001);
    let replies = await say(user, updates.text(user, 'quiero hablar con una persona'));
    replies = await say(user, tap(user, replies, /^Acepto$/));
    expect(visible(replies)).toContain('te paso con una persona de nuestro equipo');

    const [item] = (await api('GET', '/handoffs?state=waiting')).body.items;
    expect(item).toMatchObject({ channel: 'telegram', state: 'waiting' });
    const live = await EventStream.open(`${running.url}/api/backoffice/handoffs/${item.id}/events`, BOOTSTRAP);
    try {
      expect((await api('POST', `/handoffs/${item.id}/take`)).status).toBe(200);
      let sent = fake.sent(user.id).length;
      expect((await api('POST', `/handoffs/${item.id}/messages`, { text: '¿En qué te ayudo?' })).status).toBe(200);
      // The bootstrap token has no name: the user reads a neutral one.
      expect(visible(await pushed(user, sent))).toContain('Un asesor: ¿En qué te ayudo?');
      expect(await say(user, updates.text(user, 'No me llega la señal en mi casa desde el lunes'))).toEqual([]);
      await live.waitFor((e) => e.event === 'message' && e.data.from === 'user' && e.data.text.includes('No me llega la señal'));

      sent = fake.sent(user.id).length;
      const filed = await api('POST', `/handoffs/${item.id}/pqrs`, {
        type: 'queja',
        description: 'Sin señal en la casa del usuario desde el lunes',
        customer: { kind: 'non_customer', fullName: 'Ana Pérez', documentType: 'CC', documentNumber: '1015123456', email: 'ana@example.com' },
      });
      expect(filed.status).toBe(201);
      expect((await api('POST', `/handoffs/${item.id}/pqrs`, { type: 'queja', description: 'x', customer: { kind: 'non_customer' } })).status).toBe(400);
      expect((await api('POST', `/handoffs/${item.id}/close`, { note: 'Queja radicada' })).status).toBe(200);
      const after = await pushed(user, sent);
      expect(visible(after)).toContain(`Radicamos tu PQR con el CUN ${filed.body.cun}`);
      expect(visible(after)).toContain('¿Cómo calificas la atención?');
      await live.waitFor((e) => e.event === 'state' && e.data.state === 'closed');
    } finally {
      await live.close();
    }

    const question = fake.sent(user.id).slice(-1);
    replies = await say(user, tap(user, question, /^4 · Buena$/));
    expect(visible(replies)).toContain('¡Gracias por calificarnos!');
    // The old keyboard tapped again is expired (the channel says so); a score typed again is refused.
    expect(await say(user, tap(user, question, /^2 · Mala$/))).toEqual([]);
    expect(fake.answers().slice(-1)[0].text).toBeDefined();
    replies = await say(user, updates.text(user, '2'));
    expect(visible(replies)).toContain('Ya registramos tu calificación');
    const ratings = await api('GET', '/ratings?from=2026-11-23&to=2026-11-23');
    expect(ratings.body.items.filter((r: { channel: string }) => r.channel === 'telegram')).toEqual([expect.objectContaining({ score: 4, comment: null, subject: 'handoff', handoffId: item.id })]);
  });
});
