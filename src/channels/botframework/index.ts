import type { TurnContext } from 'botbuilder';
import { AuthenticationConstants } from 'botframework-connector';
import type { Request, Response, Server } from 'restify';
import type { BotFrameworkSettings } from '../../config';
import { clientIp, isLoopbackAddress, sendError } from '../../http';
import type { Logger } from '../../logger';
import { KeyedQueue } from '../../inbox';
import { chatSender } from '../../notify/chat';
import type { Channel } from '../channel';
import { MESSAGES_PATH } from './off';
import { readActivity } from './activity';
import { BotFrameworkCloudAdapter, namespacedChannel, type AuthenticatedRequest, type BotFrameworkAuth } from './adapter';

export { BotFrameworkCloudAdapter, namespacedChannel, type BotFrameworkAuth } from './adapter';

export { MESSAGES_PATH } from './off';

/**
 * Bot Framework channels whose conversations the outbox can reach later through the connector,
 * each under its namespaced id (`botframework:msteams`).
 */
export const NOTIFIABLE_CHANNELS = ['emulator', 'msteams', 'directline', 'webchat', 'slack', 'telegram', 'facebook', 'line', 'sms', 'email'].map(namespacedChannel);

export interface BotFrameworkDeps {
  bot: { run(context: TurnContext): Promise<void> };
  logger: Logger;
  /** Called when a turn throws, e.g. to apologise to the user; without it the request answers 500. */
  onTurnError?: (context: TurnContext, error: Error) => Promise<void>;
  /** Who signs /api/messages tokens, when not the Bot Framework's public cloud (tests: a local issuer). */
  issuer?: BotFrameworkAuth['issuer'];
  /** TRUST_PROXY: the client's address is the proxy's last X-Forwarded-For entry. */
  trustProxy: boolean;
}

export interface BotFrameworkChannel extends Channel {
  /** How /api/messages takes posts: Azure Bot Service tokens, or the Emulator on this machine. */
  mode: BotFrameworkSettings['mode'];
  /** Also the way to reach a user later: `adapter.continueConversationAsync(appId, reference, logic)`. */
  adapter: BotFrameworkCloudAdapter;
}

