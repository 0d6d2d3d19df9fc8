import { randomBytes, randomUUID } from 'node:crypto';
import type { Activity } from 'botbuilder';
import type { Logger } from 'pino';
import type { Next, Request, Response, Server } from 'restify';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { BOT_ACCOUNT, SERVICE_URL } from './adapter';
import { CHANNEL_ID, type DirectLineStore } from './store';
import { bearer, clientIp, HttpError, readJsonBody, sendError, sendHttpError } from '../../http';
import type { InboundProcessor } from '../../inbox';
import { safeEqual } from '../../security';
import { type TokenClaims, type TokenSigner } from './token';

export const BASE_PATH = '/v3/directline';

export interface ApiContext {
  store: DirectLineStore;
  /** The inbox's processor: runs the turns of recorded activities, one conversation at a time. */
  processor: InboundProcessor;
  signer: TokenSigner;
  secret: string;
  logger: Logger;
  tokenTtlSeconds: number;
  maxBodyBytes: number;
  /** New conversations per client IP: each creates a row, so an anonymous flood is refused with 429. */
  newConversations: { ratePerSecond: number; burst: number; trustProxy: boolean };
  /** Messages and events per conversation: each is stored and runs a turn, so a flood is refused with 429. */
  messages: { ratePerSecond: number; burst: number };
}

/** What a person types in one message; Web Chat has no limit of its own, so a paste of a whole file would go through. */
export const MAX_TEXT_CHARS = 4000;
/** A suggested action's value comes back as `value`: small, whatever the bot offered. */
const MAX_VALUE_CHARS = 4000;

/** Code points, so an emoji counts as one character as the user sees it. */
function characters(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) i++;
    count++;
  }
  return count;
}

type Caller = { kind: 'secret' } | { kind: 'token'; claims: TokenClaims };

const ACCEPTED_TYPES = new Set(['message', 'event', 'typing']);
const USER_ID = /^[\w.:@-]{1,64}$/;
const LOCALE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

function newConversationId(): string {
  return randomBytes(16).toString('base64url');
}

function newUserId(): string {
  // Web Chat only accepts a `dl_` user id when it comes inside the token, so it cannot be forged.
  return `dl_${randomBytes(12).toString('base64url')}`;
}

/** Direct Line's own error codes. */
const JSON_ERRORS = { invalid: 'BadArgument', tooLarge: 'PayloadTooLarge' };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(body: Record<string, unknown>, field: string, max: number): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new HttpError(400, 'BadArgument', `"${field}" must be a string`);
  if (value.length > max) throw new HttpError(400, 'BadArgument', `"${field}" is longer than ${max} characters`);
  return value;
}

/**
 * The activity the bot sees: identity and addressing come from the token and the server, never
 * from the browser; only content fields are taken from the posted body.
 */
function toInboundActivity(body: unknown, conversationId: string, userId: string): { activity: Partial<Activity>; clientActivityId?: string } {
  if (!isObject(body)) throw new HttpError(400, 'BadArgument', 'The body must be a JSON activity object');
  if (body.type === undefined || body.type === null || body.type === '') throw new HttpError(400, 'MissingProperty', 'The activity has no "type"');
  if (typeof body.type !== 'string' || !ACCEPTED_TYPES.has(body.type)) {
    throw new HttpError(400, 'BadArgument', 'Only "message", "event" and "typing" activities are accepted');
  }
  if (Array.isArray(body.attachments) && body.attachments.length > 0) {
    throw new HttpError(400, 'BadArgument', 'Attachments are not accepted on this channel');
  }
  const channelData = isObject(body.channelData) ? body.channelData : {};
  const clientActivityId = optionalString(channelData, 'clientActivityID', 100);
  const from = isObject(body.from) ? body.from : {};
  const name = optionalString(from, 'name', 100);
  const locale = optionalString(body, 'locale', 35);
  const activity: Partial<Activity> = {
    type: body.type,
    channelId: CHANNEL_ID,
    serviceUrl: SERVICE_URL,
    conversation: { id: conversationId } as Activity['conversation'],
    from: { id: userId, ...(name ? { name } : {}), role: 'user' } as Activity['from'],
    recipient: { ...BOT_ACCOUNT },
    locale: locale && LOCALE.test(locale) ? locale : undefined,
    channelData: {
      ...(clientActivityId ? { clientActivityID: clientActivityId } : {}),
      ...(typeof channelData.clientTimestamp === 'string' ? { clientTimestamp: channelData.clientTimestamp.slice(0, 40) } : {}),
    },
  };
  if (body.type === 'message') {
    activity.text = optionalString(body, 'text', Number.MAX_SAFE_INTEGER) ?? '';
    const length = characters(activity.text);
    if (length > MAX_TEXT_CHARS) throw new HttpError(413, 'MessageTooLong', `The message has ${length} characters; at most ${MAX_TEXT_CHARS} are accepted`);
    activity.textFormat = 'plain';
  } else if (body.type === 'event') {
    activity.name = optionalString(body, 'name', 200);
    if (!activity.name) throw new HttpError(400, 'MissingProperty', 'An event activity needs a "name"');
  }
  if (body.value !== undefined) {
    if (JSON.stringify(body.value).length > MAX_VALUE_CHARS) throw new HttpError(413, 'MessageTooLong', `"value" is longer than ${MAX_VALUE_CHARS} characters as JSON`);
    activity.value = body.value;
  }
  return { activity: JSON.parse(JSON.stringify(activity)), clientActivityId };
}

