import { type Activity, type ChannelAccount, type ResourceResponse, type TurnContext } from 'botbuilder';
import { OwnChannelAdapter } from '../own-adapter';
import type { GraphClient } from './graph';
import { CHANNEL_ID, SERVICE_URL } from './message';
import { toWhatsAppMessages } from './outbound';

export type { TurnLogic } from '../../inbox';

/**
 * The WhatsApp Cloud API channel as a Bot Framework adapter: a recorded webhook message becomes
 * a turn, and each activity the bot sends becomes one or more Graph API messages to the user.
 */
export class WhatsAppAdapter extends OwnChannelAdapter {
  constructor(
    private readonly graph: GraphClient,
    private readonly phoneNumberId: string,
    /** The label of the button that opens a list of choices (≤ 20 characters). */
    private readonly listButton: string,
  ) {
    super({ name: 'WhatsApp', channelId: CHANNEL_ID, serviceUrl: SERVICE_URL });
  }

  /**
   * Proactive messages come from a stored conversation reference. Outside the 24-hour
   * customer-service window Graph only accepts templates; the caller checks the window.
   */
  protected botAccount(): ChannelAccount {
    return { id: this.phoneNumberId, name: '', role: 'bot' };
  }

  /** One ResourceResponse per activity: the wamid of the (last) message it became. */
  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const userId = context.activity.conversation?.id;
    if (!userId) throw new Error('WhatsApp: the turn has no conversation id');
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (await this.nothingToShow(activity)) {
        responses.push({ id: '' });
        continue;
      }
      let id = '';
      for (const message of toWhatsAppMessages(activity, this.listButton)) id = await this.graph.send(userId, message);
      responses.push({ id });
    }
    return responses;
  }

}
