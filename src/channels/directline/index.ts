import type { TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { Server } from 'restify';
import type { Db } from '../../storage';
import type { InboundSettings } from '../../inbox';
import { DirectLineAdapter } from './adapter';
import { registerPageRoutes, type PageOptions } from './page';
import { registerApiRoutes } from './routes';
import { DirectLineStore } from './store';
import { TokenSigner } from './token';
import { TurnRunner } from './turns';

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
  /** Conversation leases shared with the other instances (default: a 30 s lease of this process's own). */
  inbound?: InboundSettings;
}

export interface DirectLineChannel {
  adapter: DirectLineAdapter;
  /** Runs the turns of messages recorded but not processed (a crash, a dead instance); call at start and periodically. */
  resumePending(): Promise<number>;
  /** Resolves when every queued turn has finished (graceful shutdown, tests). */
  idle(): Promise<void>;
}

/** The web chat channel: the page at `/`, its assets, and the Direct Line v3 subset under `/v3/directline`. */
export function registerDirectLine(server: Server, deps: DirectLineDeps): DirectLineChannel {
  const store = new DirectLineStore(deps.prisma);
  const adapter = new DirectLineAdapter(store);
  if (deps.onTurnError) adapter.onTurnError = deps.onTurnError;
  const turns = new TurnRunner(store, adapter, (context) => deps.bot.run(context), deps.logger, deps.prisma, deps.inbound);
  registerApiRoutes(server, {
    store,
    turns,
    signer: new TokenSigner(deps.secret),
    secret: deps.secret,
    logger: deps.logger,
    tokenTtlSeconds: deps.tokenTtlSeconds ?? 1800,
    maxBodyBytes: deps.maxBodyBytes ?? 64 * 1024,
    newConversations: deps.newConversations ?? { ratePerSecond: 2, burst: 30, trustProxy: false },
    messages: deps.messages ?? { ratePerSecond: 1, burst: 10 },
  });
  registerPageRoutes(server, deps.page);
  return { adapter, resumePending: () => turns.resumePending(), idle: () => turns.idle() };
}
