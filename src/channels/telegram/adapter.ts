import { ActivityTypes, type Activity, type Attachment, type ChannelAccount, type ResourceResponse, type TurnContext } from 'botbuilder';
import type { CallbackQuery, Message, Update, User } from 'telegraf/types';
import { resolveLocale, type Locale, type Translate } from '../../i18n';
import type { Identities } from '../../identity';
import type { InboundTurn, TurnLogic } from '../../inbox';
import type { Clock } from '../../pqr';
import type { Db } from '../../storage';
import { keepEvidence, MediaUnavailableError } from '../evidence';
import { OwnChannelAdapter } from '../own-adapter';
import type { TelegramApi } from './api';
import type { ChatKeyboards, KeyboardRegistry } from './keyboards';
import { choiceIndexOf, toTelegramMessages, type ChannelHints, type RenderOptions } from './outbound';

// Payload → Activity: what a recorded Telegram update means for the bot.

export const CHANNEL_ID = 'telegram';
/** Not a callable URL: replies go to the Bot API, but Bot Framework code expects a stable value. */
export const SERVICE_URL = 'urn:pqr-bot:telegram';

export type MediaKind = 'image' | 'audio' | 'voice' | 'video' | 'document';

/** What a Telegram update means for the bot. */
export type Incoming =
  | { kind: 'start' }
  | { kind: 'text'; text: string }
  | { kind: 'choice'; callbackQueryId: string; messageId?: number; data: string }
  /** A contact shared through the "Compartir mi número" button: the sender's own number, E.164. */
  | { kind: 'ownContact'; phone: string }
  | { kind: 'foreignContact' }
  | { kind: 'media'; media: MediaKind; fileId: string; mimeType: string; caption?: string; fileName?: string }
  /** Service notices: nothing to answer. */
  | { kind: 'ignored' }
  | { kind: 'unsupported' };

type Json = Record<string, unknown>;

const str = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value.trim() : undefined);

/** Slash commands as the words the dialogs already understand at any step. */
const COMMANDS: Record<string, string> = { ayuda: 'ayuda', help: 'ayuda', cancelar: 'cancelar', cancel: 'cancelar', menu: 'menú', inicio: 'menú' };

/** Messages that tell of a change in the chat rather than say something. */
const SERVICE_FIELDS = ['pinned_message', 'write_access_allowed', 'message_auto_delete_timer_changed', 'new_chat_members', 'left_chat_member', 'users_shared', 'chat_shared', 'connected_website'];

/** The private chat an update belongs to and the user who sent it; null for anything the bot does not take. */
export function senderOf(update: Update): { chatId: string; user: User } | null {
  if ('message' in update) {
    const { chat, from } = update.message;
    // PQRs carry personal data: the bot talks to people in private chats only.
    return chat.type === 'private' && from && !from.is_bot ? { chatId: String(chat.id), user: from } : null;
  }
  if ('callback_query' in update) {
    const { message, from } = update.callback_query;
    if (message && message.chat.type !== 'private') return null;
    return { chatId: String(message?.chat.id ?? from.id), user: from };
  }
  return null;
}

function command(text: string): Incoming | null {
  const match = /^\/([a-z]+)(?:@\w+)?(?:\s|$)/i.exec(text);
  if (!match) return null;
  const name = match[1].toLowerCase();
  if (name === 'start') return { kind: 'start' };
  const word = COMMANDS[name];
  return word ? { kind: 'text', text: word } : null;
}

function readCallback(query: CallbackQuery): Incoming {
  const data = 'data' in query ? query.data : undefined;
  return { kind: 'choice', callbackQueryId: query.id, messageId: query.message?.message_id, data: data ?? '' };
}

