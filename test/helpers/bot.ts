import { TestAdapter, type Activity } from 'botbuilder';
import { buildBot } from '../../src/index';
import { loadConfig, type Config } from '../../src/config';
import type { Locale, Translate } from '../../src/i18n';
import type { Identities } from '../../src/identity';
import type { Recognizer } from '../../src/nlu';
import { DEFAULT_CACHE_FILE } from '../../src/nlu/recognizer';
import { FixedClock, type PqrLifecycle, type PqrService } from '../../src/pqr';
import { createTestDb, type TestDb } from './db';

/** Monday 23 November 2026, 10:00 in Bogotá: a business day, so the term starts on the 24th. */
export const DEFAULT_NOW = '2026-11-23T15:00:00Z';

/** The model `npm install` built, shared by every test file (and jest worker): it trains again only when the corpus changes. */
const NLU_CACHE_FILE = DEFAULT_CACHE_FILE;

/** What the bot said in one turn, as a user reads it: the text and the buttons' titles. */
export interface Reply {
  text: string;
  actions: string[];
}

export interface ConversationOptions {
  /** Channel user id; a new one is a new person. */
  userId?: string;
  channelId?: string;
  /** The activity's locale tag, as a channel sends it ("es-CO", "en-US"…). */
  locale?: string;
}

export interface Conversation {
  readonly userId: string;
  readonly channelId: string;
  readonly conversationId: string;
  /** Sends one user message and returns every reply of that turn. */
  say(text: string): Promise<Reply[]>;
  /** The same, only the texts, joined: for asserting on what the user reads. */
  sayText(text: string): Promise<string>;
  /** Sends several messages in order and returns the replies to the last one. */
  sayAll(texts: string[]): Promise<Reply[]>;
  /** Sends a non-message activity (conversationUpdate, event) and returns the replies. */
  send(activity: Partial<Activity>): Promise<Reply[]>;
}

export interface TestBot {
  /** The first conversation (user "user-1"). */
  client: Conversation;
  /** Another conversation with the same bot and database: a new chat, by default a new user. */
  conversation(options?: ConversationOptions): Conversation;
  pqr: PqrService;
  /** Channel identities and what they have proven. */
  identities: Identities;
  /** Answers, notifications and decisions, as the back office makes them. */
  lifecycle: PqrLifecycle;
  /** The same recognizer the dialogs use. */
  nlu: Recognizer;
  db: TestDb;
  clock: FixedClock;
  config: Config;
  /** The bot's own texts, with the same operator settings: for asserting on exact wording. */
  texts(locale?: Locale): Translate;
  close(): Promise<void>;
}

/**
 * The real bot, wired as `buildApp` in src/index.ts wires it, without HTTP: a fresh migrated
 * SQLite database, the real PQR service on a fixed clock, the real NLU, the locales, the main
 * dialog and `PqrBot` over `PrismaBotStorage`. Every turn goes through `bot.run`, so state is
 * saved in the database between messages exactly as in production.
 */
export async function createTestBot(options: { now?: string; env?: Record<string, string> } & ConversationOptions = {}): Promise<TestBot> {
  const config = loadConfig(options.env ?? {});
  const clock = new FixedClock(options.now ?? DEFAULT_NOW);
  const db = await createTestDb();

  const { bot, pqr, lifecycle, nlu, texts, identities, mail } = await buildBot(config, db, clock, NLU_CACHE_FILE);

  let conversations = 0;
  const conversation = (overrides: ConversationOptions = {}): Conversation => {
    conversations += 1;
    const userId = overrides.userId ?? `user-${conversations}`;
    const channelId = overrides.channelId ?? options.channelId ?? 'webchat';
    const locale = overrides.locale ?? options.locale ?? 'es-CO';
    const conversationId = `conversation-${conversations}`;
    // No onTurnError: a dialog that throws fails the test instead of answering "error.generic".
    const adapter = new TestAdapter(TestAdapter.createConversation(conversationId, userId));
    const run = async (activity: Partial<Activity>): Promise<Reply[]> => {
      adapter.activeQueue.splice(0);
      await adapter.processActivity({ channelId, locale, ...activity }, (context) => bot.run(context));
      return adapter.activeQueue.splice(0).filter((a) => a.type === 'message').map(toReply);
    };
    const say = (text: string) => run({ type: 'message', text });
    return {
      userId,
      channelId,
      conversationId,
      say,
      sayText: async (text) => (await say(text)).map((r) => r.text).join('\n'),
      sayAll: async (messages) => {
        let last: Reply[] = [];
        for (const text of messages) last = await say(text);
        return last;
      },
      send: run,
    };
  };

  return {
    client: conversation({ userId: options.userId }),
    conversation,
    pqr,
    identities,
    lifecycle,
    nlu,
    db,
    clock,
    config,
    texts: (locale = 'es-CO') => texts.for(locale),
    close: async () => {
      mail?.close();
      await db.close();
    },
  };
}

function toReply(activity: Partial<Activity>): Reply {
  return {
    text: activity.text ?? '',
    actions: (activity.suggestedActions?.actions ?? []).map((a) => String(a.title ?? a.value)),
  };
}

/** All texts of a turn's replies, joined by newlines. */
export function textOf(replies: Reply[]): string {
  return replies.map((r) => r.text).join('\n');
}

/** The buttons of a turn's last reply that has any. */
export function actionsOf(replies: Reply[]): string[] {
  return [...replies].reverse().find((r) => r.actions.length > 0)?.actions ?? [];
}

/** One user message and what the replies of that turn must (and must not) contain. */
export interface Step {
  say: string;
  /** Each must be found in the turn's texts: a substring or a pattern. */
  expect?: (string | RegExp)[];
  /** None of these may be found. */
  reject?: (string | RegExp)[];
  /** The exact buttons of the turn's last reply that has buttons. */
  actions?: string[];
}

/**
 * Plays a scripted conversation and checks every turn; a failure names the step, what was
 * said and what the bot answered. Returns the replies of every turn.
 */
export async function play(conversation: Conversation, steps: Step[]): Promise<Reply[][]> {
  const turns: Reply[][] = [];
  for (const [index, step] of steps.entries()) {
    const replies = await conversation.say(step.say);
    turns.push(replies);
    const text = textOf(replies);
    const found = (p: string | RegExp) => (typeof p === 'string' ? text.includes(p) : p.test(text));
    const problems = [
      ...(step.expect ?? []).filter((p) => !found(p)).map((p) => `expected ${String(p)}`),
      ...(step.reject ?? []).filter(found).map((p) => `did not expect ${String(p)}`),
    ];
    if (step.actions && actionsOf(replies).join(' | ') !== step.actions.join(' | ')) {
      problems.push(`expected buttons [${step.actions.join(' | ')}], got [${actionsOf(replies).join(' | ')}]`);
    }
    if (problems.length) {
      throw new Error(`Step ${index + 1}, user said ${JSON.stringify(step.say.slice(0, 80))}:\n  ${problems.join('\n  ')}\nBot replied:\n${text || '(nothing)'}`);
    }
  }
  return turns;
}
