import { ActivityTypes, type Activity, type Attachment } from 'botbuilder';
import type { Update } from 'telegraf/types';
import { resolveLocale, type Locale, type Translate } from '../../i18n';
import type { Clock } from '../../pqr';
import type { Db } from '../../storage';
import type { Identities } from '../../identity';
import { keepEvidence } from '../evidence';
import type { InboundTurn } from '../../inbox';
import type { TurnLogic, TelegramAdapter } from './adapter';
import type { TelegramApi } from './api';
import type { KeyboardRegistry } from './keyboards';
import { choiceIndexOf } from './outbound';
import { CHANNEL_ID, readUpdate, toActivity, type Incoming } from './update';

export class MediaUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`media could not be downloaded: ${cause instanceof Error ? cause.message : 'unknown error'}`);
    this.name = 'MediaUnavailableError';
  }
}

type MediaMessage = Extract<Incoming, { kind: 'media' }>;

/**
 * Turns one recorded Telegram update into a turn: the user's identity is updated, button taps are
 * answered and mapped back to their choice, a shared contact proves the line only when it is the
 * sender's own, media is downloaded and kept as evidence, and the bot runs; what the bot cannot
 * read gets a polite answer from the channel instead.
 */
export class TelegramTurns {
  constructor(
    private readonly deps: {
      prisma: Db;
      identities: Identities;
      api: TelegramApi;
      adapter: TelegramAdapter;
      keyboards: KeyboardRegistry;
      logic: TurnLogic;
      /** The channel's own texts in the user's language (Telegram says which). */
      texts: (locale: string | undefined) => Translate;
      defaultLocale: Locale;
      clock: Clock;
    },
  ) {}

  /** Runs the update's turn; safe to run again after a crash (see `InboundTurn`). */
  async handle(turn: InboundTurn): Promise<void> {
    const update = JSON.parse(turn.payload) as Update;
    const incoming = readUpdate(update);
    if (incoming.kind === 'ignored') return;
    const { adapter } = this.deps;
    const logic = turn.guard(this.deps.logic);
    const activity = toActivity(update, this.deps.api.botId, this.deps.clock.now());
    const t = this.deps.texts(activity.locale);
    const address = { channel: CHANNEL_ID, userId: activity.from!.id };
    const identityId = await this.deps.identities.touch(address, activity, activity.locale ? resolveLocale(activity.locale, this.deps.defaultLocale) : undefined);

    switch (incoming.kind) {
      case 'start':
        // Telegram's "Start" is the user joining the conversation: the bot greets them.
        return adapter.processActivity({ ...activity, type: ActivityTypes.ConversationUpdate, membersAdded: [activity.from!] }, logic);
      case 'text':
        return adapter.processActivity({ ...activity, text: incoming.text }, logic);
      case 'choice':
        return this.choice(turn, activity, incoming, t);
      case 'ownContact':
        // Telegram verified this number for its sender: the identity has proven the line.
        await this.deps.identities.proveFor(identityId, 'line', incoming.phone, 'channel');
        // The number is the answer to "which line?"; channelData.phone tells the dialogs it is proven.
        return adapter.processActivity({ ...activity, text: incoming.phone, channelData: { ...activity.channelData, phone: incoming.phone } }, logic);
      case 'foreignContact':
        return this.reply(turn, activity, t('telegram.contact.notYours'));
      case 'unsupported':
        return this.reply(turn, activity, t('telegram.unsupported'));
      case 'media':
        return this.media(turn, activity, identityId, incoming, t);
    }
  }

  private async choice(turn: InboundTurn, activity: Partial<Activity>, incoming: Extract<Incoming, { kind: 'choice' }>, t: Translate): Promise<void> {
    const chatId = activity.conversation!.id;
    const index = choiceIndexOf(incoming.data);
    const { inline } = await this.deps.keyboards.read(chatId);
    const choice = index !== null && inline && inline.messageId === incoming.messageId ? (inline.choices[index] ?? null) : null;
    // Telegram shows a spinner on the button until the query is answered; an old query cannot be answered any more.
    await this.deps.api.answerCallbackQuery(incoming.callbackQueryId, choice === null ? t('telegram.callback.expired') : undefined).catch(() => undefined);
    if (choice === null) return;
    await this.deps.adapter.processActivity({ ...activity, text: choice }, turn.guard(this.deps.logic));
    // A keyboard answers once; it is taken after the turn, so a run cut short by a crash finds it again.
    await this.deps.keyboards.take(chatId, incoming.messageId, index!);
  }

  private async media(turn: InboundTurn, activity: Partial<Activity>, identityId: number, media: MediaMessage, t: Translate): Promise<void> {
    let attachment: Attachment;
    try {
      const file = await this.deps.api.downloadFile(media.fileId);
      // Telegram serves every file as octet-stream; the message says what it is.
      attachment = await keepEvidence(this.deps.prisma, identityId, { kind: media.media, mimeType: media.mimeType, fileName: media.fileName, bytes: file.bytes, sha256: file.sha256 });
    } catch (error) {
      await this.reply(turn, activity, t('telegram.media.failed'));
      throw new MediaUnavailableError(error);
    }
    await this.deps.adapter.processActivity({ ...activity, text: media.caption, attachments: [attachment] }, turn.guard(this.deps.logic));
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
