import { ActivityTypes, type Activity } from 'botbuilder';
import type { CallbackQuery, Message, Update, User } from 'telegraf/types';

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