/** The `user.id` of a token or conversation request (`{ user: { id } }`), validated. */
function requestedUserId(body: unknown): string | undefined {
  const requested = isObject(body) && isObject(body.user) ? body.user.id : undefined;
  if (requested === undefined) return undefined;
  if (typeof requested !== 'string' || !USER_ID.test(requested)) {
    throw new HttpError(400, 'BadArgument', '"user.id" must be 1-64 letters, digits or ._:@-');
  }
  return requested;
}

function parseWatermark(req: Request): number {
  const raw = new URL(req.url ?? '/', 'http://localhost').searchParams.get('watermark');
  if (raw === null || raw === '') return 0;
  if (!/^\d{1,9}$/.test(raw)) throw new HttpError(400, 'BadArgument', 'The watermark must be a non-negative integer');
  return Number(raw);
}

/**
 * `burst` requests per window of burst/rate seconds, in this instance's memory: behind a load
 * balancer a key may reach each instance's budget, still a bound.
 */
function limiter(settings: { ratePerSecond: number; burst: number }): RateLimiterMemory {
  return new RateLimiterMemory({ points: settings.burst, duration: Math.max(1, Math.round(settings.burst / settings.ratePerSecond)) });
}

/** Spends one request of `key`'s budget; over it, the 429 (with Retry-After) to answer. */
async function limit(budget: RateLimiterMemory, key: string, reason: string): Promise<HttpError | null> {
  try {
    await budget.consume(key);
    return null;
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    const seconds = String(Math.max(1, Math.ceil(error.msBeforeNext / 1000)));
    return new HttpError(429, 'TooManyRequests', `${reason}; try again in ${seconds} s`, { 'Retry-After': seconds });
  }
}

