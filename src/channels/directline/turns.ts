import type { Activity } from 'botbuilder';
import type { Logger } from 'pino';
import type { Db } from '../../storage';
import { InboundLog, InboundProcessor, type InboundSettings, type InboundTurn } from '../../inbox';
import { KeyedQueue } from '../../inbox';
import type { DirectLineAdapter, TurnLogic } from './adapter';
import { CHANNEL_ID, type DirectLineStore, type InboundRecord } from './store';

/**
 * Records each user activity and runs its turn afterwards, one turn at a time per conversation
 * and in the order the activities were recorded, whichever instance recorded them.
 */
export class TurnRunner {
  private readonly intake = new KeyedQueue();
  private readonly processor: InboundProcessor;

  constructor(
    private readonly store: DirectLineStore,
    private readonly adapter: DirectLineAdapter,
    private readonly logic: TurnLogic,
    logger: Logger,
    prisma: Db,
    settings?: InboundSettings,
  ) {
    this.processor = new InboundProcessor(
      new InboundLog(prisma, CHANNEL_ID),
      (turn) => this.runTurn(turn),
      (error, inboundId) => logger.error({ err: error, channel: CHANNEL_ID, inboundId }, 'web chat turn failed'),
      settings,
    );
  }

  /** Stores the activity (a repeated client activity id is a duplicate) and queues its turn. */
  submit(conversationId: string, externalId: string, activity: Partial<Activity>): Promise<InboundRecord> {
    // Recording goes through its own queue so that turns are queued in the order of the stream.
    return this.intake.run(conversationId, async () => {
      const record = await this.store.recordInbound(conversationId, externalId, activity);
      if (!record.duplicate) this.processor.enqueue({ conversationKey: conversationId });
      return record;
    });
  }

  /** Runs the turns of activities recorded but never processed (a crash mid-turn, a dead instance). */
  resumePending(): Promise<number> {
    return this.processor.resumePending();
  }

  async idle(): Promise<void> {
    await this.intake.idle();
    await this.processor.idle();
  }

  private async runTurn(turn: InboundTurn): Promise<void> {
    await this.adapter.processActivity(await this.store.inboundActivity(turn.conversationKey, turn.payload), turn.guard(this.logic));
  }
}