function reject(res: Response, status: number, code: string, message: string): void {
  sendError(res, status, code, message, status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {});
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** A reply URL on this machine: the only one an unauthenticated post may name. */
function isLoopbackUrl(url: string): boolean {
  const { hostname } = new URL(url);
  return hostname === 'localhost' || isLoopbackAddress(hostname);
}

/** Token failures become a 401 with the reason; a key server we cannot reach is our problem (503), not the caller's. */
function authFailure(error: unknown): { status: number; message: string } {
  const status = statusOf(error);
  if (status !== undefined && status >= 500) return { status: 503, message: 'The Bot Framework signing keys cannot be fetched right now; try again later' };
  if (status === 403) return { status: 403, message: (error as Error).message };
  // jsonwebtoken's own errors (a bad signature, a malformed token) carry no status: still the caller's token.
  return { status: 401, message: (error as Error)?.message || 'The token is not valid' };
}

/**
 * `POST /api/messages`, the Bot Framework protocol: Azure Bot Service channels such as Teams (JWT
 * checked against MicrosoftAppId), or the Bot Framework Emulator on this machine when
 * BOTFRAMEWORK_ANONYMOUS=true. The user's identity is namespaced by the Bot Framework channel, so
 * a post claiming channelId "whatsapp" is never the WhatsApp channel's user; replies go only to a
 * serviceUrl the token vouches for, or to this machine.
 */
export function createBotFramework(settings: BotFrameworkSettings, deps: BotFrameworkDeps): BotFrameworkChannel {
  const { logger } = deps;
  const { mode } = settings;
  const adapter = new BotFrameworkCloudAdapter({ appId: settings.appId, appPassword: settings.appPassword, appType: settings.appType, tenantId: settings.tenantId, issuer: deps.issuer });
  if (deps.onTurnError) adapter.onTurnError = deps.onTurnError;
  const queue = new KeyedQueue();
  const logic = (context: TurnContext) => deps.bot.run(context);
  const senders = Object.fromEntries(NOTIFIABLE_CHANNELS.map((channel) => [channel, chatSender(adapter)]));
  const authenticated = mode === 'authenticated';
  return {
    id: 'botframework',
    mode,
    description: authenticated
      ? 'Bot Framework at /api/messages, authenticated with MicrosoftAppId (Azure Bot Service)'
      : 'Bot Framework at /api/messages, anonymous (Bot Framework Emulator; BOTFRAMEWORK_ANONYMOUS=true)',
    warnings: authenticated
      ? settings.anonymousRequested
        ? ['BOTFRAMEWORK_ANONYMOUS ignored: MicrosoftAppId is set, so every post needs a Bot Connector token']
        : []
      : ['/api/messages takes unauthenticated posts from this machine (loopback) and replies only to loopback: for local development only'],
    adapter,
    senders,
    routes: (server) => registerRoute(server, { mode, adapter, queue, logic, logger, trustProxy: deps.trustProxy }),
    start: () => undefined,
    resumePending: async () => 0,
    idle: () => queue.idle(),
    close: () => queue.idle(),
  };
}

function registerRoute(
  server: Server,
  { mode, adapter, queue, logic, logger, trustProxy }: { mode: BotFrameworkSettings['mode']; adapter: BotFrameworkCloudAdapter; queue: KeyedQueue; logic: (context: TurnContext) => Promise<void>; logger: Logger; trustProxy: boolean },
): void {
  server.post(MESSAGES_PATH, async (req: Request, res: Response) => {
    if (mode === 'anonymous' && !isLoopbackAddress(clientIp(req, trustProxy))) {
      logger.warn({ channel: 'botframework' }, 'anonymous bot framework post from another machine refused');
      reject(res, 403, 'forbidden', 'Without MicrosoftAppId, /api/messages takes posts from this machine only');
      return;
    }
    const read = readActivity((req as { body?: unknown }).body);
    if (!read.ok) {
      logger.warn({ channel: 'botframework', reason: read.reason }, 'bot framework activity rejected');
      reject(res, 400, 'bad_request', read.reason);
      return;
    }
    const { activity } = read;
    const authorization = req.headers.authorization ?? '';

    let request: AuthenticatedRequest;
    try {
      request = await adapter.authenticate(activity, authorization);
    } catch (error) {
      const { status, message } = authFailure(error);
      logger.warn({ channel: activity.channelId, status, hasToken: authorization !== '' }, 'bot framework request not authenticated');
      reject(res, status, status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : 'unavailable', message);
      return;
    }
    // A channel token's serviceurl claim was matched by botbuilder; without one (anonymous, an Emulator token) nothing vouches for a remote URL.
    if (!request.claimsIdentity.getClaimValue(AuthenticationConstants.ServiceUrlClaim) && !isLoopbackUrl(activity.serviceUrl)) {
      logger.warn({ channel: activity.channelId }, 'bot framework serviceUrl refused: not vouched for by a token');
      reject(res, 403, 'forbidden', 'The serviceUrl must be on this machine unless a Bot Connector token vouches for it');
      return;
    }

    const turnActivity = { ...activity, channelId: namespacedChannel(activity.channelId) };
    // One turn at a time per conversation, in the order the requests arrived.
    const conversation = `${turnActivity.channelId}:${activity.conversation.id}`;
    try {
      const invoke = await queue.run(conversation, () => adapter.runTurn(request, turnActivity, logic));
      res.send(invoke?.status ?? 200, invoke?.body);
    } catch (error) {
      const err = error as Error;
      logger.error({ err: { name: err.name, message: err.message }, channel: turnActivity.channelId, type: activity.type }, 'bot framework turn failed');
      reject(res, 500, 'internal', 'Internal error');
    }
  });
}
