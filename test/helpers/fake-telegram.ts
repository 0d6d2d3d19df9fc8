import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake Bot API received. */
export interface TelegramCall {
  method: string;
  body: Record<string, unknown>;
  /** The HTTP status the fake answered with. */
  status?: number;
  /** The Bot API's `description` when the call failed. */
  error?: string;
  /** What the fake answered when the call succeeded. */
  result?: unknown;
}

export interface InlineButton {
  text: string;
  callback_data?: string;
  url?: string;
}

/** A sendMessage call the fake accepted, with the text as the user sees it. */
export interface SentMessage {
  messageId: number;
  chatId: string;
  /** The text after Telegram parsed its HTML: what the user reads. */
  visible: string;
  /** The text as posted (HTML when parse_mode is HTML). */
  text: string;
  parseMode?: string;
  /** Bold runs the user sees. */
  bold: string[];
  replyMarkup?: {
    inline_keyboard?: InlineButton[][];
    keyboard?: { text: string; request_contact?: boolean }[][];
    one_time_keyboard?: boolean;
    remove_keyboard?: boolean;
  };
}

interface Failure {
  remaining: number;
  status: number;
  delayMs?: number;
  match?: (method: string, body: Record<string, unknown>) => boolean;
}

interface Waiting {
  resolve: () => void;
  timer: NodeJS.Timeout;
}

/** The Bot API's error shape. */
function apiError(code: number, description: string, parameters?: Record<string, unknown>): string {
  return JSON.stringify({ ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) });
}

const TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'a', 'code', 'pre', 'tg-spoiler', 'span', 'blockquote']);
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

/**
 * Parses a text as Telegram does with parse_mode HTML: only its tags, properly nested, and
 * `<`, `>`, `&` only as entities. Returns what the user sees, or the error Telegram answers.
 */
export function parseTelegramHtml(html: string): { visible: string; bold: string[] } | { error: string } {
  let visible = '';
  const stack: { tag: string; start: number }[] = [];
  const bold: string[] = [];
  for (let i = 0; i < html.length; ) {
    const c = html[i];
    if (c === '<') {
      const tag = /^<(\/?)([a-z-]+)(\s+[a-z-]+="[^"]*")*\s*>/i.exec(html.slice(i));
      if (!tag || !TAGS.has(tag[2].toLowerCase())) return { error: `Bad Request: can't parse entities: Unsupported start tag at byte offset ${Buffer.byteLength(html.slice(0, i))}` };
      const name = tag[2].toLowerCase();
      if (tag[1]) {
        const open = stack.pop();
        if (!open || open.tag !== name) return { error: `Bad Request: can't parse entities: Unmatched end tag at byte offset ${Buffer.byteLength(html.slice(0, i))}, expected "</${open?.tag ?? ''}>", found "</${name}>"` };
        if (name === 'b' || name === 'strong') bold.push(visible.slice(open.start));
      } else {
        stack.push({ tag: name, start: visible.length });
      }
      i += tag[0].length;
    } else if (c === '&') {
      const entity = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);/i.exec(html.slice(i));
      if (!entity) return { error: `Bad Request: can't parse entities: Character '&' is reserved and must be escaped at byte offset ${Buffer.byteLength(html.slice(0, i))}` };
      const name = entity[1];
      visible += ENTITIES[name] ?? String.fromCodePoint(name.startsWith('#x') ? parseInt(name.slice(2), 16) : Number(name.slice(1)));
      i += entity[0].length;
    } else if (c === '>') {
      return { error: `Bad Request: can't parse entities: Character '>' is reserved and must be escaped at byte offset ${Buffer.byteLength(html.slice(0, i))}` };
    } else {
      visible += c;
      i++;
    }
  }
  if (stack.length) return { error: `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "${stack[stack.length - 1].tag}"` };
  return { visible, bold };
}

/**
 * A fake Telegram Bot API on 127.0.0.1 speaking its wire format: `/bot<token>/<method>` for
 * sendMessage (HTML checked as Telegram does, 4,096-character limit, callback_data ≤ 64 bytes),
 * answerCallbackQuery, getFile, getUpdates (long polling), setWebhook, deleteWebhook, getMe;
 * `/file/bot<token>/<path>` serves files. It records every call and can be told to fail.
 */
