import { messages, textOf, webhookPayload } from '../helpers/fake-graph';
import { waitFor, type Instance } from '../helpers/instances';
import { confirmationsOf, deliverTo, PHONE_NUMBER_ID, phones, sequenceOf, useTwoInstances, WhatsAppUser } from './cluster';

jest.setTimeout(120_000);

/** The bot turns an instance has run, from its own /metrics. */
async function turnsRun(instance: Instance): Promise<number> {
  const text = await (await fetch(`${instance.url}/metrics`)).text();
  return Number(/^pqr_bot_turns_total\{channel="whatsapp",outcome="ok"\} (\d+)/m.exec(text)?.[1] ?? 0);
}

describe('two instances on one PostgreSQL, every message delivered to both', () => {
  const cluster = useTwoInstances();

  it('files exactly one PQR per conversation, with unique gap-free CUNs and one confirmation each', async () => {
    const { db, graph, instances } = cluster;
    const users = phones(20).map((phone) => new WhatsAppUser(phone, { urls: () => instances.map((i) => i.url), graph, prisma: db.prisma }));
    const cuns = await Promise.all(users.map((user) => user.fileReclamo()));

    const pqrs = await db.prisma.pqr.findMany({ include: { identity: true } });
    expect(pqrs).toHaveLength(users.length);
    for (const [i, user] of users.entries()) {
      const own = pqrs.filter((p) => p.identity?.userId === user.phone);
      expect(own.map((p) => p.cun)).toEqual([cuns[i]]);
      expect(confirmationsOf(graph.sent(user.phone))).toEqual([cuns[i]]);
    }
    // One brand, one year: consecutives 1…20, none skipped, none repeated.
    expect(new Set(pqrs.map((p) => p.cun.slice(0, 7))).size).toBe(1);
    expect(pqrs.map((p) => sequenceOf(p.cun)).sort((a, b) => a - b)).toEqual(Array.from({ length: users.length }, (_, i) => i + 1));

    // Every message was recorded once, run once and finished cleanly, though both instances got it.
    const inbound = await db.prisma.inboundMessage.findMany({ where: { channel: 'whatsapp' } });
    expect(inbound).toHaveLength(users.length * 9);
    expect(inbound.filter((m) => m.processedAt === null || m.attempts !== 1 || m.lastError !== null)).toEqual([]);
    const perInstance = await Promise.all(instances.map(turnsRun));
    expect(perInstance.reduce((a, b) => a + b, 0)).toBe(inbound.length);
    // Both did part of the work: any instance takes any conversation.
    expect(perInstance.every((turns) => turns > 0)).toBe(true);
    expect(await db.prisma.lease.count({ where: { key: { startsWith: 'inbound:' } } })).toBe(0);
  });

  it("answers a burst of one user's messages in order, one at a time, though they land on both instances", async () => {
    const { db, graph, instances } = cluster;
    const script = ['hola', 'ayuda', 'menú', 'hola', 'cancelar', 'ayuda'];
    const urls = instances.map((i) => i.url);
    // The reference: the same messages, each sent only once the previous one was answered.
    const reference = new WhatsAppUser(phones(1, 100)[0], { urls: () => urls, graph, prisma: db.prisma });
    for (const text of script) await reference.say(messages.text(reference.phone, text));
    const expected = graph.sent(reference.phone).map(textOf);

    const burst = phones(10, 200);
    const sent = await Promise.all(
      burst.map(async (phone) => {
        const ids: string[] = [];
        for (const text of script) {
          const message = messages.text(phone, text);
          ids.push(String(message.id));
          expect(await deliverTo(urls, webhookPayload(PHONE_NUMBER_ID, { messages: [message] }))).toBeGreaterThan(0);
        }
        return ids;
      }),
    );
    const ids = sent.flat();
    await waitFor('the bursts to be processed', async () => ((await db.prisma.inboundMessage.count({ where: { externalId: { in: ids }, processedAt: { not: null } } })) === ids.length ? true : undefined));
    for (const phone of burst) expect(graph.sent(phone).map(textOf)).toEqual(expected);
    const metrics = await Promise.all(instances.map(async (i) => (await fetch(`${i.url}/metrics`)).text()));
    expect(metrics.join('\n')).not.toMatch(/^pqr_bot_state_conflicts_total\{/m);
  });
});
