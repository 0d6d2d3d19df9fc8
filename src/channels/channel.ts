import type { BotAdapter, TurnContext } from 'botbuilder';
import type { Server } from 'restify';
import type { Locale, Texts } from '../i18n';
import type { Identities } from '../identity';
import type { InboundSettings } from '../inbox';
import type { Logger } from '../logger';
import type { ProactiveAdapter } from '../notify/chat';
import type { Sender } from '../notify/dispatcher';
import type { Clock } from '../pqr';
import type { Db } from '../storage';

export type { TurnLogic } from '../inbox';

/**
 * The one shape of every channel (web chat, WhatsApp, Telegram, Bot Framework): `index.ts` loops
 * over the channels that are on and does the same with each.
 */
export interface Channel {
  /** `webchat`, `whatsapp`, `telegram`, `botframework`: the start-up log's and the metrics' label. */
  readonly id: string;
  /** Where it listens, for the start-up line "channel on: …". */
  readonly description: string;
  /** Warnings the start-up log adds after that line (a setting ignored, an unsafe mode). */
  readonly warnings: string[];
  /** Turns in, replies out, and proactive messages from a stored conversation reference. */
  readonly adapter: BotAdapter & ProactiveAdapter;
  /** The outbox's senders it provides, by the channel id outbox rows carry. */
  readonly senders: Record<string, Sender>;
  /** Registers its HTTP routes (webhook, API, page). */
  routes(server: Server): void;
  /** Starts what runs on its own (Telegram's long polling); called once the server listens. */
  start(): void;
  /** Processes messages recorded but not processed (a crash, a restart, a dead instance); returns how many. */
  resumePending(): Promise<number>;
  /** Resolves when every queued turn has finished (graceful shutdown, tests). */
  idle(): Promise<void>;
  /** Stops what runs on its own, then waits for the turns in flight. */
  close(): Promise<void>;
}

/** What every channel is built from, besides its own settings. */
export interface ChannelDeps {
  prisma: Db;
  /** Who each user is and what the channel proves about them (see src/identity). */
  identities: Identities;
  bot: { run(context: TurnContext): Promise<void> };
  logger: Logger;
  /** Called when a turn throws, e.g. to apologise to the user; without it the error is logged. */
  onTurnError?: (context: TurnContext, error: Error) => Promise<void>;
  clock: Clock;
  texts: Texts;
  defaultLocale: Locale;
  /** Conversation leases shared with the other instances (default: a 10 s lease of this process's own). */
  inbound?: InboundSettings;
}

/** Pino's error serializer copies every property, and SDK errors may carry the request's payload (message texts). */
export function describeError(error: unknown): { name: string; message: string } {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: 'unknown error' };
}
