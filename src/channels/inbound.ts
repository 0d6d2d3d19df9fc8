import { KeyedQueue } from './queue';
import type { Db } from '../storage';

/** One inbound webhook message as recorded before it was acknowledged. */
export interface RecordedInbound {
  id: number;
  conversationKey: string;
  payload: string;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}

/**
 * The InboundMessage table for one webhook channel: a message is recorded once per
 * (channel, external id), so a platform's redelivery is recognised as a duplicate even when it
 * reaches another instance, and a message recorded but never processed survives a crash.
 */
export class InboundLog {
  constructor(
    private readonly prisma: Db,
    readonly channel: string,
  ) {}

  /** Records the message; `duplicate` when this external id was recorded before (by anyone). */
  async record(externalId: string, conversationKey: string, payload: string): Promise<{ id: number; duplicate: boolean }> {
    try {
      const row = await this.prisma.inboundMessage.create({
        data: { channel: this.channel, externalId, conversationKey, payload },
        select: { id: true },
      });
      return { id: row.id, duplicate: false };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.prisma.inboundMessage.findUnique({
        where: { channel_externalId: { channel: this.channel, externalId } },
        select: { id: true },
      });
      if (!existing) throw error;
      return { id: existing.id, duplicate: true };
    }
  }

  async markProcessed(id: number, error?: unknown): Promise<void> {
    await this.prisma.inboundMessage.update({
      where: { id },
      data: {
        processedAt: new Date(),
        attempts: { increment: 1 },
        lastError: error === undefined ? null : error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 500) : 'unknown error',
      },
    });
  }

  /** Recorded but never processed (e.g. interrupted by a crash), oldest first. */
  async pending(): Promise<RecordedInbound[]> {
    return this.prisma.inboundMessage.findMany({
      where: { channel: this.channel, processedAt: null },
      orderBy: { id: 'asc' },
      select: { id: true, conversationKey: true, payload: true },
    });
  }
}


/**
 * Processes recorded messages one at a time per conversation, in recording order, and marks
 * each processed (with the error, if its handler threw) so it is not run again after a restart.
 */
export class InboundProcessor {
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly log: InboundLog,
    private readonly handle: (message: RecordedInbound) => Promise<void>,
    private readonly onError: (error: unknown, message: RecordedInbound) => void,
  ) {}

  /** Queues a freshly recorded message; returns at once. */
  enqueue(message: RecordedInbound): void {
    void this.queue.run(message.conversationKey, () => this.process(message));
  }

  /** Queues every message left unprocessed by an earlier run; call once at start. */
  async resumePending(): Promise<number> {
    const pending = await this.log.pending();
    for (const message of pending) this.enqueue(message);
    return pending.length;
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async process(message: RecordedInbound): Promise<void> {
    let failure: unknown;
    try {
      await this.handle(message);
    } catch (error) {
      failure = error;
      this.onError(error, message);
    }
    try {
      await this.log.markProcessed(message.id, failure);
    } catch (error) {
      this.onError(error, message);
    }
  }
}
