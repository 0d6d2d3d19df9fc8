import { ActivityTypes, type Activity, type ChannelAccount, type ConversationReference, type ResourceResponse, type TurnContext } from 'botbuilder';
import type { InboundTurn, TurnLogic } from '../../inbox';
import { OwnChannelAdapter, waitFor } from '../own-adapter';
import { CHANNEL_ID, type DirectLineStore } from './store';

/** Not a callable URL: replies are stored and polled, but Bot Framework code expects a stable value. */
export const SERVICE_URL = 'urn:pqr-bot:directline';
export const BOT_ACCOUNT = { id: 'pqr-bot', name: 'PQR', role: 'bot' } as const;


/**
 * The web chat channel as a Bot Framework adapter, both ways: a recorded user activity (already
 * in the conversation's stream, where Web Chat reads it back as its echo) runs as a turn
 * (`handle`), and replies are appended to the stream, where Web Chat picks them up by polling
 * with its watermark (`sendActivities`).
 */
export class DirectLineAdapter extends OwnChannelAdapter {
  constructor(private readonly store: DirectLineStore) {
    super({ name: 'Direct Line (web chat)', channelId: CHANNEL_ID, serviceUrl: SERVICE_URL });
  }

  /** Runs one recorded activity's turn, safe to run again after a crash (see `InboundTurn`). */
  async handle(turn: InboundTurn, bot: TurnLogic): Promise<void> {
    await this.processActivity(await this.store.inboundActivity(turn.conversationKey, turn.payload), turn.guard(bot));
  }

  protected botAccount(): ChannelAccount {
    return { ...BOT_ACCOUNT };
  }

  /** The user sees a proactive message on their next poll, so the conversation must exist. */
  protected override async checkReference(reference: Partial<ConversationReference>): Promise<void> {
    const conversationId = reference.conversation?.id;
    if (!conversationId || !(await this.store.findConversation(conversationId))) {
      throw new Error('Direct Line (web chat): unknown conversation in the conversation reference');
    }
  }

  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const conversationId = context.activity.conversation?.id;
    if (!conversationId) throw new Error('Direct Line: the turn has no conversation id');
    const responses: ResourceResponse[] = [];
    let batch: Partial<Activity>[] = [];
    const flush = async (): Promise<void> => {
      const stored = await this.store.append(conversationId, batch);
      for (const activity of stored) responses.push({ id: activity.id as string });
      batch = [];
    };
    for (const activity of activities) {
      if (activity.type === 'delay') {
        await flush();
        await waitFor(activity);
        responses.push({ id: '' });
      } else if (activity.type === ActivityTypes.Trace || activity.type === ActivityTypes.InvokeResponse) {
        // Trace is for the Emulator only and an invoke response is never shown to the user.
        await flush();
        responses.push({ id: '' });
      } else {
        batch.push({
          ...activity,
          ...(typeof activity.text === 'string' ? { text: toMarkdown(activity.text), textFormat: 'markdown' } : {}),
          channelId: CHANNEL_ID,
          serviceUrl: SERVICE_URL,
          conversation: { ...activity.conversation, id: conversationId } as Activity['conversation'],
          from: (activity.from ?? BOT_ACCOUNT) as Activity['from'],
        });
      }
    }
    await flush();
    return responses;
  }

}

/**
 * The bot's texts use chat-style *bold* and plain line breaks (as WhatsApp and Telegram show
 * them); Web Chat renders Markdown, where both need other marks.
 */
export function toMarkdown(text: string): string {
  return text.replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s.,;:!?)])/g, '$1**$2**').replace(/\n/g, '  \n');
}
