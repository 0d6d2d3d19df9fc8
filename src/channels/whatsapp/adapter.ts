import type { Activity, Attachment, ChannelAccount, ResourceResponse, TurnContext } from 'botbuilder';
import type { Translate } from '../../i18n';
import type { Identities } from '../../identity';
import type { InboundTurn, TurnLogic } from '../../inbox';
import type { Clock } from '../../pqr';
import type { Db } from '../../storage';
import { keepEvidence, MediaUnavailableError } from '../evidence';
import { OwnChannelAdapter } from '../own-adapter';
import type { GraphClient } from './graph';
import { CHANNEL_ID, readMessage, SERVICE_URL, toActivity, type RecordedMessage } from './message';
import { toWhatsAppMessages } from './outbound';

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
    const identityId = await identities.touch({ channel: CHANNEL_ID, userId: recorded.userId }, activity);
    // Meta verified the number a wa_id names; a business-scoped user id without one proves no line.
    if (/^\d{6,15}$/.test(recorded.userId) && activity.channelData?.phone === `+${recorded.userId}`) {
      await identities.proveFor(identityId, 'line', recorded.userId, 'channel');
    }
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
