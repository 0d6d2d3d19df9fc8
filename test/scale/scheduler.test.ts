import pino from 'pino';
import { DeadlineScheduler } from '../../src/notify';
import { Leases } from '../../src/storage';
import { createPgDatabase, type PgDatabase } from '../helpers/instances';

describe('the deadline scheduler on several instances (PostgreSQL)', () => {
  let db: PgDatabase;

  beforeAll(async () => {
    db = await createPgDatabase();
  });

  afterAll(async () => {
    await db?.close();
  });

  it('ticks on one instance per interval, and on another once that one stops', async () => {
    const intervalMs = 300;
    const ticks: { instance: string; at: number }[] = [];
    const schedulers = ['a', 'b', 'c'].map((instance) => {
      const leases = new Leases(db.prisma, `instance-${instance}`);
      return new DeadlineScheduler({
        markOverdue: async () => (ticks.push({ instance, at: Date.now() }), []),
        followUp: async () => 0,
        kick: () => undefined,
        logger: pino({ level: 'silent' }),
        intervalMs,
        leader: () => leases.claim('scheduler:deadline', intervalMs * 1.5),
      });
    });
    for (const scheduler of schedulers) scheduler.start();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const leader = ticks[0].instance;
    await schedulers[['a', 'b', 'c'].indexOf(leader)].stop();
    const stoppedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await Promise.all(schedulers.map((s) => s.stop()));

    const before = ticks.filter((t) => t.at < stoppedAt);
    const after = ticks.filter((t) => t.at >= stoppedAt);
    // Three timers fire about 20 times in those 2 s; one tick runs per interval, all on the leader.
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(before.length).toBeLessThanOrEqual(8);
    expect(new Set(before.map((t) => t.instance))).toEqual(new Set([leader]));
    // Another instance takes over once the stopped leader's lease has run out.
    expect(after.length).toBeGreaterThanOrEqual(1);
    expect(after.every((t) => t.instance !== leader)).toBe(true);
  });
});