export class FakeTelegram {
  readonly calls: TelegramCall[] = [];
  private readonly files = new Map<string, { bytes: Buffer; path: string }>();
  private readonly failures: Failure[] = [];
  private readonly updates: Record<string, unknown>[] = [];
  private readonly waiting = new Set<Waiting>();
  private webhook: { url: string; secretToken?: string } | null = null;
  private messageSeq = 5000;
  private server!: http.Server;
  url = '';

  private constructor(private readonly token: string) {}

  static async start(token: string): Promise<FakeTelegram> {
    const fake = new FakeTelegram(token);
    fake.server = http.createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  /** A file the bot can fetch with getFile and download. */
  addFile(fileId: string, bytes: Buffer, path: string): void {
    this.files.set(fileId, { bytes, path });
  }

  /** An update for getUpdates; a long poll in progress returns it at once. */
  pushUpdate(update: Record<string, unknown>): void {
    this.updates.push(update);
    for (const waiter of this.waiting) waiter.resolve();
  }

  /** Sets a webhook, as the operator would with setWebhook. */
  setWebhook(url: string, secretToken?: string): void {
    this.webhook = { url, secretToken };
  }

  /** The next `count` calls (matching `match`, if given) fail with `status` (429 asks to retry after 1 s) after `delayMs`. */
  failNext(count: number, options: { status?: number; delayMs?: number; match?: (method: string, body: Record<string, unknown>) => boolean } = {}): void {
    this.failures.push({ remaining: count, status: options.status ?? 500, ...options });
  }

  /** Messages the bot sent (and Telegram accepted), optionally to one chat. */
  sent(chatId?: string | number): SentMessage[] {
    return this.calls
      .filter((call) => call.method === 'sendMessage' && call.status === 200 && (chatId === undefined || String(call.body.chat_id) === String(chatId)))
      .map((call) => toSent(call));
  }

  /** answerCallbackQuery calls, by query id. */
  answers(): { id: string; text?: string }[] {
    return this.calls.filter((c) => c.method === 'answerCallbackQuery' && c.status === 200).map((c) => ({ id: String(c.body.callback_query_id), text: c.body.text as string | undefined }));
  }

  async waitFor<T>(probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const value = probe();
      if (value) return value;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`timed out; calls: ${JSON.stringify(this.calls.map((c) => [c.method, c.status]))}`);
  }

