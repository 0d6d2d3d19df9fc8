import { TurnContext, type Activity } from 'botbuilder';
import { resolveLocale, type Locale } from '../i18n';
import type { Clock } from '../pqr';
import type { Db } from '../storage';

/**
 * Keeps, for every channel user the bot may have to reach later, how to reach them: the
 * conversation reference of their latest message, when they last wrote (WhatsApp's 24-hour
 * window) and their language. Notifications held until the user writes again are released here.
 */
export class ConversationRecorder {
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly prisma: Db,
    private readonly clock: Clock,
    private readonly fallbackLocale: Locale,
  ) {}

  /** Called after each user message has been handled, with the turn's activity. */
  async record(activity: Partial<Activity>): Promise<void> {
    const channel = activity.channelId;
    const userId = activity.from?.id;
    if (activity.type !== 'message' || !channel || !userId) return;
    const at = timestampOf(activity) ?? this.clock.now();
    const conversationRef = JSON.stringify(TurnContext.getConversationReference(activity));
    // Only someone who consented (or filed) has an identity; nobody else's data is kept.
    const updated = await this.prisma.channelIdentity.updateMany({
      where: { channel, userId },
      data: { conversationRef, ...(activity.locale ? { locale: resolveLocale(activity.locale, this.fallbackLocale) } : {}) },
    });
    if (updated.count === 0) return;
    // Messages may be handled out of order: the last inbound time only moves forward.
    await this.prisma.channelIdentity.updateMany({
      where: { channel, userId, OR: [{ lastInboundAt: null }, { lastInboundAt: { lt: at } }] },
      data: { lastInboundAt: at },
    });
    const released = await this.prisma.outbox.updateMany({
      where: { status: 'held', conversationKey: `${channel}:${userId}` },
      data: { status: 'pending', nextAttemptAt: this.clock.now() },
    });
    if (released.count > 0) for (const listener of this.listeners) listener();
  }

  /** `listener` runs whenever a user's message releases notifications that were waiting for it. */
  onRelease(listener: () => void): void {
    this.listeners.push(listener);
  }
}

function timestampOf(activity: Partial<Activity>): Date | undefined {
  const value = activity.timestamp as Date | string | undefined;
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}
