import { type Activity, type ChannelAccount, type ResourceResponse, type TurnContext } from 'botbuilder';
import { OwnChannelAdapter } from '../own-adapter';
import type { TelegramApi } from './api';
import type { ChatKeyboards, KeyboardRegistry } from './keyboards';
import { toTelegramMessages, type ChannelHints, type RenderOptions } from './outbound';
import { CHANNEL_ID, SERVICE_URL } from './update';

export type { TurnLogic } from '../../inbox';

export interface TelegramAdapterOptions {
  /** The label of the "share my number" button, in the conversation's language. */
  contactButton: (locale: string | undefined) => string;
}

/**
 * The Telegram Bot API channel as a Bot Framework adapter: a recorded update becomes a turn, and
 * each activity the bot sends becomes one or more Telegram messages in the user's chat.
 */
export class TelegramAdapter extends OwnChannelAdapter {
  constructor(
    private readonly api: TelegramApi,
    private readonly keyboards: KeyboardRegistry,
    private readonly options: TelegramAdapterOptions,
  ) {
    super({ name: 'Telegram', channelId: CHANNEL_ID, serviceUrl: SERVICE_URL });
  }

  protected botAccount(): ChannelAccount {
    return { id: this.api.botId, name: '', role: 'bot' };
  }

  /** One ResourceResponse per activity: the message_id of the (last) message it became. */
  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const chatId = context.activity.conversation?.id;
    if (!chatId) throw new Error('Telegram: the turn has no conversation id');
    const before = await this.keyboards.read(chatId);
    const keyboards: ChatKeyboards = { ...before };
    const responses: ResourceResponse[] = [];
    try {
      for (const activity of activities) {
        if (await this.nothingToShow(activity)) {
          responses.push({ id: '' });
          continue;
        }
        let id = '';
        for (const message of toTelegramMessages(activity, this.renderOptions(context, activity))) {
          if (!message.replyMarkup && keyboards.contactKeyboard) message.replyMarkup = { remove_keyboard: true };
          const messageId = await this.api.sendMessage(chatId, message);
          id = String(messageId);
          keyboards.inline = message.choices ? { messageId, choices: message.choices } : undefined;
          if (message.asksForContact) keyboards.contactKeyboard = true;
          else if (message.replyMarkup && 'remove_keyboard' in message.replyMarkup) keyboards.contactKeyboard = undefined;
        }
        responses.push({ id });
      }
    } finally {
      // What was sent is on the user's screen even if a later message failed.
      if (keyboards.inline !== before.inline || keyboards.contactKeyboard !== before.contactKeyboard) await this.keyboards.write(chatId, keyboards);
    }
    return responses;
  }

  private renderOptions(context: TurnContext, activity: Partial<Activity>): RenderOptions {
    const hints = (activity.channelData ?? {}) as ChannelHints;
    return {
      contactButton: this.options.contactButton(activity.locale ?? context.activity.locale),
      asksForLine: hints.expects === 'line',
    };
  }

}