  async close(): Promise<void> {
    for (const waiter of this.waiting) waiter.resolve();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const answer = (status: number, body: string | Buffer, contentType = 'application/json') => {
      res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)) });
      res.end(body);
    };

    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (file && req.method === 'GET') {
      if (file[1] !== this.token) return answer(401, apiError(401, 'Unauthorized'));
      const found = [...this.files.values()].find((f) => f.path === file[2]);
      return found ? answer(200, found.bytes, 'application/octet-stream') : answer(404, apiError(404, 'Not Found'));
    }

    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = (raw && String(req.headers['content-type'] ?? '').includes('application/json') ? JSON.parse(raw) : Object.fromEntries(url.searchParams)) as Record<string, unknown>;
    const api = /^\/bot([^/]+)\/(\w+)$/.exec(url.pathname);
    const call: TelegramCall = { method: api?.[2] ?? url.pathname, body };
    this.calls.push(call);
    const reply = (status: number, result: unknown) => {
      call.status = status;
      call.result = result;
      answer(status, JSON.stringify({ ok: true, result }));
    };
    const fail = (status: number, description: string, parameters?: Record<string, unknown>) => {
      call.status = status;
      call.error = description;
      answer(status, apiError(status, description, parameters));
    };

    if (!api) return fail(404, 'Not Found');
    if (api[1] !== this.token) return fail(401, 'Unauthorized');
    const failure = this.failures.find((f) => f.remaining > 0 && (!f.match || f.match(call.method, body)));
    if (failure) {
      failure.remaining--;
      if (failure.delayMs) await new Promise((resolve) => setTimeout(resolve, failure.delayMs));
      if (failure.status === 429) return fail(429, 'Too Many Requests: retry after 1', { retry_after: 1 });
      return fail(failure.status, failure.status >= 500 ? 'Internal Server Error' : 'Bad Request');
    }

    switch (call.method) {
      case 'getMe':
        return reply(200, { id: Number(this.token.split(':')[0]), is_bot: true, first_name: 'PQR Bot', username: 'pqr_test_bot' });
      case 'setWebhook':
        this.setWebhook(String(body.url), body.secret_token as string | undefined);
        return reply(200, true);
      case 'deleteWebhook':
        this.webhook = null;
        return reply(200, true);
      case 'getUpdates':
        return this.getUpdates(body, reply, fail);
      case 'sendMessage':
        return this.sendMessage(body, reply, fail);
      case 'answerCallbackQuery':
        if (typeof body.callback_query_id !== 'string') return fail(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
        return reply(200, true);
      case 'getFile': {
        const found = this.files.get(String(body.file_id));
        if (!found) return fail(400, 'Bad Request: invalid file_id');
        return reply(200, { file_id: body.file_id, file_unique_id: `u${body.file_id}`, file_size: found.bytes.length, file_path: found.path });
      }
      default:
        return fail(404, 'Not Found');
    }
  }

  private async getUpdates(body: Record<string, unknown>, reply: (status: number, result: unknown) => void, fail: (status: number, description: string) => void): Promise<void> {
    if (this.webhook) return fail(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    const offset = Number(body.offset ?? 0);
    // Asking from an offset confirms every update before it.
    while (this.updates.length && Number(this.updates[0].update_id) < offset) this.updates.shift();
    if (!this.updates.length && Number(body.timeout ?? 0) > 0) {
      await new Promise<void>((resolve) => {
        const waiter: Waiting = { resolve: () => (clearTimeout(waiter.timer), this.waiting.delete(waiter), resolve()), timer: setTimeout(() => waiter.resolve(), Number(body.timeout) * 1000) };
        this.waiting.add(waiter);
      });
    }
    reply(200, this.updates.slice(0, Number(body.limit ?? 100)));
  }

  private sendMessage(body: Record<string, unknown>, reply: (status: number, result: unknown) => void, fail: (status: number, description: string) => void): void {
    const text = String(body.text ?? '');
    if (!text.trim()) return fail(400, 'Bad Request: message text is empty');
    const parsed = body.parse_mode === 'HTML' ? parseTelegramHtml(text) : { visible: text, bold: [] };
    if ('error' in parsed) return fail(400, parsed.error);
    if (parsed.visible.length > 4096) return fail(400, 'Bad Request: message is too long');
    const markup = body.reply_markup as SentMessage['replyMarkup'] | undefined;
    for (const row of markup?.inline_keyboard ?? []) {
      for (const button of row) {
        if (!button.text) return fail(400, 'Bad Request: text buttons are unallowed in the inline keyboard');
        if (button.callback_data !== undefined && (Buffer.byteLength(button.callback_data) < 1 || Buffer.byteLength(button.callback_data) > 64)) return fail(400, 'Bad Request: BUTTON_DATA_INVALID');
      }
    }
    this.messageSeq += 1;
    const chatId = Number(body.chat_id);
    reply(200, {
      message_id: this.messageSeq,
      from: { id: Number(this.token.split(':')[0]), is_bot: true, first_name: 'PQR Bot', username: 'pqr_test_bot' },
      chat: { id: chatId, type: 'private', first_name: 'Cliente' },
      date: Math.floor(Date.now() / 1000),
      text: parsed.visible,
      ...(markup?.inline_keyboard ? { reply_markup: { inline_keyboard: markup.inline_keyboard } } : {}),
    });
  }
}

