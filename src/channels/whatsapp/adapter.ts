import { ActivityTypes, BotAdapter, TurnContext, type Activity, type ConversationReference, type ResourceResponse } from 'botbuilder';
import type { GraphClient } from './graph';
import { CHANNEL_ID, SERVICE_URL } from './message';
import { toWhatsAppMessages } from './outbound';

export type TurnLogic = (context: TurnContext) => Promise<void>;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The WhatsApp Cloud API channel as a Bot Framework adapter: a recorded webhook message becomes
 * a turn, and each activity the bot sends becomes one or more Graph API messages to the user.
 */
export class WhatsAppAdapter extends BotAdapter {
  constructor(
    private readonly graph: GraphClient,
    private readonly phoneNumberId: string,
    /** The label of the button that opens a list of choices (≤ 20 characters). */
    private readonly listButton: string,
  ) {
    super();
  }

  async processActivity(activity: Partial<Activity>, logic: TurnLogic): Promise<void> {
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }

  /** One ResourceResponse per activity: the wamid of the (last) message it became. */
  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const userId = context.activity.conversation?.id;
    if (!userId) throw new Error('WhatsApp: the turn has no conversation id');
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (activity.type === 'delay') {
        await sleep(typeof activity.value === 'number' ? activity.value : 1000);
        responses.push({ id: '' });
        continue;
      }
      // Typing, traces and invoke responses have nothing to show on WhatsApp.
      if (activity.type !== ActivityTypes.Message) {
        responses.push({ id: '' });
        continue;
      }
      let id = '';
      for (const message of toWhatsAppMessages(activity, this.listButton)) id = await this.graph.send(userId, message);
      responses.push({ id });
    }
    return responses;
  }

  async updateActivity(): Promise<void> {
    throw new Error('WhatsApp: a sent message cannot be edited');
  }

  async deleteActivity(): Promise<void> {
    throw new Error('WhatsApp: a sent message cannot be deleted');
  }

  /**
   * Proactive messages (e.g. the operator's answer) from a stored conversation reference. Outside
   * the 24-hour customer-service window Graph only accepts templates; the caller checks the window.
   */
  async continueConversation(reference: Partial<ConversationReference>, logic: TurnLogic): Promise<void> {
    if (!reference.conversation?.id) throw new Error('WhatsApp: the conversation reference has no conversation id');
    const bot = reference.bot ?? { id: this.phoneNumberId, name: '', role: 'bot' };
    const activity = TurnContext.applyConversationReference(
      { type: ActivityTypes.Event, name: 'continueConversation', channelId: CHANNEL_ID, serviceUrl: SERVICE_URL },
      { ...reference, bot, channelId: CHANNEL_ID, serviceUrl: SERVICE_URL },
      true,
    );
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }
}
