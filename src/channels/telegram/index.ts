import type { TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { Server } from 'restify';
import { resolveLocale, type Locale, type Texts } from '../../i18n';
import { systemClock, type Clock } from '../../pqr';
import type { Identities } from '../../identity';
import { PrismaBotStorage, type Db } from '../../storage';
import { InboundLog, InboundProcessor, type InboundSettings } from '../../inbox';
import { TelegramAdapter } from './adapter';
import { TelegramApi } from './api';
import { KeyboardRegistry } from './keyboards';
import { LongPolling } from './polling';
import { TelegramTurns } from './turns';
import { CHANNEL_ID } from './update';
import { registerWebhookRoute, UpdateRecorder } from './webhook';

export { TelegramAdapter } from './adapter';
export type { ChannelHints } from './outbound';
export { CHANNEL_ID as TELEGRAM_CHANNEL_ID, SERVICE_URL as TELEGRAM_SERVICE_URL } from './update';
export { WEBHOOK_PATH as TELEGRAM_WEBHOOK_PATH } from './webhook';

export type TelegramConfig = {
  /** TELEGRAM_BOT_TOKEN, from BotFather. */
  botToken: string;
  /** TELEGRAM_API_ROOT: Telegram's Bot API, or a fake one in tests. */
  apiRoot: string;
} & (
  | {
      mode: 'webhook';
      /** TELEGRAM_WEBHOOK_SECRET: the secret_token given to setWebhook, checked on every update. */
      webhookSecret: string;
    }
  | { mode: 'polling' }
);

export interface TelegramDeps {
  prisma: Db;
  /** Who each user is and what the channel proves about them (see src/identity). */
  identities: Identities;
  bot: { run(context: TurnContext): Promise<void> };
  logger: Logger;
  config: TelegramConfig;
  /** The bot's texts; the channel's own answers follow the user's Telegram language. */
  texts: Texts;
  defaultLocale: Locale;
  /** Called when a turn throws, e.g. to apologise to the user; without it the error is logged. */
  onTurnError?: (context: TurnContext, error: Error) => Promise<void>;
  clock?: Clock;
  /** Bot API call timeout and tries, and the long poll's wait; tests shorten them. */
  api?: { timeoutMs?: number; attempts?: number; pollSeconds?: number };
  /** Conversation leases shared with the other instances (default: a 30 s lease of this process's own). */
  inbound?: InboundSettings;
}

export interface TelegramChannel {
  adapter: TelegramAdapter;
  mode: 'webhook' | 'polling';
  /** Processes updates recorded but not processed (a crash, a restart, a dead instance); call at start and periodically. */
  resumePending(): Promise<number>;
  /** Starts long polling (polling mode only). */
  startPolling(): void;
  /** Resolves when every queued turn has finished (graceful shutdown, tests). */
  idle(): Promise<void>;
  /** Stops long polling, then waits for the turns in flight. */
  close(): Promise<void>;
}

/** Pino's error serializer copies every property, and telegraf's errors carry the request's payload (message texts). */
function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: 'unknown error' };
}

/** The Telegram channel: the webhook at `/api/telegram` (or long polling) and replies through the Bot API. */
export function registerTelegram(server: Server, deps: TelegramDeps): TelegramChannel {
  const { config } = deps;
  const logger = deps.logger.child({ channel: CHANNEL_ID }, { serializers: { err: describe } });
  const api = new TelegramApi({ token: config.botToken, apiRoot: config.apiRoot, timeoutMs: deps.api?.timeoutMs, attempts: deps.api?.attempts });
  const textsFor = (locale: string | undefined) => deps.texts.for(resolveLocale(locale, deps.defaultLocale));
  const keyboards = new KeyboardRegistry(new PrismaBotStorage(deps.prisma));
  const adapter = new TelegramAdapter(api, keyboards, {
    contactButton: (locale) => textsFor(locale)('telegram.contact.button'),
  });
  if (deps.onTurnError) adapter.onTurnError = deps.onTurnError;
  const turns = new TelegramTurns({
    prisma: deps.prisma,
    identities: deps.identities,
    api,
    adapter,
    keyboards,
    logic: (context) => deps.bot.run(context),
    texts: textsFor,
    defaultLocale: deps.defaultLocale,
    clock: deps.clock ?? systemClock,
  });
  const log = new InboundLog(deps.prisma, CHANNEL_ID);
  const processor = new InboundProcessor(
    log,
    (message) => turns.handle(message),
    (error, inboundId) => logger.error({ err: error, inboundId }, 'telegram update processing failed'),
    deps.inbound,
  );
  const recorder = new UpdateRecorder(log, api.botId);
  const polling =
    config.mode === 'polling'
      ? new LongPolling({ api, recorder, processor, logger, waitSeconds: deps.api?.pollSeconds ?? 30 })
      : null;
  if (config.mode === 'webhook') registerWebhookRoute(server, { recorder, processor, logger, secret: config.webhookSecret });

  return {
    adapter,
    mode: config.mode,
    resumePending: () => processor.resumePending(),
    startPolling() {
      if (!polling) throw new Error('Telegram: long polling needs TELEGRAM_MODE=polling');
      polling.start();
    },
    idle: () => processor.idle(),
    async close() {
      await polling?.stop();
      await processor.idle();
    },
  };
}