function toSent(call: TelegramCall): SentMessage {
  const text = String(call.body.text);
  const parsed = call.body.parse_mode === 'HTML' ? parseTelegramHtml(text) : { visible: text, bold: [] };
  if ('error' in parsed) throw new Error(parsed.error);
  const result = JSON.parse(JSON.stringify(call.body)) as { reply_markup?: SentMessage['replyMarkup'] };
  return {
    messageId: (call.result as { message_id: number }).message_id,
    chatId: String(call.body.chat_id),
    visible: parsed.visible,
    text,
    parseMode: call.body.parse_mode as string | undefined,
    bold: parsed.bold,
    replyMarkup: result.reply_markup,
  };
}

// ---- Updates in the Bot API's format ----

let updateSeq = 700_000_000 + Math.floor(Math.random() * 1_000_000);
let messageSeq = 1;

/** A Telegram user in a private chat with the bot (the chat id is the user id). */
export interface TelegramUser {
  id: number;
  first_name: string;
  language_code?: string;
}

export function telegramUser(id: number, languageCode = 'es'): TelegramUser {
  return { id, first_name: 'Cliente', language_code: languageCode };
}

function message(user: TelegramUser, content: Record<string, unknown>): Record<string, unknown> {
  updateSeq += 1;
  messageSeq += 1;
  return {
    update_id: updateSeq,
    message: {
      message_id: messageSeq,
      from: { id: user.id, is_bot: false, first_name: user.first_name, ...(user.language_code ? { language_code: user.language_code } : {}) },
      chat: { id: user.id, type: 'private', first_name: user.first_name },
      date: Math.floor(Date.now() / 1000),
      ...content,
    },
  };
}

export const updates = {
  text: (user: TelegramUser, text: string) =>
    message(user, text.startsWith('/') ? { text, entities: [{ type: 'bot_command', offset: 0, length: text.split(/\s/)[0].length }] } : { text }),
  /** A tap on an inline button of a message the bot sent. */
  callback: (user: TelegramUser, sent: { messageId: number; visible: string }, data: string) => {
    updateSeq += 1;
    return {
      update_id: updateSeq,
      callback_query: {
        id: String(BigInt(user.id) * 1000n + BigInt(updateSeq % 1000)),
        from: { id: user.id, is_bot: false, first_name: user.first_name, language_code: user.language_code },
        message: { message_id: sent.messageId, from: { id: 1, is_bot: true, first_name: 'PQR Bot' }, chat: { id: user.id, type: 'private', first_name: user.first_name }, date: Math.floor(Date.now() / 1000), text: sent.visible },
        chat_instance: `ci${user.id}`,
        data,
      },
    };
  },
  /** A contact: shared with the request_contact button (user_id = sender) or someone else's card. */
  contact: (user: TelegramUser, phone: string, userId: number | undefined) =>
    message(user, { contact: { phone_number: phone, first_name: user.first_name, ...(userId === undefined ? {} : { user_id: userId }) } }),
  photo: (user: TelegramUser, fileId: string, caption?: string) =>
    message(user, {
      photo: [
        { file_id: `${fileId}-small`, file_unique_id: `s${fileId}`, width: 90, height: 90, file_size: 1000 },
        { file_id: fileId, file_unique_id: `u${fileId}`, width: 1280, height: 960, file_size: 2048 },
      ],
      ...(caption ? { caption } : {}),
    }),
  voice: (user: TelegramUser, fileId: string) => message(user, { voice: { file_id: fileId, file_unique_id: `u${fileId}`, duration: 4, mime_type: 'audio/ogg' } }),
  sticker: (user: TelegramUser) => message(user, { sticker: { file_id: 'sticker-1', file_unique_id: 'us1', type: 'regular', width: 512, height: 512, is_animated: false, is_video: false } }),
  edited: (user: TelegramUser, text: string) => {
    const update = message(user, { text, edit_date: Math.floor(Date.now() / 1000) });
    return { update_id: update.update_id, edited_message: update.message };
  },
  inGroup: (user: TelegramUser, text: string) => {
    const update = message(user, { text });
    const msg = update.message as Record<string, unknown>;
    return { ...update, message: { ...msg, chat: { id: -100123, type: 'group', title: 'Amigos' } } };
  },
};