function readMedia(message: Json): Incoming | null {
  const caption = str(message.caption);
  const photos = message.photo as Json[] | undefined;
  if (Array.isArray(photos) && photos.length) {
    // Telegram sends every size it made, smallest first.
    const largest = photos[photos.length - 1];
    return str(largest.file_id) ? { kind: 'media', media: 'image', fileId: String(largest.file_id), mimeType: 'image/jpeg', caption } : { kind: 'unsupported' };
  }
  const kinds: [string, MediaKind, string][] = [
    ['voice', 'voice', 'audio/ogg'],
    ['audio', 'audio', 'audio/mpeg'],
    ['video', 'video', 'video/mp4'],
    ['video_note', 'video', 'video/mp4'],
    ['document', 'document', 'application/octet-stream'],
  ];
  for (const [field, media, fallbackMime] of kinds) {
    const content = message[field] as Json | undefined;
    if (!content || typeof content !== 'object') continue;
    const fileId = str(content.file_id);
    if (!fileId) return { kind: 'unsupported' };
    return { kind: 'media', media, fileId, mimeType: str(content.mime_type) ?? fallbackMime, caption, fileName: str(content.file_name) };
  }
  return null;
}

function readMessage(message: Message): Incoming {
  const fields = message as unknown as Json;
  const text = str(fields.text);
  if (text) return command(text) ?? { kind: 'text', text };
  const contact = fields.contact as Json | undefined;
  if (contact) {
    const digits = String(contact.phone_number ?? '').replace(/\D/g, '');
    // Anyone can forward someone else's contact card; only the button shares the sender's own.
    if (contact.user_id !== message.from?.id || digits.length < 6) return { kind: 'foreignContact' };
    return { kind: 'ownContact', phone: `+${digits}` };
  }
  const media = readMedia(fields);
  if (media) return media;
  if (SERVICE_FIELDS.some((field) => field in fields)) return { kind: 'ignored' };
  return { kind: 'unsupported' };
}

/** Reads an update's content; updates other than private messages and button taps are ignored. */
export function readUpdate(update: Update): Incoming {
  if (!senderOf(update)) return { kind: 'ignored' };
  if ('callback_query' in update) return readCallback(update.callback_query);
  if ('message' in update) return readMessage(update.message);
  return { kind: 'ignored' };
}

/** The Bot Framework activity for an update; the caller sets text, attachments or the membership change. */
export function toActivity(update: Update, botId: string, receivedAt: Date): Partial<Activity> {
  const sender = senderOf(update);
  if (!sender) throw new Error('Telegram: the update has no private sender');
  const { chatId, user } = sender;
  const message = 'message' in update ? update.message : undefined;
  const query = 'callback_query' in update ? update.callback_query : undefined;
  return {
    type: ActivityTypes.Message,
    id: message ? String(message.message_id) : query!.id,
    timestamp: message ? new Date(message.date * 1000) : receivedAt,
    channelId: CHANNEL_ID,
    serviceUrl: SERVICE_URL,
    from: { id: String(user.id), name: '', role: 'user' },
    recipient: { id: botId, name: '', role: 'bot' },
    conversation: { id: chatId, isGroup: false, conversationType: 'personal', name: '' },
    locale: user.language_code,
    replyToId: query?.message ? String(query.message.message_id) : undefined,
    channelData: { updateId: update.update_id },
  };
}

export type { TurnLogic } from '../../inbox';

type MediaMessage = Extract<Incoming, { kind: 'media' }>;

export interface TelegramAdapterDeps {
  api: TelegramApi;
  keyboards: KeyboardRegistry;
  prisma: Db;
  identities: Identities;
  /** The channel's own texts in the user's language (Telegram says which). */
  texts: (locale: string | undefined) => Translate;
  defaultLocale: Locale;
  clock: Clock;
}

/**
 * The Telegram Bot API channel as a Bot Framework adapter, both ways: a recorded update becomes
 * an activity and a turn (`handle`), and each activity the bot sends becomes one or more Telegram
 * messages in the user's chat (`sendActivities`).
 */
export class TelegramAdapter extends OwnChannelAdapter {
  private readonly api: TelegramApi;
  private readonly keyboards: KeyboardRegistry;

  constructor(private readonly deps: TelegramAdapterDeps) {
    super({ name: 'Telegram', channelId: CHANNEL_ID, serviceUrl: SERVICE_URL });
    this.api = deps.api;
    this.keyboards = deps.keyboards;
  }

