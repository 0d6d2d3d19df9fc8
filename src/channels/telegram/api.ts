import { createHash } from 'node:crypto';
import { Telegram, TelegramError } from 'telegraf';
import { FileTooLargeError } from '../evidence';
import { RetryableHttpError, transient, withRetries, type RetryAdvice } from '../retry';
import type { InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update } from 'telegraf/types';

export interface TelegramApiSettings {
  /** TELEGRAM_BOT_TOKEN, as BotFather gives it: `<bot id>:<secret>`. */
  token: string;
  /** TELEGRAM_API_ROOT: Telegram's Bot API, or a fake one in tests. */
  apiRoot: string;
  /** Per request (a long poll adds its own wait); a slow API must not hold a chat's queue forever. */
  timeoutMs?: number;
  /** Tries per call when the API answers 5xx/429 or the network fails. */
  attempts?: number;
  /** The Bot API serves files up to 20 MB; anything larger is refused before it is held in memory. */
  maxFileBytes?: number;
}

export type ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove;

/** One Telegram message: `html` for parse_mode HTML, and the same text plain in case Telegram rejects the markup. */
export interface OutboundMessage {
  html: string;
  plain: string;
  replyMarkup?: ReplyMarkup;
}

export interface DownloadedFile {
  bytes: Buffer;
  sha256: string;
}

/** A server error, flood control (with the wait Telegram asks for), or no answer at all: worth another try. */
function retryable(error: unknown): RetryAdvice {
  if (error instanceof TelegramError) {
    if (error.code === 429) return { retry: true, afterMs: (error.parameters?.retry_after ?? 1) * 1000 };
    return { retry: error.code >= 500 };
  }
  return { retry: transient(error) };
}

/** telegraf types its signal as the `abort-controller` polyfill's; node-fetch takes the platform's own. */
type ClientOptions = NonNullable<Parameters<Telegram['callApi']>[2]>;
const clientOptions = (signal: AbortSignal) => ({ signal: signal as unknown as ClientOptions['signal'] });

const unparsable = (error: unknown) => error instanceof TelegramError && error.code === 400 && /can't parse entities/i.test(error.description);

/**
 * The Bot API calls the channel makes, through telegraf's `Telegram` client: send a message
 * (returns its message_id), answer a callback query, download a file, and long polling.
 * Transient failures are retried with backoff.
 */
export class TelegramApi {
  private readonly telegram: Telegram;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly maxFileBytes: number;
  /** The bot's own user id: the first part of its token, so no getMe call is needed. */
  readonly botId: string;

  constructor(settings: TelegramApiSettings) {
    this.telegram = new Telegram(settings.token, { apiRoot: settings.apiRoot, webhookReply: false });
    this.timeoutMs = settings.timeoutMs ?? 10_000;
    this.attempts = settings.attempts ?? 3;
    this.maxFileBytes = settings.maxFileBytes ?? 20 * 1024 * 1024;
    this.botId = settings.token.split(':')[0];
  }

  /** Sends one message and returns its message_id. */
  async sendMessage(chatId: string, message: OutboundMessage): Promise<number> {
    const base = { chat_id: chatId, reply_markup: message.replyMarkup, link_preview_options: { is_disabled: true } };
    try {
      const sent = await this.withRetries((signal) => this.telegram.callApi('sendMessage', { ...base, text: message.html, parse_mode: 'HTML' }, clientOptions(signal)));
      return sent.message_id;
    } catch (error) {
      // The markup is ours, but a legal notice must not be lost to a rendering bug: send it plain.
      if (!unparsable(error)) throw error;
      const sent = await this.withRetries((signal) => this.telegram.callApi('sendMessage', { ...base, text: message.plain }, clientOptions(signal)));
      return sent.message_id;
    }
  }

  /** Stops the button's spinner; `text` shows as a short notice over the chat. */
  async answerCallbackQuery(callbackQueryId: string, text?: string): Promise<void> {
    await this.withRetries((signal) => this.telegram.callApi('answerCallbackQuery', { callback_query_id: callbackQueryId, ...(text ? { text } : {}) }, clientOptions(signal)));
  }

  /** getFile for the path, then the bytes from `/file/bot<token>/<path>`. */
  async downloadFile(fileId: string): Promise<DownloadedFile> {
    return this.withRetries(async (signal) => {
      const file = await this.telegram.callApi('getFile', { file_id: fileId }, clientOptions(signal));
      if ((file.file_size ?? 0) > this.maxFileBytes) throw new FileTooLargeError(file.file_size!, this.maxFileBytes);
      const link = await this.telegram.getFileLink(file);
      const response = await fetch(link, { signal });
      if (response.status >= 500 || response.status === 429) throw new RetryableHttpError(`file download answered ${response.status}`);
      if (!response.ok) throw new Error(`file download answered ${response.status}`);
      const bytes = Buffer.from(await response.arrayBuffer());
      if (bytes.length > this.maxFileBytes) throw new FileTooLargeError(bytes.length, this.maxFileBytes);
      if (file.file_size !== undefined && bytes.length !== file.file_size) throw new RetryableHttpError('file download is truncated');
      return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
    });
  }

  /** One long poll: waits up to `waitSeconds` for updates from `offset` on; `signal` ends it early. */
  async getUpdates(offset: number | undefined, waitSeconds: number, signal: AbortSignal): Promise<Update[]> {
    const timeout = AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs + waitSeconds * 1000)]);
    return this.telegram.callApi('getUpdates', { offset, timeout: waitSeconds, allowed_updates: ['message', 'callback_query'] }, clientOptions(timeout));
  }

  /** Long polling and a webhook exclude each other: getUpdates answers 409 while a webhook is set. */
  async deleteWebhook(): Promise<void> {
    await this.withRetries((signal) => this.telegram.callApi('deleteWebhook', { drop_pending_updates: false }, clientOptions(signal)));
  }

  private withRetries<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return withRetries(call, { attempts: this.attempts, timeoutMs: this.timeoutMs, advise: retryable });
  }

}
