import { createPgTestDb, createSqliteTestDb, createTestDb, type TestDb } from '../helpers/db';
import { Leases, LeaseLostError } from '../../src/storage';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The same file runs on both databases (a SQLite file, then a fresh PostgreSQL database), whatever TEST_DATABASE says.
describe.each([
  ['SQLite', () => (process.env.TEST_DATABASE === 'postgresql' ? createSqliteTestDb() : createTestDb())],
  ['PostgreSQL', () => createPgTestDb('pqr_leases')],
])('leases on %s', (_name, create) => {
  let db: TestDb;
  const statements: string[] = [];
  beforeAll(async () => {
    db = await create();
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    await db.prisma.lease.deleteMany({});
    statements.length = 0;
  });

  const row = (key: string) => db.prisma.lease.findUnique({ where: { key } });

  it('claims a free lease in one statement, keeps it for its owner and refuses it to others until it expires', async () => {
    const a = new Leases(db.prisma, 'a');
    const b = new Leases(db.prisma, 'b');
    const before = Date.now();
    expect(await a.claim('conv:1', 1000)).toBe(true);
    const taken = await row('conv:1');
    expect(taken?.owner).toBe('a');
    // The expiry is about a second from now (the database's clock on PostgreSQL, this process's on SQLite: the same machine here).
    expect(taken!.until.getTime()).toBeGreaterThanOrEqual(before + 1000 - 50);
    expect(taken!.until.getTime()).toBeLessThanOrEqual(Date.now() + 1000 + 50);

    expect(await b.claim('conv:1', 1000)).toBe(false);
    expect((await row('conv:1'))?.owner).toBe('a');
    expect(await b.heldElsewhere(['conv:1', 'conv:2'])).toEqual(new Set(['conv:1']));
    expect(await a.heldElsewhere(['conv:1'])).toEqual(new Set());
    // Ours again: a second claim by the holder extends it.
    expect(await a.claim('conv:1', 5000)).toBe(true);
    expect((await row('conv:1'))!.until.getTime()).toBeGreaterThan(taken!.until.getTime() + 3000);

    expect(await b.claim('conv:2', 300)).toBe(true);
    await sleep(400);
    // Expired: nobody holds it, and the first claimer gets it.
    expect(await a.heldElsewhere(['conv:2'])).toEqual(new Set());
    expect(await a.claim('conv:2', 1000)).toBe(true);
    expect((await row('conv:2'))?.owner).toBe('a');
    // b's renewal finds it gone to a; a's release leaves b's leases alone.
    expect(await b.renew('conv:2', 1000)).toBe(false);
    await a.release('conv:1');
    expect(await row('conv:1')).toBeNull();
    await b.release('conv:2');
    expect((await row('conv:2'))?.owner).toBe('a');
  });

  it('gives a lease to exactly one of many racing claimers, free or expired, on separate connections', async () => {
    // Each racer is a client of its own (its own database connection), as separate instances are.
    const racers = await Promise.all(Array.from({ length: 8 }, async (_, i) => ({ name: `r${i}`, db: await openAgain(db) })));
    try {
      await Promise.all(racers.map((r) => r.db.prisma.$queryRawUnsafe('SELECT 1')));
      for (const round of [0, 1, 2, 3]) {
        const key = `race:${round}`;
        // Rounds 2 and 3: an expired lease of an instance that died is there already.
        if (round >= 2) await db.prisma.lease.create({ data: { key, owner: 'dead', until: new Date(Date.now() - 1000) } });
        const results = await Promise.all(racers.map((r) => new Leases(r.db.prisma, `${r.name}-${round}`).claim(key, 10_000)));
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = racers[results.indexOf(true)];
        expect((await row(key))?.owner).toBe(`${winner.name}-${round}`);
      }
    } finally {
      await Promise.all(racers.map((r) => r.db.close()));
    }
  });

  it('keeps a held lease renewed while the work runs, and releases it at the end', async () => {
    const a = new Leases(db.prisma, 'a');
    const b = new Leases(db.prisma, 'b');
    const hold = await a.hold('conv:3', 300, { renewEveryMs: 100 });
    expect(hold).not.toBeNull();
    expect(await b.hold('conv:3', 300)).toBeNull();
    await sleep(700); // more than twice the lease: the heartbeat kept it
    expect(await b.claim('conv:3', 300)).toBe(false);
    expect(await hold!.check()).toBe(true);
    await hold!.stop();
    expect(await row('conv:3')).toBeNull();
    expect(await b.claim('conv:3', 300)).toBe(true);
  });

  it('tells a holder whose heartbeat stalled past the lease that another instance took over', async () => {
    const a = new Leases(db.prisma, 'a');
    const b = new Leases(db.prisma, 'b');
    // A heartbeat that never beats in time: what a stalled event loop looks like to the lease.
    const hold = (await a.hold('conv:4', 300, { renewEveryMs: 60_000 }))!;
    expect(await hold.check()).toBe(true);
    await sleep(400);
    expect(await b.claim('conv:4', 10_000)).toBe(true);
    await expect(hold.assertHeld()).rejects.toBeInstanceOf(LeaseLostError);
    expect(hold.held).toBe(false);
    await hold.stop();
    expect((await row('conv:4'))?.owner).toBe('b');
  });

  it('lets a stalled holder go on when nobody took the lease meanwhile (renewing it on the way)', async () => {
    const a = new Leases(db.prisma, 'a');
    const hold = (await a.hold('conv:5', 300, { renewEveryMs: 60_000 }))!;
    await sleep(400);
    const expired = (await row('conv:5'))!.until.getTime();
    await hold.assertHeld();
    expect((await row('conv:5'))!.until.getTime()).toBeGreaterThan(expired);
    await hold.stop();
  });
});


/** Another client on the same database (its own connection or pool). */
async function openAgain(db: TestDb) {
  const { openDatabase } = await import('../../src/storage');
  return openDatabase(db.url);
}
