import type { Activity, Attachment } from 'botbuilder';
import type { Translate } from '../../i18n';
import type { Clock } from '../../pqr';
import type { Db } from '../../storage';
import type { Identities } from '../../identity';
import { keepEvidence } from '../evidence';
import type { InboundTurn } from '../../inbox';
import type { TurnLogic, WhatsAppAdapter } from './adapter';
import type { GraphClient } from './graph';
import { CHANNEL_ID, readMessage, toActivity, type RecordedMessage } from './message';

/** How an attachment kept as evidence is referenced in an activity; the bytes stay in the database. */

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
      identities: Identities;
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
    const address = { channel: CHANNEL_ID, userId: recorded.userId };
    const identityId = await this.deps.identities.touch(address, activity);
    // Meta verified the number a wa_id names; a business-scoped user id without one proves no line.
    if (/^\d{6,15}$/.test(recorded.userId) && activity.channelData?.phone === `+${recorded.userId}`) {
      await this.deps.identities.proveFor(identityId, 'line', recorded.userId, 'channel');
    }
    const logic = turn.guard(this.deps.logic);

    if (incoming.kind === 'unsupported') return this.reply(turn, activity, t('whatsapp.unsupported'));
    if (incoming.kind === 'text') return adapter.processActivity({ ...activity, text: incoming.text }, logic);

    let attachment: Attachment;
    try {
      const media = await this.deps.graph.downloadMedia(incoming.mediaId);
      attachment = await keepEvidence(this.deps.prisma, identityId, { kind: incoming.media, mimeType: media.mimeType, fileName: incoming.fileName, bytes: media.bytes, sha256: media.sha256 });
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
}
