import { ActivityTypes, type Activity } from 'botbuilder';
import type { UnifiedMessage } from '@kapso/whatsapp-cloud-api';
import type { Translate } from '../../i18n';
import { choiceFromId } from './outbound';

export const CHANNEL_ID = 'whatsapp';
/** Not a callable URL: replies go to the Graph API, but Bot Framework code expects a stable value. */
export const SERVICE_URL = 'urn:pqr-bot:whatsapp';

/** An inbound message as recorded: the webhook's message (camelCase) and the user it came from. */
export interface RecordedMessage {
  userId: string;
  message: UnifiedMessage;
}

export type MediaKind = 'image' | 'audio' | 'voice' | 'video' | 'document';

/** What a WhatsApp message means for the bot. */
export type Incoming =
  | { kind: 'text'; text: string }
  | { kind: 'media'; media: MediaKind; mediaId: string; caption?: string; fileName?: string }
  /** Reactions and system notices: nothing to answer. */
  | { kind: 'ignored' }
  | { kind: 'unsupported' };

type Json = Record<string, unknown>;

const str = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value.trim() : undefined);

/** The user behind a message: the phone-number wa_id, or the business-scoped user id when Meta sends only that. */
export function senderOf(message: UnifiedMessage): string | undefined {
  return str(message.from) ?? str(message.fromUserId);
}

function interactiveReply(interactive: Json): string | undefined {
  const reply = (interactive.buttonReply ?? interactive.listReply) as Json | undefined;
  if (!reply) return undefined;
  const id = str(reply.id);
  // Our ids carry the full choice; an id we did not make (or lost) falls back to the title shown.
  return (id && choiceFromId(id)) ?? str(reply.title);
}

function describeLocation(location: Json, t: Translate): string {
  const place = [str(location.name), str(location.address)].filter(Boolean).join(', ');
  return t('whatsapp.location', { place: place || '—', latitude: String(location.latitude ?? '?'), longitude: String(location.longitude ?? '?') });
}

function describeContacts(contacts: Json[], t: Translate): string {
  const entries = contacts.map((contact) => {
    const name = str((contact.name as Json | undefined)?.formattedName) ?? '';
    const phones = ((contact.phones as Json[] | undefined) ?? []).map((phone) => str(phone.phone)).filter(Boolean);
    return [name, ...phones].filter(Boolean).join(' ');
  });
  return t('whatsapp.contacts', { contacts: entries.filter(Boolean).join('; ') || '—' });
}

/** Reads a message's type and content; `t` renders locations and shared contacts as text. */
export function readMessage(message: UnifiedMessage, t: Translate): Incoming {
  switch (message.type) {
    case 'text': {
      const text = str(message.text?.body);
      return text ? { kind: 'text', text } : { kind: 'unsupported' };
    }
    case 'interactive': {
      const text = interactiveReply(message.interactive ?? {});
      return text ? { kind: 'text', text } : { kind: 'unsupported' };
    }
    case 'button': {
      // A quick-reply button of a template message (e.g. a notification).
      const button = (message.button ?? {}) as Json;
      const text = str(button.text) ?? str(button.payload);
      return text ? { kind: 'text', text } : { kind: 'unsupported' };
    }
    case 'location':
      return message.location ? { kind: 'text', text: describeLocation(message.location, t) } : { kind: 'unsupported' };
    case 'contacts':
      return message.contacts?.length ? { kind: 'text', text: describeContacts(message.contacts, t) } : { kind: 'unsupported' };
    case 'image':
    case 'audio':
    case 'video':
    case 'document': {
      const content = (message[message.type] ?? {}) as Json;
      const mediaId = str(content.id);
      if (!mediaId) return { kind: 'unsupported' };
      const media: MediaKind = message.type === 'audio' && content.voice === true ? 'voice' : message.type;
      return { kind: 'media', media, mediaId, caption: str(content.caption), fileName: str(content.filename) };
    }
    case 'reaction':
    case 'system':
      return { kind: 'ignored' };
    default:
      return { kind: 'unsupported' };
  }
}

/** The Bot Framework activity for a recorded message; media attachments are added by the caller. */
export function toActivity(recorded: RecordedMessage, phoneNumberId: string, text: string | undefined, receivedAt: Date): Partial<Activity> {
  const { message, userId } = recorded;
  const phone = str(message.from);
  const seconds = Number(message.timestamp);
  return {
    type: ActivityTypes.Message,
    id: message.id,
    timestamp: Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : receivedAt,
    channelId: CHANNEL_ID,
    serviceUrl: SERVICE_URL,
    from: { id: userId, name: '', role: 'user' },
    recipient: { id: phoneNumberId, name: '', role: 'bot' },
    conversation: { id: userId, isGroup: false, conversationType: 'personal', name: '' },
    text,
    replyToId: str(message.context?.id),
    // The sender's own number, as E.164: a subscriber writing from their line need not type it.
    channelData: { messageType: message.type, ...(phone && /^\d{6,15}$/.test(phone) ? { phone: `+${phone}` } : {}) },
  };
}
