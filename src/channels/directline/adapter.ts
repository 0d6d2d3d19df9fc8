import { ActivityTypes, BotAdapter, TurnContext, type Activity, type ConversationReference, type ResourceResponse } from 'botbuilder';
import { CHANNEL_ID, type DirectLineStore } from './store';

/** Not a callable URL: replies are stored and polled, but Bot Framework code expects a stable value. */
export const SERVICE_URL = 'urn:pqr-bot:directline';
export const BOT_ACCOUNT = { id: 'pqr-bot', name: 'PQR', role: 'bot' } as const;

export type TurnLogic = (context: TurnContext) => Promise<void>;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The web chat channel: replies are appended to the conversation's activity stream in the
 * database, where Web Chat picks them up by polling with its watermark.
 */
export class DirectLineAdapter extends BotAdapter {
  constructor(private readonly store: DirectLineStore) {
    super();
  }

  /** Runs one turn for an activity that has already been recorded (it carries its stream id). */
  async processActivity(activity: Partial<Activity>, logic: TurnLogic): Promise<void> {
    await this.runMiddleware(new TurnContext(this, activity), logic);
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
        await sleep(typeof activity.value === 'number' ? activity.value : 1000);
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

  async updateActivity(): Promise<void> {
    throw new Error('Direct Line (web chat): updating a sent activity is not supported');
  }

  async deleteActivity(): Promise<void> {
    throw new Error('Direct Line (web chat): deleting a sent activity is not supported');
  }

  /** Proactive messages (e.g. the operator's answer): the user sees them on their next poll. */
  async continueConversation(reference: Partial<ConversationReference>, logic: TurnLogic): Promise<void> {
    const conversationId = reference.conversation?.id;
    if (!conversationId || !(await this.store.findConversation(conversationId))) {
      throw new Error('Direct Line (web chat): unknown conversation in the conversation reference');
    }
    const activity = TurnContext.applyConversationReference(
      { type: ActivityTypes.Event, name: 'continueConversation', channelId: CHANNEL_ID, serviceUrl: SERVICE_URL },
      { ...reference, bot: reference.bot ?? BOT_ACCOUNT, channelId: CHANNEL_ID, serviceUrl: SERVICE_URL },
      true,
    );
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }
}

/**
 * The bot's texts use chat-style *bold* and plain line breaks (as WhatsApp and Telegram show
 * them); Web Chat renders Markdown, where both need other marks.
 */
export function toMarkdown(text: string): string {
  return text.replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s.,;:!?)])/g, '$1**$2**').replace(/\n/g, '  \n');
}
