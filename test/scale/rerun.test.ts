import { buildApp, listen, type App } from '../../src/index';
import { loadConfig } from '../../src/config';
import { NLU_TEST_CACHE } from '../helpers/app';
import { FakeGraph, textOf } from '../helpers/fake-graph';
import { createPgDatabase, type PgDatabase } from '../helpers/instances';
import { ACCESS_TOKEN, confirmationsOf, instanceEnv, phones, sequenceOf, WhatsAppUser } from './cluster';

jest.setTimeout(60_000);

/**
 * What a crash leaves behind, recreated exactly: the turn's message back to unprocessed, and
 * (when the crash came before the state was saved) the conversation state as it was before.
 */
describe('re-running a turn a crash cut short (PostgreSQL)', () => {
  let db: PgDatabase;
  let graph: FakeGraph;
  let app: App;
  let user: WhatsAppUser;

  beforeAll(async () => {
    db = await createPgDatabase();
    graph = await FakeGraph.start(ACCESS_TOKEN);
    const config = loadConfig({ ...instanceEnv(db, graph), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    app = await buildApp(config, { nluCacheFile: NLU_TEST_CACHE });
    const url = await listen(app);
    user = new WhatsAppUser(phones(1)[0], { urls: () => [url], graph, prisma: db.prisma });
  });

  afterAll(async () => {
    await app?.close();
    await graph?.close();
    await db?.close();
  });

  const rerun = async () => {
    await app.resumePending();
    await app.whatsapp!.idle();
  };

  it('files nothing twice: a re-run of the filing turn finds its PQR and sends the same confirmation', async () => {
    const summary = await user.reachSummary();
    const stateBefore = await db.prisma.botState.findMany();
    const confirm = user.tap(summary, 'Sí, radicar');
    const [cun] = confirmationsOf(await user.say(confirm));
    expect(cun).toBeDefined();

    // Crash after the filing committed, before the confirmation went out and the state was saved.
    for (const row of stateBefore) await db.prisma.botState.update({ where: { key: row.key }, data: { eTag: row.eTag, data: row.data } });
    const where = { channel_externalId: { channel: 'whatsapp', externalId: String(confirm.id) } };
    await db.prisma.inboundMessage.update({ where, data: { processedAt: null, repliesSent: 0 } });
    const sentBefore = graph.sent(user.phone).length;
    await rerun();

    expect(confirmationsOf(graph.sent(user.phone).slice(sentBefore))).toEqual([cun]);
    expect(await db.prisma.pqr.count()).toBe(1);
    expect(await db.prisma.cunCounter.findMany({ select: { last: true } })).toEqual([{ last: 1 }]);
    expect(await db.prisma.inboundMessage.findUniqueOrThrow({ where })).toMatchObject({ attempts: 2, lastError: null });
  });

  it('skips a turn whose state was saved before the crash, sending nothing', async () => {
    const last = await db.prisma.inboundMessage.findFirstOrThrow({ where: { conversationKey: user.phone }, orderBy: { id: 'desc' } });
    await db.prisma.inboundMessage.update({ where: { id: last.id }, data: { processedAt: null, repliesSent: 0 } });
    const sentBefore = graph.sent(user.phone).length;
    await rerun();
    expect(graph.sent(user.phone).slice(sentBefore).map(textOf)).toEqual([]);
    expect(await db.prisma.pqr.count()).toBe(1);
    expect((await db.prisma.inboundMessage.findUniqueOrThrow({ where: { id: last.id } })).processedAt).not.toBeNull();
  });

  it('gives up a message whose turn never finished after five tries, instead of dying on it forever', async () => {
    const [from] = phones(1, 50);
    const poison = await db.prisma.inboundMessage.create({
      data: { channel: 'whatsapp', externalId: 'wamid.poison', conversationKey: from, payload: '{}', attempts: 5 },
    });
    await rerun();
    expect(await db.prisma.inboundMessage.findUniqueOrThrow({ where: { id: poison.id } })).toMatchObject({ attempts: 5, lastError: expect.stringMatching(/^AbandonedMessageError/) });
    expect(graph.sent(from)).toEqual([]);
  });

  it('keeps CUNs unique and gap-free when 30 filings race from a counter that does not exist yet', async () => {
    const filings = Array.from({ length: 30 }, (_, i) =>
      app.pqr.file({
        type: 'peticion',
        description: 'Solicito copia de mi contrato',
        user: { channel: 'webchat', userId: `racer-${i}` },
        customer: { kind: 'non_customer', fullName: 'Ana Pérez', documentType: 'CC', documentNumber: String(52_000_000 + i), email: `ana${i}@example.com` },
        notifyChannel: 'webchat',
        notifyAddress: `webchat:racer-${i}`,
      }),
    );
    // The same message asking twice at once (a turn and its re-run) files once.
    const twice = { type: 'queja' as const, description: 'Me cortaron el servicio', user: { channel: 'webchat', userId: 'twice' }, customer: { kind: 'non_customer' as const, fullName: 'Luis Gómez', documentType: 'CC', documentNumber: '79000001', email: 'luis@example.com' }, notifyChannel: 'webchat', notifyAddress: 'webchat:twice', filingKey: 'webchat:twice:1' };
    const [cuns, [first, second]] = await Promise.all([Promise.all(filings), Promise.all([app.pqr.file(twice), app.pqr.file(twice)])]);

    expect(second.cun).toBe(first.cun);
    const operator = [...cuns.map((s) => s.cun), first.cun];
    expect(new Set(operator).size).toBe(31);
    expect(operator.map(sequenceOf).sort((a, b) => a - b)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
  });
});
