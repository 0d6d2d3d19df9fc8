import { FakeGraph, messages, textOf, webhookPayload } from '../helpers/fake-graph';
import { createPgDatabase, prepareWorkDir, startInstance, type Instance, type PgDatabase } from '../helpers/instances';
import { ACCESS_TOKEN, deliverTo, instanceEnv, PHONE_NUMBER_ID, phones } from './cluster';

jest.setTimeout(60_000);

describe('SIGTERM', () => {
  let db: PgDatabase;
  let graph: FakeGraph;
  let workDir: { dir: string; remove(): void };
  let instance: Instance | undefined;

  beforeAll(async () => {
    db = await createPgDatabase();
    graph = await FakeGraph.start(ACCESS_TOKEN);
    workDir = await prepareWorkDir();
    instance = await startInstance('draining', workDir.dir, instanceEnv(db, graph));
  });

  afterAll(async () => {
    await instance?.destroy();
    await graph?.close();
    await db?.close();
    workDir?.remove();
  });

  it('stops taking requests, finishes the turns in flight and exits 0', async () => {
    const running = instance!;
    const users = phones(10);
    // Graph answers slowly, so every acknowledged message is still being answered at SIGTERM.
    graph.failNext(users.length, { delayMs: 700, match: (r) => r.path.endsWith('/messages') });
    const ids: string[] = [];
    for (const phone of users) {
      const message = messages.text(phone, 'hola');
      ids.push(String(message.id));
      expect(await deliverTo([running.url], webhookPayload(PHONE_NUMBER_ID, { messages: [message] }))).toBe(1);
    }
    const signalledAt = Date.now();
    running.signal('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 150));
    // The listener is closed at once: a load balancer sends the next request elsewhere.
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();

    expect(await running.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
    const rows = await db.prisma.inboundMessage.findMany({ where: { externalId: { in: ids } } });
    expect(rows.map((r) => [r.processedAt !== null, r.attempts, r.lastError])).toEqual(ids.map(() => [true, 1, null]));
    for (const phone of users) expect(graph.sent(phone).map(textOf)).toEqual([expect.stringMatching(/^¡Hola!/)]);
    expect(running.logs.map((line) => line.msg)).toContain('stopped');
  });
});
