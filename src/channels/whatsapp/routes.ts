import { createHmac } from 'node:crypto';
import { normalizeWebhook } from '@kapso/whatsapp-cloud-api/server';
import type { Logger } from 'pino';
import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import { jsonBodyOrUndefined, rawBody, sendError } from '../../http';
import { safeEqual } from '../../security';
import type { Db } from '../../storage';
import type { InboundProcessor, RecordedInbound } from '../../inbox';
import { CHANNEL_ID, senderOf, type RecordedMessage } from './adapter';

export const WEBHOOK_PATH = '/api/whatsapp';

export interface RouteContext {
  prisma: Db;
  processor: InboundProcessor;
  logger: Logger;
  appSecret: string;
  verifyToken: string;
  phoneNumberId: string;
}

type Json = Record<string, unknown>;

const objects = z.array(z.looseObject({})).optional();
/**
 * The containers the webhook walks: arrays of objects where Meta sends them. Fields inside a
 * message or status are checked one by one below (a bad one is skipped, not the whole payload).
 */
const WebhookShape = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.looseObject({
      changes: z.array(z.looseObject({ value: z.looseObject({ metadata: z.looseObject({}).optional(), contacts: objects, messages: objects, statuses: objects }).optional() })).optional(),
    }),
  ),
});

/** Meta signs the raw bytes: `sha256=` + the hex HMAC-SHA256 with the app secret. */
function validSignature(header: string, appSecret: string, raw: Buffer): boolean {
  const expected = `sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}`;
  return safeEqual(header.trim().toLowerCase(), expected);
}

/**
 * `GET /api/whatsapp`, Meta's subscription handshake, and `POST /api/whatsapp`, the signed webhook:
 * the signature is checked on the raw bytes, messages are recorded in the inbox (once per wamid)
 * and acknowledged, then handed to the inbox's processor, which runs them through the adapter;
 * statuses are stored as delivery receipts.
 */
export function registerRoutes(server: Server, ctx: RouteContext): void {
  server.get(WEBHOOK_PATH, async (req: Request, res: Response) => {
    const query = (req.query ?? {}) as Json;
    const mode = query['hub.mode'];
    const token = query['hub.verify_token'];
    const challenge = query['hub.challenge'];
    if (mode !== 'subscribe' || typeof token !== 'string' || typeof challenge !== 'string') {
      sendError(res, 400, 'bad_request', 'Expected hub.mode=subscribe, hub.verify_token and hub.challenge');
      return;
    }
    if (!safeEqual(token, ctx.verifyToken)) {
      ctx.logger.warn({ channel: CHANNEL_ID }, 'whatsapp handshake with a wrong verify token');
      sendError(res, 403, 'forbidden', 'Wrong verify token');
      return;
    }
    res.sendRaw(200, challenge, { 'Content-Type': 'text/plain; charset=utf-8' });
  });

  server.post(WEBHOOK_PATH, async (req: Request, res: Response) => {
    const signature = req.headers['x-hub-signature-256'];
    if (typeof signature !== 'string' || !signature) {
      ctx.logger.warn({ channel: CHANNEL_ID }, 'whatsapp webhook without a signature');
      sendError(res, 401, 'unauthorized', 'Missing X-Hub-Signature-256');
      return;
    }
    const raw = rawBody(req);
    if (!validSignature(signature, ctx.appSecret, raw)) {
      ctx.logger.warn({ channel: CHANNEL_ID }, 'whatsapp webhook with a wrong signature');
      sendError(res, 403, 'forbidden', 'Invalid X-Hub-Signature-256');
      return;
    }
    const payload = jsonBodyOrUndefined(req) as Json | undefined;
    if (!WebhookShape.safeParse(payload).success) {
      sendError(res, 400, 'bad_request', 'Not a WhatsApp Business Account webhook');
      return;
    }

    let recorded: RecordedInbound[];
    try {
      recorded = await recordPayload(ctx, payload as Json);
    } catch (error) {
      // Not acknowledged, so Meta delivers it again: nothing is lost.
      ctx.logger.error({ err: error, channel: CHANNEL_ID }, 'could not record a whatsapp webhook');
      sendError(res, 500, 'internal', 'Internal error');
      return;
    }
    res.json(200, { received: true });
    for (const message of recorded) ctx.processor.enqueue(message);
  });
}

/** Records the payload's messages and receipts; returns the messages seen for the first time. */
async function recordPayload(ctx: RouteContext, payload: Json): Promise<RecordedInbound[]> {
  const fresh: RecordedInbound[] = [];
  let skipped = 0;
  for (const entry of payload.entry as Json[]) {
    for (const change of (entry.changes as Json[] | undefined) ?? []) {
      const normalized = normalizeWebhook({ object: payload.object, entry: [{ changes: [change] }] });
      // An app can serve several numbers; only this bot's number is ours to answer.
      if (normalized.phoneNumberId && normalized.phoneNumberId !== ctx.phoneNumberId) {
        skipped += normalized.messages.length + normalized.statuses.length;
        continue;
      }
      for (const status of normalized.statuses) {
        if (typeof status.id !== 'string' || typeof status.status !== 'string') {
          skipped++;
          continue;
        }
        await storeReceipt(ctx.prisma, status.id, status.status, status.timestamp, status);
      }
      for (const message of normalized.messages) {
        // Echoes of what the business sent from another app are not the user's messages.
        if (message.kapso?.direction === 'outbound') continue;
        const userId = senderOf(message);
        if (typeof message.id !== 'string' || !message.id || !userId || typeof message.type !== 'string') {
          skipped++;
          continue;
        }
        const body: RecordedMessage = { userId, message };
        const payloadText = JSON.stringify(body);
        // On PostgreSQL the record may also start its turn (`scheduled`); the rest are enqueued once acknowledged.
        const { id, duplicate, scheduled } = await ctx.processor.record(message.id, userId, payloadText);
        if (!duplicate && !scheduled) fresh.push({ id, conversationKey: userId, payload: payloadText });
      }
    }
  }
  if (skipped) ctx.logger.warn({ channel: CHANNEL_ID, skipped }, 'whatsapp webhook items skipped (other number or missing fields)');
  return fresh;
}

/**
 * A status (sent, delivered, read, failed) is proof of notification for the message it names,
 * linked to its outbox row when there is one; a status for an unknown message is kept as well.
 */
async function storeReceipt(prisma: Db, externalId: string, status: string, timestamp: unknown, raw: unknown): Promise<void> {
  const seconds = Number(timestamp);
  const at = Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : new Date();
  // Meta redelivers statuses too; one row per (message, status) is enough proof.
  const known = await prisma.deliveryReceipt.findFirst({ where: { channel: CHANNEL_ID, externalId, status }, select: { id: true } });
  if (known) return;
  const outbox = await prisma.outbox.findFirst({ where: { externalId }, select: { id: true } });
  await prisma.deliveryReceipt.create({
    data: { channel: CHANNEL_ID, externalId, status, at, raw: JSON.stringify(raw), outboxId: outbox?.id ?? null },
  });
}
