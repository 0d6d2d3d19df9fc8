import type { Activity } from 'botbuilder';
import type { Logger } from 'pino';
import type { DirectLineAdapter, TurnLogic } from './adapter';
import { KeyedQueue } from '../queue';
import type { DirectLineStore, InboundRecord } from './store';

/**
 * Records each user activity and runs its turn afterwards, one turn at a time per conversation
 * and in the order the activities were recorded.
 */
export class TurnRunner {
  private readonly intake = new KeyedQueue();
  private readonly turns = new KeyedQueue();

  constructor(
    private readonly store: DirectLineStore,
    private readonly adapter: DirectLineAdapter,
    private readonly logic: TurnLogic,
    private readonly logger: Logger,
  ) {}

  /** Stores the activity (a repeated client activity id is a duplicate) and queues its turn. */
  submit(conversationId: string, externalId: string, activity: Partial<Activity>): Promise<InboundRecord> {
    // Recording goes through its own queue so that turns are queued in the order of the stream.
    return this.intake.run(conversationId, async () => {
      const record = await this.store.recordInbound(conversationId, externalId, activity);
      if (!record.duplicate) void this.turns.run(conversationId, () => this.runTurn(record.inboundId, record.activity));
      return record;
    });
  }

  /** Queues the turns of activities recorded but never processed (a crash mid-turn). Call at start. */
  async resumePending(): Promise<number> {
    const pending = await this.store.pending();
    for (const { inboundId, activity } of pending) {
      const conversationId = activity.conversation?.id ?? '';
      void this.turns.run(conversationId, () => this.runTurn(inboundId, activity));
    }
    return pending.length;
  }

  async idle(): Promise<void> {
    await this.intake.idle();
    await this.turns.idle();
  }

  private async runTurn(inboundId: number, activity: Partial<Activity>): Promise<void> {
    let failure: unknown;
    try {
      await this.adapter.processActivity(activity, this.logic);
    } catch (error) {
      failure = error;
      this.logger.error({ err: error, conversationId: activity.conversation?.id, activityType: activity.type }, 'web chat turn failed');
    }
    try {
      await this.store.markProcessed(inboundId, failure);
    } catch (error) {
      this.logger.error({ err: error, inboundId }, 'could not mark a web chat message as processed');
    }
  }
}
