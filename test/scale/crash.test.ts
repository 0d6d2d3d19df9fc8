import { waitFor } from '../helpers/instances';
import { confirmationsOf, phones, sequenceOf, useTwoInstances, WhatsAppUser } from './cluster';

jest.setTimeout(120_000);

describe('kill -9 of one of two instances in the middle of 20 filings', () => {
  const cluster = useTwoInstances();

  it('finishes every conversation on the survivor: one PQR each, its confirmation, nothing lost', async () => {
    const { db, graph, instances } = cluster;
    const [victim, survivor] = instances;
    let live = [victim, survivor];
    let turns = 0;
    const users = phones(20).map((phone) => new WhatsAppUser(phone, { urls: () => live.map((i) => i.url), graph, prisma: db.prisma, onTurn: () => turns++ }));
    const journeys = Promise.all(users.map((user) => user.fileReclamo()));

    // Mid-run, with Graph slow to answer, so that turns are in flight on the victim when it dies.
    await waitFor('the filings to be under way', () => (turns >= 150 ? true : undefined), 60_000, 10);
    graph.failNext(60, { delayMs: 400, match: (r) => r.path.endsWith('/messages') });
    await new Promise((resolve) => setTimeout(resolve, 200));
    victim.signal('SIGKILL');
    live = [survivor];
    expect(await victim.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const inFlight = await db.prisma.inboundMessage.count({ where: { channel: 'whatsapp', processedAt: null } });

    const cuns = await journeys;

    const pqrs = await db.prisma.pqr.findMany({ include: { identity: true } });
    expect(pqrs).toHaveLength(users.length);
    expect(pqrs.map((p) => sequenceOf(p.cun)).sort((a, b) => a - b)).toEqual(Array.from({ length: users.length }, (_, i) => i + 1));
    const inbound = await db.prisma.inboundMessage.findMany({ where: { channel: 'whatsapp' } });
    expect(inbound).toHaveLength(users.length * 9);
    expect(inbound.filter((m) => m.processedAt === null || m.lastError !== null)).toEqual([]);
    // Turns cut short by the kill ran again on the survivor once their lease expired.
    const rerun = inbound.filter((m) => m.attempts > 1);
    expect(inFlight).toBeGreaterThan(0);
    expect(rerun.length).toBeGreaterThan(0);

    for (const [i, user] of users.entries()) {
      expect(pqrs.filter((p) => p.identity?.userId === user.phone).map((p) => p.cun)).toEqual([cuns[i]]);
      const confirmations = confirmationsOf(graph.sent(user.phone));
      // Exactly once, unless the kill fell between Graph taking the confirmation and the instance
      // storing that it did: then the re-run sends it again (at least once, never lost, same CUN).
      const confirmationRerun = rerun.some((m) => m.conversationKey === user.phone && m.id === Math.max(...inbound.filter((n) => n.conversationKey === user.phone).map((n) => n.id)));
      expect(confirmations.length === 1 || (confirmationRerun && confirmations.length === 2)).toBe(true);
      expect(new Set(confirmations)).toEqual(new Set([cuns[i]]));
    }
  });
});
