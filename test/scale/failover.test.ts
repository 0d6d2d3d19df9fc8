import { runFailover, type FailoverResult, type FailoverRun } from '../bench/failover';
import { sequenceOf } from './cluster';

jest.setTimeout(180_000);

/**
 * Issue 14's goal, with the default lease and sweep: after `kill -9` of one of two instances, no
 * user waits more than 15 s for a reply, nothing is lost and nothing is sent twice.
 */
describe('kill -9 of one of two instances with the default lease (10 s) and sweep (2 s)', () => {
  let result: FailoverResult;
  let run: FailoverRun;

  beforeAll(async () => {
    result = await runFailover({
      users: 20,
      inspect: async (r) => {
        run = r;
        // Read here what the teardown drops.
        inbound = await r.db.prisma.inboundMessage.findMany({ where: { channel: 'whatsapp' }, orderBy: { id: 'asc' } });
        pqrs = await r.db.prisma.pqr.findMany({ include: { identity: true } });
        leases = await r.db.prisma.lease.count();
      },
    });
  });
  let inbound: { conversationKey: string; processedAt: Date | null; lastError: string | null; attempts: number }[] = [];
  let pqrs: { cun: string; identity: { userId: string } | null }[] = [];
  let leases = -1;

  it("picks up the killed instance's conversations within 15 s: every user gets every reply in time", () => {
    // The kill found turns of the victim in flight, and they ran again on the survivor.
    expect(result.unprocessedAtKill).toBeGreaterThan(0);
    expect(result.failover.count).toBeGreaterThan(0);
    expect(result.rerun).toBeGreaterThan(0);
    // They waited for the lease to expire (the survivor did not take them while the victim could still be alive)…
    expect(result.failover.max).toBeGreaterThan(2_000);
    // …and for no longer than 15 s, as did every other message of every user.
    expect(result.failover.max).toBeLessThanOrEqual(15_000);
    expect(result.maxWaitMs).toBeLessThanOrEqual(15_000);
    expect(result.baseline.count).toBeGreaterThan(0);
  });

  it('loses nothing and sends nothing twice: each message answered exactly once, as every other user was', () => {
    expect(result.turns).toBe(20 * 9);
    expect(inbound).toHaveLength(20 * 9);
    expect(inbound.filter((m) => m.processedAt === null || m.lastError !== null)).toEqual([]);
    expect(result.lost).toBe(0);
    expect(result.duplicated).toBe(0);
    // Every user's transcript, step by step, is the same journey (digits aside).
    const byStep = new Map<number, Set<string>>();
    for (const turn of run.turns) byStep.set(turn.step, (byStep.get(turn.step) ?? new Set()).add(JSON.stringify(turn.replies)));
    expect([...byStep.values()].map((variants) => variants.size)).toEqual(Array.from({ length: 9 }, () => 1));
    expect(leases).toBe(0);
  });

  it('completes every filing, one PQR per user with distinct, gap-free CUNs', () => {
    expect(run.cuns).toHaveLength(20);
    expect(new Set(run.cuns).size).toBe(20);
    expect(pqrs).toHaveLength(20);
    expect(pqrs.map((p) => sequenceOf(p.cun)).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const victimUsers = new Set(run.victimUsers);
    for (const pqr of pqrs) expect(run.cuns).toContain(pqr.cun);
    expect(pqrs.filter((p) => victimUsers.has(p.identity?.userId ?? ''))).toHaveLength(10);
  });
});
