import type { WhatsAppSettings } from '../../config';
import { InboundLog, InboundProcessor } from '../../inbox';
import { whatsAppSender } from '../../notify/whatsapp';
import type { Channel, ChannelDeps } from '../channel';
import { WhatsAppAdapter } from './adapter';
import { GraphClient } from './graph';
import { CHANNEL_ID } from './adapter';
import { registerRoutes, WEBHOOK_PATH } from './routes';

export { WhatsAppAdapter } from './adapter';
export { CHANNEL_ID as WHATSAPP_CHANNEL_ID, SERVICE_URL as WHATSAPP_SERVICE_URL } from './adapter';
export { ATTACHMENT_URL_PREFIX } from '../evidence';
export { WEBHOOK_PATH as WHATSAPP_WEBHOOK_PATH } from './routes';

export interface WhatsAppChannel extends Channel {
  adapter: WhatsAppAdapter;
}

/**
 * The WhatsApp Cloud API channel: the webhook at `/api/whatsapp` records each message in the
 * inbox; the inbox's processor runs it through the adapter, which replies through the Graph API;
 * the outbox reaches the user later through the same adapter, or a template once the 24-hour
 * window has closed.
 */
export function createWhatsApp(settings: WhatsAppSettings, deps: ChannelDeps & { graph?: { timeoutMs?: number; attempts?: number } }): WhatsAppChannel {
  const { logger } = deps;
  const graph = new GraphClient({ ...settings, ...deps.graph });
  const adapter = new WhatsAppAdapter({ graph, phoneNumberId: settings.phoneNumberId, prisma: deps.prisma, identities: deps.identities, t: deps.texts.for(deps.defaultLocale), clock: deps.clock });
  if (deps.onTurnError) adapter.onTurnError = deps.onTurnError;
  const log = new InboundLog(deps.prisma, CHANNEL_ID);
  const processor = new InboundProcessor(
    log,
    (turn) => adapter.handle(turn, (context) => deps.bot.run(context)),
    (error, inboundId) => logger.error({ err: error, channel: CHANNEL_ID, inboundId }, 'whatsapp message processing failed'),
    deps.inbound,
  );
  return {
    id: CHANNEL_ID,
    description: `WhatsApp webhook at ${WEBHOOK_PATH}`,
    warnings: [],
    adapter,
    senders: { [CHANNEL_ID]: whatsAppSender({ adapter, templates: graph, template: settings.template, clock: deps.clock }) },
    routes: (server) => registerRoutes(server, { prisma: deps.prisma, processor, logger, appSecret: settings.appSecret, verifyToken: settings.verifyToken, phoneNumberId: settings.phoneNumberId }),
    start: () => undefined,
    resumePending: () => processor.resumePending(),
    idle: () => processor.idle(),
    close: async () => {
      await processor.idle();
      await graph.close();
    },
  };
}
