import type { TurnContext } from 'botbuilder';
import { AuthenticationConstants } from 'botframework-connector';
import type { Request, Response, Server } from 'restify';
import { clientIp, isLoopbackAddress } from '../../http';
import type { Logger } from '../../logger';
import { KeyedQueue } from '../../inbox';
import { readActivity } from './activity';
import { BotFrameworkCloudAdapter, namespacedChannel, type AuthenticatedRequest, type BotFrameworkAuth } from './adapter';

export { BotFrameworkCloudAdapter, namespacedChannel, type BotFrameworkAuth } from './adapter';

export const MESSAGES_PATH = '/api/messages';

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
  auth: BotFrameworkAuth;
  /** BOTFRAMEWORK_ANONYMOUS: without an app id, take unauthenticated posts from this machine (Emulator). */
  anonymous: boolean;
  /** TRUST_PROXY: the client's address is the proxy's last X-Forwarded-For entry. */
  trustProxy: boolean;
}

export interface BotFrameworkChannel {
  /** How /api/messages takes posts: Azure Bot Service tokens, the Emulator on this machine, or nobody. */
  mode: 'authenticated' | 'anonymous' | 'off';
  /** Also the way to reach a user later: `adapter.continueConversationAsync(appId, reference, logic)`. */
  adapter: BotFrameworkCloudAdapter;
  /** Resolves when every turn in flight has finished (graceful shutdown, tests). */
  idle(): Promise<void>;
}

function reject(res: Response, status: number, code: string, message: string): void {
  if (status === 401) res.header('WWW-Authenticate', 'Bearer');
  res.json(status, { error: { code, message } });
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
export function registerBotFramework(server: Server, deps: BotFrameworkDeps): BotFrameworkChannel {
  const { logger } = deps;
  const mode = deps.auth.appId ? 'authenticated' : deps.anonymous ? 'anonymous' : 'off';
  const adapter = new BotFrameworkCloudAdapter(deps.auth);
  if (deps.onTurnError) adapter.onTurnError = deps.onTurnError;
  const queue = new KeyedQueue();
  const logic = (context: TurnContext) => deps.bot.run(context);

  server.post(MESSAGES_PATH, async (req: Request, res: Response) => {
    if (mode === 'off') {
      reject(res, 401, 'unauthorized', 'The Bot Framework channel is off: the operator has not set MicrosoftAppId');
      return;
    }
    if (mode === 'anonymous' && !isLoopbackAddress(clientIp(req, deps.trustProxy))) {
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

  return { mode, adapter, idle: () => queue.idle() };
}
