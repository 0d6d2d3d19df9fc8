import { ActivityHandler, ConversationState, UserState, type Activity, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import { RECENT_TEXTS, type MainDialog, type PromptLanguage } from '../dialogs';
import type { Locale } from './i18n';
import { detectLanguage } from './nlu';
import { ETagConflictError, labelStatements, TurnWork } from './storage';

/** Remembers how to reach the user later (conversation reference, last message, language). */
export interface InboundRecorder {
  record(activity: Partial<Activity>): Promise<void>;
}

/**
 * Set in `turnState` by a channel whose messages are recorded before they are processed: the id
 * of the InboundMessage the turn answers. Ids grow in recording order, and each conversation's
 * messages are processed in that order.
 */
export const INBOUND_MESSAGE_ID = Symbol('inboundMessageId');

/** The user's last messages kept for an agent's summary, and how much of each. */
const RECENT_COUNT = 5;
const RECENT_LENGTH = 300;

/** Runs of one turn when saving its state finds it changed meanwhile (only while nothing was sent). */
const STATE_ATTEMPTS = 3;

/**
 * The bot: runs the main dialog and saves conversation and user state after every turn.
 * Nothing channel-specific lives here; each channel adapter calls `run`.
 */
export class PqrBot extends ActivityHandler {
  private readonly dialogState: StatePropertyAccessor<DialogState>;
  private readonly lastInbound: StatePropertyAccessor<number>;
  private readonly recentTexts: StatePropertyAccessor<string[]>;
  /** The language the user last wrote clearly in; absent until they do. */
  private readonly language: StatePropertyAccessor<Locale | undefined>;
  /**
   * Told when saving state finds that another turn saved it first. Messages of one conversation
   * run one at a time across instances, so this means a turn outlived its conversation's lease
   * (or one user wrote in two conversations at once): worth a log line and a counter.
   */
  onStateConflict?: (conflict: { channel: string; retried: boolean }) => void;

  constructor(
    private readonly conversationState: ConversationState,
    private readonly userState: UserState,
    private readonly dialog: MainDialog,
    private readonly conversations?: InboundRecorder,
    private readonly prompts?: PromptLanguage,
  ) {
    super();
    this.dialogState = conversationState.createProperty<DialogState>('dialogState');
    this.lastInbound = conversationState.createProperty<number>('lastInboundMessageId');
    this.recentTexts = conversationState.createProperty<string[]>('recentTexts');
    this.language = conversationState.createProperty<Locale | undefined>('language');

    this.onMessage(async (context, next) => {
      const text = context.activity.text?.trim();
      const recent = [...(await this.recentTexts.get(context, [])), ...(text ? [text.slice(0, RECENT_LENGTH)] : [])].slice(-RECENT_COUNT);
      await this.recentTexts.set(context, recent);
      context.turnState.set(RECENT_TEXTS, recent);
      await this.dialog.run(context, this.dialogState);
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      const joined = context.activity.membersAdded ?? [];
      if (joined.some((member) => member.id !== context.activity.recipient?.id)) await this.dialog.greet(context);
      await next();
    });

    // Web Chat sends this event when it connects, so the bot greets first.
    this.onEvent(async (context, next) => {
      if (context.activity.name === 'webchat/join') await this.dialog.greet(context);
      await next();
    });
  }

  /**
   * One turn, its state saved with optimistic concurrency. A conflict re-runs the turn on fresh
   * state when nothing was sent yet; after a reply it cannot be taken back, so the conflict fails
   * the turn (the channel apologises) rather than overwrite the other turn's state.
   */
  async run(context: TurnContext): Promise<void> {
    // The inbox's end-of-turn transaction, when the turn runs for a recorded message: state,
    // identity, released notifications and the message marked processed commit together here.
    const work = TurnWork.current();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.runOnce(context);
        if (work) {
          await this.conversations?.record(context.activity);
          await work.commit();
        }
        break;
      } catch (error) {
        if (!(error instanceof ETagConflictError)) throw error;
        const retried = !context.responded && attempt < STATE_ATTEMPTS;
        this.onStateConflict?.({ channel: context.activity.channelId, retried });
        if (!retried) throw error;
        await this.conversationState.load(context, true);
        await this.userState.load(context, true);
      }
    }
    // After the turn: the identity exists only once the user consented, maybe in this very turn.
    if (!work) await this.conversations?.record(context.activity);
  }

  /**
   * The conversation speaks the language the user last wrote clearly in, whatever the channel or
   * the page says: the turn's activity carries it, so the dialogs answer in it and the recorder
   * keeps it for later notifications. "ok", a name or a number say nothing and change nothing.
   */
  private async followLanguage(context: TurnContext): Promise<void> {
    const { activity } = context;
    const stored = await this.language.get(context);
    const written = activity.type === 'message' && typeof activity.text === 'string' ? detectLanguage(activity.text) : null;
    if (written && this.prompts) {
      const before = stored ?? this.prompts.channelLocale(activity.locale);
      if (before !== written) this.prompts.translatePending(await this.dialogState.get(context), before, written);
    }
    if (written) await this.language.set(context, written);
    const locale = written ?? stored;
    if (locale) activity.locale = locale;
  }

  private async runOnce(context: TurnContext): Promise<void> {
    const inboundId = context.turnState.get(INBOUND_MESSAGE_ID) as number | undefined;
    if (inboundId !== undefined) {
      // The state already went past this message: an earlier run saved it and was cut short before
      // the message was marked processed. Running it again would answer it twice.
      if ((await this.lastInbound.get(context, 0)) >= inboundId) return;
      await this.lastInbound.set(context, inboundId);
    }
    await this.followLanguage(context);
    // The dialogs' own queries (PQRs, handoffs, ratings…), told apart from the message path's when counted.
    await labelStatements('dialog', () => super.run(context));
    await this.conversationState.saveChanges(context, false);
    await this.userState.saveChanges(context, false);
  }
}
