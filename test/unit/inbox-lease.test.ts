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

describe.each([
  ['SQLite', () => createSqliteTestDb()],
  ['PostgreSQL', () => createPgTestDb('pqr_inbox_record')],
])('recording a message and seeing to its turn, on %s', (name, create) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await create();
  });
  afterAll(() => db.close());
  const fused = name === 'PostgreSQL';

  /** A processor whose turns note the payload they ran (and may wait for `gate`). */
  function processor(channel: string, owner: string, gate?: Promise<void>) {
    const log = new InboundLog(db.prisma, channel);
    const ran: string[] = [];
    const errors: unknown[] = [];
    const handle = async (turn: InboundTurn) => {
      await gate;
      ran.push(turn.payload);
    };
    const p = new InboundProcessor(log, handle, (error) => errors.push(error), { leases: new Leases(db.prisma, owner), leaseMs: 10_000 });
    // As a channel does: record, and enqueue what the record did not start.
    const receive = async (externalId: string, conversationKey: string, payload: string) => {
      const result = await p.record(externalId, conversationKey, payload);
      if (!result.duplicate && !result.scheduled) p.enqueue({ conversationKey });
      return result;
    };
    return { log, p, ran, errors, receive };
  }
  const stored = (channel: string) => db.prisma.inboundMessage.findMany({ where: { channel }, orderBy: { id: 'asc' }, select: { payload: true, attempts: true, processedAt: true } });

  it(`runs a message of an idle conversation once, ${fused ? 'started by its record (one statement)' : 'enqueued after its record'}, and lets the conversation go`, async () => {
    const { p, ran, errors, receive } = processor('rec1', 'here');
    const result = await receive('wamid.1', '573001110001', 'hola');
    expect(result).toMatchObject({ duplicate: false, scheduled: fused });
    await p.idle();
    expect(ran).toEqual(['hola']);
    expect(errors).toEqual([]);
    expect(await stored('rec1')).toEqual([{ payload: 'hola', attempts: 1, processedAt: expect.any(Date) }]);
    expect(await db.prisma.lease.count({ where: { key: { contains: '573001110001' } } })).toBe(0);
  });

  it('runs an older message left waiting (a crash) before the new one, each once', async () => {
    const { log, p, ran, errors, receive } = processor('rec2', 'here');
    await log.record('wamid.old', '573001110002', 'older');
    await receive('wamid.new', '573001110002', 'newer');
    await p.idle();
    expect(ran).toEqual(['older', 'newer']);
    expect(errors).toEqual([]);
    expect((await stored('rec2')).map((m) => m.attempts)).toEqual([1, 1]);
  });

  it('answers a retried message as a duplicate and runs it no second time', async () => {
    const { p, ran, receive } = processor('rec3', 'here');
    const first = await receive('wamid.3', '573001110003', 'hola');
    await p.idle();
    const again = await receive('wamid.3', '573001110003', 'hola');
    await p.idle();
    expect(again).toMatchObject({ id: first.id, duplicate: true });
    expect(ran).toEqual(['hola']);
    expect(await stored('rec3')).toHaveLength(1);
  });

  it('leaves a message to the instance holding its conversation, which runs it after its own, in order', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const there = processor('rec4', 'there', gate);
    const here = processor('rec4', 'here');
    await there.receive('wamid.a', '573001110004', 'first');
    // "there" is running the conversation (its turn waits at the gate); "here" records the next message.
    for (let i = 0; i < 50 && (await db.prisma.lease.count({ where: { key: { contains: '573001110004' } } })) === 0; i++) await sleep(10);
    const result = await here.receive('wamid.b', '573001110004', 'second');
    expect(result.duplicate).toBe(false);
    await here.p.idle();
    expect(here.ran).toEqual([]);
    expect((await stored('rec4'))[1]).toMatchObject({ payload: 'second', attempts: 0, processedAt: null });
    open();
    await there.p.idle();
    expect(there.ran).toEqual(['first', 'second']);
    expect(here.errors).toEqual([]);
    expect(there.errors).toEqual([]);
  });

  it('fails the record of a message the database refuses, unacknowledged, without starting a turn or reporting it twice', async () => {
    const { p, ran, errors } = processor('rec5', 'here');
    // Read as text: better-sqlite3's native addon is loaded once per jest worker, so its error may
    // come from another test file's realm, where `rejects.toThrow()` does not take it for an Error.
    const refused = await p.record('wamid.5', '573001110005', null as unknown as string).then(
      () => 'recorded',
      (error: unknown) => String((error as { message?: unknown })?.message ?? error),
    );
    expect(refused).toMatch(/null|NOT NULL|payload/i);
    await p.idle();
    expect(ran).toEqual([]);
    expect(errors).toEqual([]);
    expect(await stored('rec5')).toEqual([]);
    expect(await db.prisma.lease.count({ where: { key: { contains: '573001110005' } } })).toBe(0);
  });
});

