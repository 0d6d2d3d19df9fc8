import type { TelegramSettings } from '../../config';
import { resolveLocale } from '../../i18n';
import { InboundLog, InboundProcessor } from '../../inbox';
import { chatSender } from '../../notify/chat';
import { PrismaBotStorage } from '../../storage';
import { describeError, type Channel, type ChannelDeps } from '../channel';
import { TelegramAdapter } from './adapter';
import { TelegramApi } from './api';
import { KeyboardRegistry } from './keyboards';
import { LongPolling } from './polling';
import { registerRoutes, UpdateRecorder, WEBHOOK_PATH } from './routes';
import { CHANNEL_ID } from './adapter';

export { TelegramAdapter } from './adapter';
export type { ChannelHints } from './outbound';
export { CHANNEL_ID as TELEGRAM_CHANNEL_ID, SERVICE_URL as TELEGRAM_SERVICE_URL } from './adapter';
export { WEBHOOK_PATH as TELEGRAM_WEBHOOK_PATH } from './routes';

export interface TelegramChannel extends Channel {
  adapter: TelegramAdapter;
  mode: 'webhook' | 'polling';
}

/**
 * The Telegram channel: the webhook at `/api/telegram` (or long polling) records each update in
 * the inbox; the inbox's processor runs it through the adapter, which replies through the Bot API.
 */
export function createTelegram(settings: TelegramSettings, deps: ChannelDeps & { api?: { timeoutMs?: number; attempts?: number; pollSeconds?: number } }): TelegramChannel {
  const logger = deps.logger.child({ channel: CHANNEL_ID }, { serializers: { err: describeError } });
  const api = new TelegramApi({ token: settings.botToken, apiRoot: settings.apiRoot, timeoutMs: deps.api?.timeoutMs, attempts: deps.api?.attempts });
  const adapter = new TelegramAdapter({
    api,
    keyboards: new KeyboardRegistry(new PrismaBotStorage(deps.prisma)),
    prisma: deps.prisma,
    identities: deps.identities,
    texts: (locale) => deps.texts.for(resolveLocale(locale, deps.defaultLocale)),
    defaultLocale: deps.defaultLocale,
    clock: deps.clock,
  });
  if (deps.onTurnError) adapter.onTurnError = deps.onTurnError;
  const log = new InboundLog(deps.prisma, CHANNEL_ID);
  const processor = new InboundProcessor(
    log,
    (turn) => adapter.handle(turn, (context) => deps.bot.run(context)),
    (error, inboundId) => logger.error({ err: error, inboundId }, 'telegram update processing failed'),
    deps.inbound,
  );
  const recorder = new UpdateRecorder(processor, api.botId);
  const polling = settings.mode === 'polling' ? new LongPolling({ api, recorder, processor, logger, waitSeconds: deps.api?.pollSeconds ?? 30 }) : null;
  return {
    id: CHANNEL_ID,
    mode: settings.mode,
    description: settings.mode === 'webhook' ? `Telegram webhook at ${WEBHOOK_PATH}` : 'Telegram by long polling (TELEGRAM_MODE=polling)',
    warnings: [],
    adapter,
    senders: { [CHANNEL_ID]: chatSender(adapter) },
    routes(server) {
      if (settings.mode === 'webhook') registerRoutes(server, { recorder, processor, logger, secret: settings.webhookSecret });
    },
    start: () => polling?.start(),
    resumePending: () => processor.resumePending(),
    idle: () => processor.idle(),
    async close() {
      await polling?.stop();
      await processor.idle();
    },
  };
}
