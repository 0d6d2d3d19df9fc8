import type { TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import { InboundLog, InboundProcessor, type InboundSettings } from '../../inbox';
import { chatSender } from '../../notify/chat';
import type { Db } from '../../storage';
import type { Channel } from '../channel';
import { DirectLineAdapter } from './adapter';
import { registerPageRoutes, type PageOptions } from './page';
import { BASE_PATH, registerApiRoutes } from './routes';
import { CHANNEL_ID, DirectLineStore } from './store';
import { TokenSigner } from './token';

export { DirectLineAdapter, BOT_ACCOUNT, SERVICE_URL } from './adapter';
export { CHANNEL_ID as WEBCHAT_CHANNEL_ID } from './store';
export { TokenSigner } from './token';
export { DEFAULT_PAGE, type PageOptions, type PageTexts } from './page';

export interface DirectLineDeps {
  prisma: Db;
  bot: { run(context: TurnContext): Promise<void> };
  /** DIRECTLINE_SECRET (≥ 16 characters): signs tokens and is accepted as a server-side bearer. */
  secret: string;
  logger: Logger;
  /** Called when a turn throws, e.g. to apologise to the user; without it the error is logged. */
  onTurnError?: (context: TurnContext, error: Error) => Promise<void>;
  /** Branding served as `window.PQR_CONFIG` by `/config.js`. */
  page?: PageOptions;
  /** Token lifetime; Direct Line's is 30 minutes and Web Chat refreshes every 15. */
  tokenTtlSeconds?: number;
  /** Per-IP limit on new conversations (default 2/s, bursts of 30); trustProxy reads X-Forwarded-For. */
  newConversations?: { ratePerSecond: number; burst: number; trustProxy: boolean };
  /** Per-conversation limit on posted messages and events (default 1/s, bursts of 10). */
  messages?: { ratePerSecond: number; burst: number };
  /** Largest accepted request body; a server-wide body parser with a lower limit answers first. */
  maxBodyBytes?: number;
  /** Conversation leases shared with the other instances (default: a 10 s lease of this process's own). */
  inbound?: InboundSettings;
}

export interface DirectLineChannel extends Channel {
  adapter: DirectLineAdapter;
}

/**
 * The web chat channel: the page at `/`, its assets, and the Direct Line v3 subset under
 * `/v3/directline`. A posted activity is recorded in the inbox (with its echo in the stream) and
 * answered; the inbox's processor runs its turn through the adapter, which appends the replies.
 */
export function createDirectLine(deps: DirectLineDeps): DirectLineChannel {
  const log = new InboundLog(deps.prisma, CHANNEL_ID);
  const store = new DirectLineStore(deps.prisma, log);
  const adapter = new DirectLineAdapter(store);
  const signer = new TokenSigner(deps.secret);
  if (deps.onTurnError) adapter.onTurnError = deps.onTurnError;
  const processor = new InboundProcessor(
    log,
    (turn) => adapter.handle(turn, (context) => deps.bot.run(context)),
    (error, inboundId) => deps.logger.error({ err: error, channel: CHANNEL_ID, inboundId }, 'web chat turn failed'),
    deps.inbound,
  );
  return {
    id: CHANNEL_ID,
    description: `web chat at / (Direct Line at ${BASE_PATH})`,
    warnings: [],
    adapter,
    senders: { [CHANNEL_ID]: chatSender(adapter) },
    routes(server) {
      registerApiRoutes(server, {
        store,
        processor,
        signer,
        secret: deps.secret,
        logger: deps.logger,
        tokenTtlSeconds: deps.tokenTtlSeconds ?? 1800,
        maxBodyBytes: deps.maxBodyBytes ?? 64 * 1024,
        newConversations: deps.newConversations ?? { ratePerSecond: 2, burst: 30, trustProxy: false },
        messages: deps.messages ?? { ratePerSecond: 1, burst: 10 },
      });
      registerPageRoutes(server, deps.page);
    },
    start: () => undefined,
    resumePending: () => processor.resumePending(),
    idle: () => processor.idle(),
    close: () => processor.idle(),
  };
}
