import type { Logger } from 'pino';
import type { Request, Response, Server } from 'restify';
import type { Update } from 'telegraf/types';
import { z } from 'zod';
import { jsonBodyOrUndefined, sendError } from '../../http';
import { safeEqual } from '../../security';
import type { InboundProcessor, RecordedInbound } from '../../inbox';
import { senderOf } from './adapter';

export const WEBHOOK_PATH = '/api/telegram';

const int = z.number().int().refine(Number.isSafeInteger);
const User = z.looseObject({ id: int, is_bot: z.boolean().optional(), language_code: z.string().max(35).optional() });
const Chat = z.looseObject({ id: int, type: z.string() });
const File = z.looseObject({ file_id: z.string() });
/**
 * The fields the bot reads from the updates it takes (private messages and button taps), so a
 * malformed update is refused here rather than failing later, after it was acknowledged.
 * Other kinds of update pass with their update_id only: they are recorded as not taken.
 */
const UpdateShape = z.looseObject({
  update_id: int.nonnegative(),
  message: z
    .looseObject({
      message_id: int,
      date: z.number(),
      chat: Chat,
      from: User.optional(),
      text: z.string().optional(),
      caption: z.string().optional(),
      photo: z.array(File).optional(),
      contact: z.looseObject({}).optional(),
    })
    .optional(),
  callback_query: z
    .looseObject({
      id: z.string(),
      from: User,
      data: z.string().optional(),
      message: z.looseObject({ message_id: int, chat: Chat }).optional(),
    })
    .optional(),
});

function isUpdate(value: unknown): value is Update {
  return UpdateShape.safeParse(value).success;
}

/**
 * Records updates once per (bot, update_id), whether a webhook or long polling brought them.
 * The bot's id is part of the key because update_ids restart when a bot's token is replaced by another bot's.
 */
export class UpdateRecorder {
  constructor(
    private readonly processor: InboundProcessor,
    private readonly botId: string,
  ) {}

  /**
   * The update as recorded when it is new and the bot takes it, for the caller to enqueue once
   * acknowledged; null for a duplicate, an update the bot does not take, or one whose record
   * already started its turn (see `InboundProcessor.record`).
   */
  async record(update: Update): Promise<RecordedInbound | null> {
    const sender = senderOf(update);
    if (!sender) return null;
    const payload = JSON.stringify(update);
    const { id, duplicate, scheduled } = await this.processor.record(`${this.botId}:${update.update_id}`, sender.chatId, payload);
    return duplicate || scheduled ? null : { id, conversationKey: sender.chatId, payload };
  }
}

/**
 * `POST /api/telegram`: the Bot API's webhook. The secret token set with setWebhook is checked
 * before anything is written; an update is recorded (once per update_id) and acknowledged
 * before it is processed.
 */
export function registerRoutes(server: Server, ctx: { recorder: UpdateRecorder; processor: InboundProcessor; logger: Logger; secret: string }): void {
  server.post(WEBHOOK_PATH, async (req: Request, res: Response) => {
    const secret = req.headers['x-telegram-bot-api-secret-token'];
    if (typeof secret !== 'string' || !secret) {
      ctx.logger.warn('telegram webhook without a secret token');
      sendError(res, 401, 'unauthorized', 'Missing X-Telegram-Bot-Api-Secret-Token');
      return;
    }
    if (!safeEqual(secret, ctx.secret)) {
      ctx.logger.warn('telegram webhook with a wrong secret token');
      sendError(res, 403, 'forbidden', 'Invalid X-Telegram-Bot-Api-Secret-Token');
      return;
    }
    const update = jsonBodyOrUndefined(req);
    if (!isUpdate(update)) {
      sendError(res, 400, 'bad_request', 'Not a Telegram update');
      return;
    }
    let recorded: RecordedInbound | null;
    try {
      recorded = await ctx.recorder.record(update);
    } catch (error) {
      // Not acknowledged, so Telegram delivers it again: nothing is lost.
      ctx.logger.error({ err: error }, 'could not record a telegram update');
      sendError(res, 500, 'internal', 'Internal error');
      return;
    }
    // An empty body: Telegram would run a JSON body with a "method" as an API call.
    res.send(200);
    if (recorded) ctx.processor.enqueue(recorded);
  });
}
