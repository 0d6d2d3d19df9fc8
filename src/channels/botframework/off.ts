import type { Request, Response, Server } from 'restify';
import { sendError } from '../../http';

export const MESSAGES_PATH = '/api/messages';

/**
 * `/api/messages` while the Bot Framework channel is off: every post is refused with the reason,
 * without loading the Bot Framework's authentication (the channel's module is not imported).
 */
export function refuseMessages(server: Server): void {
  server.post(MESSAGES_PATH, async (_req: Request, res: Response) => {
    sendError(res, 401, 'unauthorized', 'The Bot Framework channel is off: the operator has not set MicrosoftAppId', { 'WWW-Authenticate': 'Bearer' });
  });
}
