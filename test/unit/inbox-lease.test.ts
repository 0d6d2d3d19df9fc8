import { BotAdapter, TurnContext, type Activity, type ResourceResponse } from 'botbuilder';
import { createPgTestDb, createSqliteTestDb, type TestDb } from '../helpers/db';
import { InboundLog, InboundProcessor, type InboundTurn } from '../../src/inbox';
import { conversationStateKey, Leases, LeaseLostError } from '../../src/storage';

/** A Bot Framework adapter that records what the turn sends, as a channel would deliver it. */
class RecordingAdapter extends BotAdapter {
  readonly sent: string[] = [];
  async sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    for (const activity of activities) this.sent.push(String(activity.text));
    return activities.map((_, i) => ({ id: `sent-${this.sent.length - activities.length + i}` }));
  }
  async updateActivity(): Promise<void> {
    throw new Error('not supported');
  }
  async deleteActivity(): Promise<void> {
    throw new Error('not supported');
  }
  async continueConversation(): Promise<void> {
    throw new Error('not supported');
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each([
  ['SQLite', () => createSqliteTestDb()],
  ['PostgreSQL', () => createPgTestDb('pqr_inbox_lease')],
])('a turn that outlives its conversation lease, on %s', (_name, create) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await create();
  });
  afterAll(() => db.close());

  it('sends no reply once another instance took the conversation over: each reply goes out exactly once', async () => {
    const log = new InboundLog(db.prisma, 'test');
    const adapter = new RecordingAdapter();
    let runs = 0;
    let stalled!: () => void;
    const stalling = new Promise<void>((resolve) => (stalled = resolve));
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));

    // The turn sends two replies; its first run stalls between them (as a blocked event loop or a
    // paused VM would, with the heartbeat not beating) for longer than the lease.
    const handle = async (turn: InboundTurn) => {
      const first = ++runs === 1;
      const context = new TurnContext(adapter, { type: 'message', text: 'hola', channelId: 'test', conversation: { id: turn.conversationKey, isGroup: false, conversationType: '', name: '' } });
      await turn.guard(async (ctx) => {
        await ctx.sendActivity('first reply');
        if (first) {
          stalled();
          await woken;
        }
        await ctx.sendActivity('second reply');
      })(context);
    };
    const errorsA: unknown[] = [];
    const errorsB: unknown[] = [];
    const a = new InboundProcessor(log, handle, (error) => errorsA.push(error), { leases: new Leases(db.prisma, 'a'), leaseMs: 300, renewEveryMs: 60_000 });
    const b = new InboundProcessor(log, handle, (error) => errorsB.push(error), { leases: new Leases(db.prisma, 'b'), leaseMs: 10_000 });

    const { id } = await log.record('wamid.1', '573005550001', '{}');
    a.enqueue({ conversationKey: '573005550001' });
    await stalling;
    // While a holds it, b's sweep leaves the conversation alone.
    expect(await b.resumePending()).toBe(1);
    await b.idle();
    expect(runs).toBe(1);

    await sleep(450); // a's lease has expired: b's next sweep takes the conversation over and runs the message again
    await b.resumePending();
    await b.idle();
    expect(runs).toBe(2);

    wake();
    await a.idle();
    expect(adapter.sent).toEqual(['first reply', 'second reply']);
    expect(errorsA.some((error) => error instanceof LeaseLostError)).toBe(true);
    expect(errorsB).toEqual([]);
    const message = await db.prisma.inboundMessage.findUniqueOrThrow({ where: { id } });
    expect(message).toMatchObject({ attempts: 2, repliesSent: 2, lastError: null });
    expect(message.processedAt).not.toBeNull();
    expect(await db.prisma.lease.count()).toBe(0);
  });

  it('goes on when its heartbeat fell behind but nobody took the conversation', async () => {
    const log = new InboundLog(db.prisma, 'test2');
    const adapter = new RecordingAdapter();
    const handle = async (turn: InboundTurn) => {
      const context = new TurnContext(adapter, { type: 'message', text: 'hola', channelId: 'test', conversation: { id: turn.conversationKey, isGroup: false, conversationType: '', name: '' } });
      await turn.guard(async (ctx) => {
        await ctx.sendActivity('first reply');
        await sleep(450);
        await ctx.sendActivity('second reply');
      })(context);
    };
    const errors: unknown[] = [];
    const a = new InboundProcessor(log, handle, (error) => errors.push(error), { leases: new Leases(db.prisma, 'a'), leaseMs: 300, renewEveryMs: 60_000 });
    const { id } = await log.record('wamid.2', '573005550002', '{}');
    a.enqueue({ conversationKey: '573005550002' });
    await a.idle();
    expect(adapter.sent).toEqual(['first reply', 'second reply']);
    expect(errors).toEqual([]);
    expect(await db.prisma.inboundMessage.findUniqueOrThrow({ where: { id } })).toMatchObject({ attempts: 1, repliesSent: 2, lastError: null });
  });
});


describe.each([
  ['SQLite', () => createSqliteTestDb()],
  ['PostgreSQL', () => createPgTestDb('pqr_inbox_claim')],
])('claiming a conversation and taking its next message, on %s', (_name, create) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await create();
  });
  afterAll(() => db.close());

  it('starts no message of a conversation another instance holds, and starts the oldest once the lease is ours', async () => {
    const log = new InboundLog(db.prisma, 'claim');
    const here = new Leases(db.prisma, 'instance-here');
    const there = new Leases(db.prisma, 'instance-there');
    const key = 'inbound:claim:573001234567';
    const first = await log.record('wamid.1', '573001234567', '{"n":1}');
    await log.record('wamid.2', '573001234567', '{"n":2}');
    expect(await there.claim(key, 60_000)).toBe(true);

    // Held elsewhere: nothing claimed, nothing started (the message's run is not counted).
    expect(await log.claimNext(here.claimStatement(key, 10_000), '573001234567')).toEqual({ claimed: false, message: null });
    expect((await db.prisma.inboundMessage.findUnique({ where: { id: first.id } }))?.attempts).toBe(0);
    expect((await db.prisma.lease.findUnique({ where: { key } }))?.owner).toBe('instance-there');

    // Free: claimed, and the oldest message started with the conversation's bot state.
    await db.prisma.lease.deleteMany({ where: { key } });
    await db.prisma.botState.create({ data: { key: conversationStateKey('claim', '573001234567'), eTag: 'e1', data: '{"s":1}' } });
    const taken = await log.claimNext(here.claimStatement(key, 10_000), '573001234567');
    expect(taken.claimed).toBe(true);
    expect(taken.message).toMatchObject({ id: first.id, payload: '{"n":1}', attempts: 1, repliesSent: 0, state: { row: { eTag: 'e1', data: '{"s":1}' } } });
    expect((await db.prisma.lease.findUnique({ where: { key } }))?.owner).toBe('instance-here');

    // Ours already, nothing waiting: claimed, no message.
    await db.prisma.inboundMessage.updateMany({ where: { channel: 'claim' }, data: { processedAt: new Date() } });
    expect(await log.claimNext(here.claimStatement(key, 10_000), '573001234567')).toEqual({ claimed: true, message: null });
  });
});