export function registerApiRoutes(server: Server, ctx: ApiContext): void {
  const issue = (conversationId: string, userId: string) => {
    const { token } = ctx.signer.sign(conversationId, userId, ctx.tokenTtlSeconds);
    return { conversationId, token, expires_in: ctx.tokenTtlSeconds };
  };

  /** Who is calling: the secret (server-side tools) or a token, which must be valid and unexpired. */
  const caller = (req: Request, required: boolean): Caller | undefined => {
    const credential = bearer(req, 'Unauthorized');
    if (credential === undefined) {
      if (required) throw new HttpError(401, 'Unauthorized', 'Missing "Authorization: Bearer <token>"');
      return undefined;
    }
    if (safeEqual(credential, ctx.secret)) return { kind: 'secret' };
    const check = ctx.signer.verify(credential);
    if (check.ok) return { kind: 'token', claims: check.claims };
    if (check.reason === 'expired') throw new HttpError(403, 'TokenExpired', 'The token has expired');
    throw new HttpError(403, 'BadToken', 'The token is not valid');
  };

  /** The caller may act on this conversation only with the secret or a token bound to it. */
  const authorizeConversation = (req: Request): { conversationId: string; caller: Caller } => {
    const conversationId = String(req.params.conversationId ?? '');
    const who = caller(req, true) as Caller;
    if (who.kind === 'token' && who.claims.conversationId !== conversationId) {
      throw new HttpError(403, 'Forbidden', 'The token is not valid for this conversation');
    }
    return { conversationId, caller: who };
  };

  const existing = async (conversationId: string) => {
    const conversation = await ctx.store.findConversation(conversationId);
    if (!conversation) throw new HttpError(404, 'NotFound', 'Conversation not found');
    return { id: conversation.id, userId: conversation.userId ?? `dl_${conversation.id}` };
  };

  const route =
    (name: string, handler: (req: Request) => Promise<{ status: number; body: unknown }>) =>
    async (req: Request, res: Response): Promise<void> => {
      res.header('Cache-Control', 'no-store');
      res.header('X-Content-Type-Options', 'nosniff');
      try {
        const { status, body } = await handler(req);
        res.json(status, body);
      } catch (error) {
        if (!(error instanceof HttpError)) {
          ctx.logger.error({ err: error, route: name }, 'direct line request failed');
          sendError(res, 500, 'ServiceError', 'The request could not be processed');
          return;
        }
        ctx.logger.warn({ route: name, status: error.status, code: error.code }, 'direct line request rejected');
        sendHttpError(res, error);
      }
    };

  /**
   * Keyed on the address our own proxy saw (the last X-Forwarded-For entry): the whole header, as
   * restify's throttle keys it, lets a client buy a fresh budget by prepending entries of its own.
   */
  const newConversationsPerIp = limiter(ctx.newConversations);
  // A callback handler: restify always goes on after an async one.
  const perIp = (req: Request, res: Response, next: Next): void => {
    limit(newConversationsPerIp, clientIp(req, ctx.newConversations.trustProxy), 'Too many new conversations from this address').then((refusal) => {
      if (!refusal) return next();
      sendHttpError(res, refusal);
      next(false);
    }, next);
  };

  server.post(
    `${BASE_PATH}/tokens/generate`,
    perIp,
    route('tokens/generate', async (req) => {
      const who = caller(req, false);
      if (who?.kind === 'token') throw new HttpError(403, 'Forbidden', 'Generating a token needs the secret or no credential');
      const body = await readJsonBody(req, ctx.maxBodyBytes, JSON_ERRORS);
      // Only the operator's own servers (holding the secret) may choose the user id.
      const userId = (who ? requestedUserId(body) : undefined) ?? newUserId();
      const conversationId = newConversationId();
      await ctx.store.createConversation(conversationId, userId);
      return { status: 200, body: issue(conversationId, userId) };
    }),
  );

  server.post(
    `${BASE_PATH}/tokens/refresh`,
    route('tokens/refresh', async (req) => {
      const who = caller(req, true) as Caller;
      if (who.kind !== 'token') throw new HttpError(403, 'Forbidden', 'Only a token can be refreshed');
      // A conversation that is gone (e.g. a wiped database) gets a 404, so the page starts a new one.
      await existing(who.claims.conversationId);
      return { status: 200, body: issue(who.claims.conversationId, who.claims.userId) };
    }),
  );

  server.post(
    `${BASE_PATH}/conversations`,
    perIp,
    route('conversations/start', async (req) => {
      const who = caller(req, true) as Caller;
      if (who.kind === 'token') {
        const conversation = await existing(who.claims.conversationId);
        return { status: 200, body: issue(conversation.id, who.claims.userId) };
      }
      const userId = requestedUserId(await readJsonBody(req, ctx.maxBodyBytes, JSON_ERRORS)) ?? newUserId();
      const conversationId = newConversationId();
      await ctx.store.createConversation(conversationId, userId);
      return { status: 201, body: issue(conversationId, userId) };
    }),
  );

  server.get(
    `${BASE_PATH}/conversations/:conversationId`,
    route('conversations/reconnect', async (req) => {
      const { conversationId, caller: who } = authorizeConversation(req);
      const conversation = await existing(conversationId);
      return { status: 200, body: issue(conversation.id, who.kind === 'token' ? who.claims.userId : conversation.userId) };
    }),
  );

  server.get(
    `${BASE_PATH}/conversations/:conversationId/activities`,
    route('activities/get', async (req) => {
      const { conversationId } = authorizeConversation(req);
      const watermark = parseWatermark(req);
      await existing(conversationId);
      const page = await ctx.store.list(conversationId, watermark);
      return { status: 200, body: { activities: page.activities, watermark: String(page.watermark) } };
    }),
  );

  const perConversation = limiter(ctx.messages);
  const spend = async (conversationId: string) => {
    const refusal = await limit(perConversation, conversationId, 'Too many messages in this conversation');
    if (refusal) throw refusal;
  };

  server.post(
    `${BASE_PATH}/conversations/:conversationId/activities`,
    route('activities/post', async (req) => {
      const { conversationId, caller: who } = authorizeConversation(req);
      const body = await readJsonBody(req, ctx.maxBodyBytes, JSON_ERRORS);
      // Web Chat sends typing while the user writes; it is neither stored nor counted.
      if (!isObject(body) || body.type !== 'typing') await spend(conversationId);
      const conversation = await existing(conversationId);
      const userId = who.kind === 'token' ? who.claims.userId : conversation.userId;
      const { activity, clientActivityId } = toInboundActivity(body, conversationId, userId);
      // Typing is not stored and starts no turn: the bot has nothing to say about it.
      if (activity.type === 'typing') return { status: 200, body: { id: '' } };
      // Recorded in the inbox with its echo in the stream; the processor runs its turn after the answer.
      const record = await ctx.store.recordInbound(conversationId, clientActivityId ?? randomUUID(), activity);
      if (!record.duplicate) ctx.processor.enqueue({ conversationKey: conversationId });
      return { status: 200, body: { id: record.activity.id } };
    }),
  );
}
