import { TurnContext, type Activity, type Attachment } from 'botbuilder';
import type { Translate } from '../../i18n';
import type { Clock } from '../../pqr';
import { isUniqueViolation, type Db } from '../../storage';
import type { InboundTurn } from '../inbound';
import type { TurnLogic, WhatsAppAdapter } from './adapter';
import type { GraphClient } from './graph';
import { CHANNEL_ID, readMessage, toActivity, type MediaKind, type RecordedMessage } from './message';

/** How an attachment kept as evidence is referenced in an activity; the bytes stay in the database. */
export const ATTACHMENT_URL_PREFIX = 'urn:pqr-bot:attachment:';

export class MediaUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`media could not be downloaded: ${cause instanceof Error ? cause.message : 'unknown error'}`);
    this.name = 'MediaUnavailableError';
  }
}

/**
 * Turns one recorded WhatsApp message into a turn: the user's identity and 24-hour window are
 * updated, media is downloaded and kept as evidence, and the bot runs; a message the bot cannot
 * read gets a polite answer from the channel instead.
 */
export class WhatsAppTurns {
  constructor(
    private readonly deps: {
      prisma: Db;
      graph: GraphClient;
      adapter: WhatsAppAdapter;
      logic: TurnLogic;
      t: Translate;
      clock: Clock;
      phoneNumberId: string;
    },
  ) {}

  /** Runs the message's turn; safe to run again after a crash (see `InboundTurn`). */
  async handle(turn: InboundTurn): Promise<void> {
    const recorded = JSON.parse(turn.payload) as RecordedMessage;
    const { t, adapter } = this.deps;
    const incoming = readMessage(recorded.message, t);
    if (incoming.kind === 'ignored') return;
    const activity = toActivity(recorded, this.deps.phoneNumberId, undefined, this.deps.clock.now());
    const identityId = await this.touchIdentity(activity);
    const logic = turn.guard(this.deps.logic);

    if (incoming.kind === 'unsupported') return this.reply(turn, activity, t('whatsapp.unsupported'));
    if (incoming.kind === 'text') return adapter.processActivity({ ...activity, text: incoming.text }, logic);

    let attachment: Attachment;
    try {
      attachment = await this.keepMedia(identityId, incoming.media, incoming.mediaId, incoming.fileName);
    } catch (error) {
      await this.reply(turn, activity, t('whatsapp.media.failed'));
      throw new MediaUnavailableError(error);
    }
    await adapter.processActivity({ ...activity, text: incoming.caption, attachments: [attachment] }, logic);
  }

  private async reply(turn: InboundTurn, activity: Partial<Activity>, text: string): Promise<void> {
    await this.deps.adapter.processActivity(
      activity,
      turn.guard(async (context) => {
        await context.sendActivity(text);
      }),
    );
  }

  /**
   * The channel identity (created on first contact) with its conversation reference and the time
   * of the user's last message, which opens WhatsApp's 24-hour window. Messages arrive out of
   * order, so the time only moves forward.
   */
  private async touchIdentity(activity: Partial<Activity>): Promise<number> {
    const { prisma } = this.deps;
    const user = { channel: CHANNEL_ID, userId: activity.from!.id };
    const at = activity.timestamp instanceof Date ? activity.timestamp : this.deps.clock.now();
    const conversationRef = JSON.stringify(TurnContext.getConversationReference(activity));
    let identity: { id: number };
    try {
      identity = await prisma.channelIdentity.upsert({
        where: { channel_userId: user },
        create: { ...user, lastInboundAt: at, conversationRef },
        update: { conversationRef },
        select: { id: true },
      });
    } catch (error) {
      // Another instance created it at the same moment.
      if (!isUniqueViolation(error)) throw error;
      identity = await prisma.channelIdentity.update({ where: { channel_userId: user }, data: { conversationRef }, select: { id: true } });
    }
    await prisma.channelIdentity.updateMany({
      where: { id: identity.id, OR: [{ lastInboundAt: null }, { lastInboundAt: { lt: at } }] },
      data: { lastInboundAt: at },
    });
    return identity.id;
  }

  /** Downloads the media and stores its bytes; the same file already waiting for a PQR is not stored twice. */
  private async keepMedia(identityId: number, kind: MediaKind, mediaId: string, fileName?: string): Promise<Attachment> {
    const { prisma, graph } = this.deps;
    const media = await graph.downloadMedia(mediaId);
    const existing = await prisma.attachment.findFirst({ where: { identityId, sha256: media.sha256, pqrId: null }, select: { id: true } });
    const stored =
      existing ??
      (await prisma.attachment.create({
        data: {
          identityId,
          kind,
          mimeType: media.mimeType,
          fileName: fileName ?? null,
          size: media.bytes.length,
          sha256: media.sha256,
          data: new Uint8Array(media.bytes),
        },
        select: { id: true },
      }));
    return {
      contentType: media.mimeType,
      contentUrl: `${ATTACHMENT_URL_PREFIX}${stored.id}`,
      name: fileName,
      content: { attachmentId: stored.id, kind, size: media.bytes.length, sha256: media.sha256 },
    };
  }
}
