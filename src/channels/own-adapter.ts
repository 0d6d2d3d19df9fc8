import { ActivityTypes, BotAdapter, TurnContext, type Activity, type ChannelAccount, type ConversationReference } from 'botbuilder';
import type { InboundTurn, TurnLogic } from '../inbox';

/** Waits as long as a "delay" activity asks (Bot Framework's default is one second). */
export function waitFor(activity: Partial<Activity>): Promise<void> {
  const ms = typeof activity.value === 'number' ? activity.value : 1000;
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface OwnChannel {
  /** For error messages: "WhatsApp", "Telegram", "Direct Line (web chat)". */
  name: string;
  channelId: string;
  serviceUrl: string;
}

/**
 * What the channels this project speaks itself (web chat, WhatsApp, Telegram) share as Bot
 * Framework adapters: a recorded inbound activity runs as a turn, a proactive message starts from
 * a stored conversation reference, and a sent message is never edited or deleted.
 */
export abstract class OwnChannelAdapter extends BotAdapter {
  protected constructor(private readonly channel: OwnChannel) {
    super();
  }

  /** The bot's account when the stored reference has none. */
  protected abstract botAccount(): ChannelAccount;

  /** Refuses a reference that names no conversation of this channel. */
  protected async checkReference(reference: Partial<ConversationReference>): Promise<void> {
    if (!reference.conversation?.id) throw new Error(`${this.channel.name}: the conversation reference has no conversation id`);
  }

  /**
   * True for what a chat app has nothing to show for: a delay (waited out here), typing, traces,
   * invoke responses. The caller answers those with an empty id.
   */
  protected async nothingToShow(activity: Partial<Activity>): Promise<boolean> {
    if (activity.type === 'delay') {
      await waitFor(activity);
      return true;
    }
    return activity.type !== ActivityTypes.Message;
  }

  /** Runs one turn for an activity that has already been recorded. */
  async processActivity(activity: Partial<Activity>, logic: TurnLogic): Promise<void> {
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }

  /** Answers a recorded message with the channel's own text instead of the bot's turn (a message the bot cannot read). */
  protected async reply(turn: InboundTurn, activity: Partial<Activity>, text: string): Promise<void> {
    await this.processActivity(
      activity,
      turn.guard(async (context) => {
        await context.sendActivity(text);
      }),
    );
  }

  async updateActivity(): Promise<void> {
    throw new Error(`${this.channel.name}: this bot does not edit sent messages`);
  }

  async deleteActivity(): Promise<void> {
    throw new Error(`${this.channel.name}: this bot does not delete sent messages`);
  }

  /** Proactive messages (e.g. the operator's answer) from a stored conversation reference. */
  async continueConversation(reference: Partial<ConversationReference>, logic: TurnLogic): Promise<void> {
    await this.checkReference(reference);
    const { channelId, serviceUrl } = this.channel;
    const activity = TurnContext.applyConversationReference(
      { type: ActivityTypes.Event, name: 'continueConversation', channelId, serviceUrl },
      { ...reference, bot: reference.bot ?? this.botAccount(), channelId, serviceUrl },
      true,
    );
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }
}
