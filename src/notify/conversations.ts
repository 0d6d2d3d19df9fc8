import type { Activity } from 'botbuilder';
import { resolveLocale, type Locale } from '../i18n';
import { addressKey, addressOf, type Identities } from '../identity';
import type { Clock } from '../pqr';
import { TurnWork, type Db } from '../storage';

/**
 * After each user message: the identity keeps how to reach the user (see `Identities.noteMessage`),
 * and notifications held until the user wrote again (WhatsApp's 24-hour window) are released.
 */
export class ConversationRecorder {
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly prisma: Db,
    private readonly identities: Identities,
    private readonly clock: Clock,
    private readonly fallbackLocale: Locale,
  ) {}

  /** Called after each user message has been handled, with the turn's activity. */
  async record(activity: Partial<Activity>): Promise<void> {
    const address = addressOf(activity);
    if (activity.type !== 'message' || !address.channel || !address.userId) return;
    const at = timestampOf(activity) ?? this.clock.now();
    const known = await this.identities.noteMessage(address, activity, at, activity.locale ? resolveLocale(activity.locale, this.fallbackLocale) : undefined);
    const work = TurnWork.current();
    if (work) {
      // In the turn's end-of-turn transaction; only an identity's notifications are released.
      if (!this.identities.mayHoldNotifications(address)) return;
      work.add(
        {
          sql: `UPDATE "Outbox" SET "status" = 'pending', "nextAttemptAt" = ? WHERE "status" = 'held' AND "conversationKey" = ?
                AND EXISTS (SELECT 1 FROM "ChannelIdentity" WHERE "channel" = ? AND "userId" = ?)`,
          args: [this.clock.now(), addressKey(address), address.channel, address.userId],
        },
        (released) => {
          if (released > 0) for (const listener of this.listeners) listener();
        },
      );
      return;
    }
    if (!known) return;
    const released = await this.prisma.outbox.updateMany({
      where: { status: 'held', conversationKey: addressKey(address) },
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