  /**
   * Runs one recorded update's turn, safe to run again after a crash (see `InboundTurn`): the
   * user's identity is updated, button taps are answered and mapped back to their choice, a shared
   * contact proves the line only when it is the sender's own, media is downloaded and kept as
   * evidence, and the bot runs; what the bot cannot read gets a polite answer from the channel.
   */
  async handle(turn: InboundTurn, bot: TurnLogic): Promise<void> {
    const update = JSON.parse(turn.payload) as Update;
    const incoming = readUpdate(update);
    if (incoming.kind === 'ignored') return;
    const logic = turn.guard(bot);
    const activity = toActivity(update, this.api.botId, this.deps.clock.now());
    const t = this.deps.texts(activity.locale);
    const address = { channel: CHANNEL_ID, userId: activity.from!.id };
    const identityId = await this.deps.identities.touch(address, activity, activity.locale ? resolveLocale(activity.locale, this.deps.defaultLocale) : undefined);

    switch (incoming.kind) {
      case 'start':
        // Telegram's "Start" is the user joining the conversation: the bot greets them.
        return this.processActivity({ ...activity, type: ActivityTypes.ConversationUpdate, membersAdded: [activity.from!] }, logic);
      case 'text':
        return this.processActivity({ ...activity, text: incoming.text }, logic);
      case 'choice':
        return this.choice(turn, bot, activity, incoming, t);
      case 'ownContact':
        // Telegram verified this number for its sender: the identity has proven the line.
        await this.deps.identities.proveFor(identityId, 'line', incoming.phone, 'channel');
        // The number is the answer to "which line?"; channelData.phone tells the dialogs it is proven.
        return this.processActivity({ ...activity, text: incoming.phone, channelData: { ...activity.channelData, phone: incoming.phone } }, logic);
      case 'foreignContact':
        return this.reply(turn, activity, t('telegram.contact.notYours'));
      case 'unsupported':
        return this.reply(turn, activity, t('telegram.unsupported'));
      case 'media':
        return this.media(turn, bot, activity, identityId, incoming, t);
    }
  }

  private async choice(turn: InboundTurn, bot: TurnLogic, activity: Partial<Activity>, incoming: Extract<Incoming, { kind: 'choice' }>, t: Translate): Promise<void> {
    const chatId = activity.conversation!.id;
    const index = choiceIndexOf(incoming.data);
    const { inline } = await this.keyboards.read(chatId);
    const choice = index !== null && inline && inline.messageId === incoming.messageId ? (inline.choices[index] ?? null) : null;
    // Telegram shows a spinner on the button until the query is answered; an old query cannot be answered any more.
    await this.api.answerCallbackQuery(incoming.callbackQueryId, choice === null ? t('telegram.callback.expired') : undefined).catch(() => undefined);
    if (choice === null) return;
    await this.processActivity({ ...activity, text: choice }, turn.guard(bot));
    // A keyboard answers once; it is taken after the turn, so a run cut short by a crash finds it again.
    await this.keyboards.take(chatId, incoming.messageId, index!);
  }

  private async media(turn: InboundTurn, bot: TurnLogic, activity: Partial<Activity>, identityId: number, media: MediaMessage, t: Translate): Promise<void> {
    let attachment: Attachment;
    try {
      const file = await this.api.downloadFile(media.fileId);
      // Telegram serves every file as octet-stream; the message says what it is.
      attachment = await keepEvidence(this.deps.prisma, identityId, { kind: media.media, mimeType: media.mimeType, fileName: media.fileName, bytes: file.bytes, sha256: file.sha256 });
    } catch (error) {
      await this.reply(turn, activity, t('telegram.media.failed'));
      throw new MediaUnavailableError(error);
    }
    await this.processActivity({ ...activity, text: media.caption, attachments: [attachment] }, turn.guard(bot));
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
      contactButton: this.deps.texts(activity.locale ?? context.activity.locale)('telegram.contact.button'),
      asksForLine: hints.expects === 'line',
    };
  }

}
