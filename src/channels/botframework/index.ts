import type { TurnContext } from 'botbuilder';
import type { Request, Response, Server } from 'restify';
import type { Logger } from '../../logger';
import { KeyedQueue } from '../queue';
import { readActivity } from './activity';
import { BotFrameworkCloudAdapter, type AuthenticatedRequest, type BotFrameworkAuth } from './adapter';

export { BotFrameworkCloudAdapter, type BotFrameworkAuth } from './adapter';

export const MESSAGES_PATH = '/api/messages';

export interface BotFrameworkDeps {
  bot: { run(context: TurnContext): Promise<void> };
  logger: Logger;
  /** Called when a turn throws, e.g. to apologise to the user; without it the request answers 500. */
  onTurnError?: (context: TurnContext, error: Error) => Promise<void>;
  auth: BotFrameworkAuth;
}

export interface BotFrameworkChannel {
  /** Also the way to reach a user later: `adapter.continueConversationAsync(appId, reference, logic)`. */
  adapter: BotFrameworkCloudAdapter;
  /** Resolves when every turn in flight has finished (graceful shutdown, tests). */
  idle(): Promise<void>;
}

function reject(res: Response, status: number, code: string, message: string): void {
  res.json(status, { error: { code, message } });
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * `POST /api/messages`, the Bot Framework protocol: the Bot Framework Emulator (anonymous, when no
 * MicrosoftAppId is set) and Azure Bot Service channels such as Teams (JWT checked against the app
 * id). Activities keep their channelId, and replies go back to the activity's serviceUrl.
 */
export function registerBotFramework(server: Server, deps: BotFrameworkDeps): BotFrameworkChannel {
  const { logger } = deps;
  const adapter = new BotFrameworkCloudAdapter(deps.auth);
  if (deps.onTurnError) adapter.onTurnError = deps.onTurnError;
  const queue = new KeyedQueue();
  const logic = (context: TurnContext) => deps.bot.run(context);

  server.post(MESSAGES_PATH, async (req: Request, res: Response) => {
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
      const status = statusOf(error);
      if (status !== 401 && status !== 403) throw error;
      logger.warn({ channel: activity.channelId, status, hasToken: authorization !== '' }, 'bot framework request not authenticated');
      reject(res, status, status === 401 ? 'unauthorized' : 'forbidden', (error as Error).message);
      return;
    }

    // One turn at a time per conversation, in the order the requests arrived.
    const conversation = `${activity.channelId}:${activity.conversation.id}`;
    try {
      const invoke = await queue.run(conversation, () => adapter.runTurn(request, activity, logic));
      res.send(invoke?.status ?? 200, invoke?.body);
    } catch (error) {
      const err = error as Error;
      logger.error({ err: { name: err.name, message: err.message }, channel: activity.channelId, type: activity.type }, 'bot framework turn failed');
      reject(res, 500, 'internal', 'Internal error');
    }
  });

  return { adapter, idle: () => queue.idle() };
}
