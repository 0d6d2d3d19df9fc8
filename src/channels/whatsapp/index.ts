import type { TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { Server } from 'restify';
import type { Translate } from '../../i18n';
import { systemClock, type Clock } from '../../pqr';
import type { Identities } from '../../identity';
import type { Db } from '../../storage';
import { InboundLog, InboundProcessor, type InboundSettings } from '../../inbox';
import { WhatsAppAdapter } from './adapter';
import { GraphClient } from './graph';
import { CHANNEL_ID } from './message';
import { WhatsAppTurns } from './turns';
import { registerWebhookRoutes } from './webhook';

export { WhatsAppAdapter } from './adapter';
export { CHANNEL_ID as WHATSAPP_CHANNEL_ID, SERVICE_URL as WHATSAPP_SERVICE_URL } from './message';
export { ATTACHMENT_URL_PREFIX } from '../evidence';
export { WEBHOOK_PATH as WHATSAPP_WEBHOOK_PATH } from './webhook';

export interface WhatsAppConfig {
  /** WHATSAPP_ACCESS_TOKEN: a permanent (system user) token with whatsapp_business_messaging. */
  accessToken: string;
  /** WHATSAPP_PHONE_NUMBER_ID: the business number's id, not the number itself. */
  phoneNumberId: string;
  /** WHATSAPP_APP_SECRET: checks X-Hub-Signature-256 on every webhook. */
  appSecret: string;
  /** WHATSAPP_VERIFY_TOKEN: answered in the subscription handshake. */
  verifyToken: string;
  /** WHATSAPP_API_BASE_URL: Meta's Graph URL, or a fake Graph server in tests. */
  apiBaseUrl: string;
}

export interface WhatsAppDeps {
  prisma: Db;
  /** Who each user is and what the channel proves about them (see src/identity). */
  identities: Identities;
  bot: { run(context: TurnContext): Promise<void> };
  logger: Logger;
  config: WhatsAppConfig;
  /** Texts in the bot's default locale (WhatsApp does not say the user's language). */
  texts: Translate;
  /** Called when a turn throws, e.g. to apologise to the user; without it the error is logged. */
  onTurnError?: (context: TurnContext, error: Error) => Promise<void>;
  clock?: Clock;
  /** Graph call timeout and tries; tests shorten them. */
  graph?: { timeoutMs?: number; attempts?: number };
  /** Conversation leases shared with the other instances (default: a 30 s lease of this process's own). */
  inbound?: InboundSettings;
}

export interface WhatsAppChannel {
  adapter: WhatsAppAdapter;
  /** Processes messages recorded but not processed (a crash, a restart, a dead instance); call at start and periodically. */
  resumePending(): Promise<number>;
  /** Resolves when every queued turn has finished (graceful shutdown, tests). */
  idle(): Promise<void>;
}

/** The WhatsApp Cloud API channel: the webhook at `/api/whatsapp` and replies through the Graph API. */
export function registerWhatsApp(server: Server, deps: WhatsAppDeps): WhatsAppChannel {
  const { config, logger, texts: t } = deps;
  const graph = new GraphClient({ ...config, ...deps.graph });
  const adapter = new WhatsAppAdapter(graph, config.phoneNumberId, t('whatsapp.list.button'));
  if (deps.onTurnError) adapter.onTurnError = deps.onTurnError;
  const turns = new WhatsAppTurns({
    prisma: deps.prisma,
    identities: deps.identities,
    graph,
    adapter,
    logic: (context) => deps.bot.run(context),
    t,
    clock: deps.clock ?? systemClock,
    phoneNumberId: config.phoneNumberId,
  });
  const log = new InboundLog(deps.prisma, CHANNEL_ID);
  const processor = new InboundProcessor(
    log,
    (message) => turns.handle(message),
    (error, inboundId) => logger.error({ err: error, channel: CHANNEL_ID, inboundId }, 'whatsapp message processing failed'),
    deps.inbound,
  );
  registerWebhookRoutes(server, {
    prisma: deps.prisma,
    log,
    processor,
    logger,
    appSecret: config.appSecret,
    verifyToken: config.verifyToken,
    phoneNumberId: config.phoneNumberId,
  });
  return { adapter, resumePending: () => processor.resumePending(), idle: () => processor.idle() };
}
