import { ActivityTypes, type Activity, type Attachment, type ChannelAccount, type ResourceResponse, type TurnContext } from 'botbuilder';
import type { UnifiedMessage } from '@kapso/whatsapp-cloud-api';
import type { Translate } from '../../i18n';
import type { Identities } from '../../identity';
import type { InboundTurn, TurnLogic } from '../../inbox';
import type { Clock } from '../../pqr';
import type { Db } from '../../storage';
import { keepEvidence, MediaUnavailableError } from '../evidence';
import { OwnChannelAdapter } from '../own-adapter';
import type { GraphClient } from './graph';
import { choiceFromId, toWhatsAppMessages } from './outbound';

// Payload → Activity: what a recorded WhatsApp message means for the bot.

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

export type { TurnLogic } from '../../inbox';

export interface WhatsAppAdapterDeps {
  graph: GraphClient;
  phoneNumberId: string;
  prisma: Db;
  identities: Identities;
  /** Texts in the bot's default locale (WhatsApp does not say the user's language). */
  t: Translate;
  clock: Clock;
}

/**
 * The WhatsApp Cloud API channel as a Bot Framework adapter, both ways: a recorded webhook
 * message becomes an activity and a turn (`handle`), and each activity the bot sends becomes one
 * or more Graph API messages to the user (`sendActivities`).
 */
export class WhatsAppAdapter extends OwnChannelAdapter {
  /** The label of the button that opens a list of choices (≤ 20 characters). */
  private readonly listButton: string;

  constructor(private readonly deps: WhatsAppAdapterDeps) {
    super({ name: 'WhatsApp', channelId: CHANNEL_ID, serviceUrl: SERVICE_URL });
    this.listButton = deps.t('whatsapp.list.button');
  }

  /**
   * Runs one recorded message's turn, safe to run again after a crash (see `InboundTurn`): the
   * user's identity and 24-hour window are updated, media is downloaded and kept as evidence, and
   * the bot runs; a message the bot cannot read gets a polite answer from the channel instead.
   */
  async handle(turn: InboundTurn, bot: TurnLogic): Promise<void> {
    const recorded = JSON.parse(turn.payload) as RecordedMessage;
    const { t, identities } = this.deps;
    const incoming = readMessage(recorded.message, t);
    if (incoming.kind === 'ignored') return;
    const activity = toActivity(recorded, this.deps.phoneNumberId, undefined, this.deps.clock.now());
    // Meta verified the number a wa_id names; a business-scoped user id without one proves no line.
    const verifiedLine = /^\d{6,15}$/.test(recorded.userId) && activity.channelData?.phone === `+${recorded.userId}`;
    const identityId = await identities.touch({ channel: CHANNEL_ID, userId: recorded.userId }, activity, undefined, verifiedLine ? { proveLine: 'channel' } : {});
    const logic = turn.guard(bot);
    if (incoming.kind === 'unsupported') return this.reply(turn, activity, t('whatsapp.unsupported'));
    if (incoming.kind === 'text') return this.processActivity({ ...activity, text: incoming.text }, logic);

    let attachment: Attachment;
    try {
      const media = await this.deps.graph.downloadMedia(incoming.mediaId);
      attachment = await keepEvidence(this.deps.prisma, identityId, { kind: incoming.media, mimeType: media.mimeType, fileName: incoming.fileName, bytes: media.bytes, sha256: media.sha256 });
    } catch (error) {
      await this.reply(turn, activity, t('whatsapp.media.failed'));
      throw new MediaUnavailableError(error);
    }
    await this.processActivity({ ...activity, text: incoming.caption, attachments: [attachment] }, logic);
  }

  /**
   * Proactive messages come from a stored conversation reference. Outside the 24-hour
   * customer-service window Graph only accepts templates; the outbox's sender checks the window.
   */
  protected botAccount(): ChannelAccount {
    return { id: this.deps.phoneNumberId, name: '', role: 'bot' };
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
      for (const message of toWhatsAppMessages(activity, this.listButton)) id = await this.deps.graph.send(userId, message);
      responses.push({ id });
    }
    return responses;
  }
}