describe.each([
  ['SQLite', () => createSqliteTestDb()],
  ['PostgreSQL', () => createPgTestDb('pqr_inbox_alternate')],
])('one user writing to two instances in turn, on %s', (_name, create) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await create();
  });
  afterAll(() => db.close());

  it('runs every message without a sweep: a message left to the other instance is never stranded when it lets the conversation go', async () => {
    const users = 40;
    const perUser = 8;
    const log = new InboundLog(db.prisma, 'alt');
    const ran = new Map<string, string[]>();
    const answered = new Map<string, () => void>();
    const handle = async (turn: InboundTurn) => {
      // The reply: the user's next message goes out as soon as it arrives, as in the bench.
      ran.set(turn.conversationKey, [...(ran.get(turn.conversationKey) ?? []), turn.payload]);
      answered.get(`${turn.conversationKey}:${turn.payload}`)?.();
    };
    const errors: unknown[] = [];
    const instances = ['a', 'b'].map((owner) => new InboundProcessor(log, handle, (error) => errors.push(error), { leases: new Leases(db.prisma, owner), leaseMs: 10_000 }));
    const stranded: string[] = [];
    await Promise.all(
      Array.from({ length: users }, async (_, u) => {
        const user = `57300${String(u).padStart(7, '0')}`;
        for (let n = 0; n < perUser; n++) {
          const processor = instances[(u + n) % 2];
          const reply = new Promise<boolean>((resolve) => {
            answered.set(`${user}:${n}`, () => resolve(true));
            setTimeout(() => resolve(false), 5_000).unref();
          });
          const result = await processor.record(`${user}-${n}`, user, String(n));
          if (!result.scheduled) processor.enqueue({ conversationKey: user });
          if (!(await reply)) {
            stranded.push(`${user}:${n}`);
            return;
          }
        }
      }),
    );
    await Promise.all(instances.map((p) => p.idle()));
    expect(stranded).toEqual([]);
    expect(errors).toEqual([]);
    for (let u = 0; u < users; u++) expect(ran.get(`57300${String(u).padStart(7, '0')}`)).toEqual(Array.from({ length: perUser }, (_, n) => String(n)));
  }, 60_000);
});

describe('letting a conversation go while another instance records a message for it, on PostgreSQL', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createPgTestDb('pqr_inbox_release');
  });
  afterAll(() => db.close());

  /**
   * Another instance records a message and tries to claim the conversation in one statement,
   * which locks the lease row (its claim finds it held) until it commits: held open here while
   * the holder lets go with `release`, which must wait for that record and see it.
   */
  async function recordDuringRelease(user: string, release: (log: InboundLog, key: string) => Promise<number[]>) {
    const { Client } = await import('pg');
    const log = new InboundLog(db.prisma, 'rel');
    const key = `inbound:rel:${user}`;
    expect(await new Leases(db.prisma, 'holder').claim(key, 60_000)).toBe(true);
    const other = new Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      const claim = new Leases(db.prisma, 'other').claimStatement(key, 10_000);
      let n = 0;
      expect((await other.query(claim.sql.replace(/\?/g, () => `$${++n}`), claim.args)).rowCount).toBe(0);
      await other.query(`INSERT INTO "InboundMessage" ("channel", "externalId", "conversationKey", "payload", "receivedAt", "attempts", "repliesSent") VALUES ('rel', $1, $2, '{}', now(), 0, 0)`, [`late-${user}`, user]);
      const released = release(log, key);
      await sleep(200);
      await other.query('COMMIT');
      const changes = await released;
      // The release changed nothing: the lease is kept, and the holder goes round again for the message.
      expect(changes[changes.length - 1]).toBe(0);
      expect((await db.prisma.lease.findUnique({ where: { key } }))?.owner).toBe('holder');
    } finally {
      await other.end();
    }
  }

  it('keeps the lease when a drain that found nothing lets go while a record commits', async () => {
    const user = '573009990001';
    await recordDuringRelease(user, (log, key) => db.sql.transaction(log.releaseWrites(key, 'holder', user)));
  });

  it("keeps the lease when a turn's last transaction lets go while a record commits", async () => {
    const user = '573009990002';
    const { id } = await new InboundLog(db.prisma, 'rel').record('first', user, '{}');
    await recordDuringRelease(user, (log, key) =>
      db.sql.transaction([log.processedWrite(id, 1, undefined, { key, owner: 'holder' }), log.releaseWrite(key, 'holder', user)]),
    );
    expect((await db.prisma.inboundMessage.findUniqueOrThrow({ where: { id } })).processedAt).not.toBeNull();
  });
});
