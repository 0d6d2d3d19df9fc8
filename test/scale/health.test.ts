import { FakeGraph, messages, textOf, webhookPayload } from '../helpers/fake-graph';
import { createPgDatabase, prepareWorkDir, startInstance, TcpProxy, waitFor, type Instance, type PgDatabase } from '../helpers/instances';
import { ACCESS_TOKEN, deliverTo, instanceEnv, PHONE_NUMBER_ID } from './cluster';

jest.setTimeout(60_000);

describe('PostgreSQL going away and coming back', () => {
  let db: PgDatabase;
  let graph: FakeGraph;
  let proxy: TcpProxy;
  let workDir: { dir: string; remove(): void };
  let instance: Instance | undefined;

  beforeAll(async () => {
    db = await createPgDatabase();
    graph = await FakeGraph.start(ACCESS_TOKEN);
    const direct = new URL(db.url);
    proxy = await TcpProxy.start({ host: direct.hostname, port: Number(direct.port || 5432) });
    const throughProxy = new URL(db.url);
    throughProxy.port = String(proxy.port);
    workDir = await prepareWorkDir();
    instance = await startInstance('health', workDir.dir, instanceEnv(db, graph, { DATABASE_URL: throughProxy.toString() }));
  });

  afterAll(async () => {
    await instance?.destroy();
    await proxy?.close();
    await graph?.close();
    await db?.close();
    workDir?.remove();
  });

  const health = async () => {
    const response = await fetch(`${instance!.url}/healthz`, { signal: AbortSignal.timeout(5000) });
    return { status: response.status, body: await response.json() };
  };

  it('answers 503 on /healthz while the database is unreachable and recovers by itself', async () => {
    expect(await health()).toEqual({ status: 200, body: { status: 'ok' } });

    await proxy.cut();
    expect(await waitFor('/healthz to report the outage', async () => ((await health()).status === 503 ? true : undefined), 10_000, 100)).toBe(true);
    expect((await health()).body).toEqual({ status: 'unavailable', reason: 'database' });
    // A message that cannot be recorded is not acknowledged, so WhatsApp delivers it again later.
    const from = '573007770001';
    const payload = webhookPayload(PHONE_NUMBER_ID, { messages: [messages.text(from, 'hola')] });
    expect(await deliverTo([instance!.url], payload)).toBe(0);

    await proxy.restore();
    expect(await waitFor('/healthz to recover', async () => ((await health()).status === 200 ? true : undefined), 15_000, 200)).toBe(true);
    // The redelivery goes through as if nothing had happened.
    expect(await deliverTo([instance!.url], payload)).toBe(1);
    const replies = await graph.waitForSent(from, (sent) => sent.length > 0);
    expect(replies.map(textOf)).toEqual([expect.stringMatching(/^¡Hola!/)]);
  });
});
