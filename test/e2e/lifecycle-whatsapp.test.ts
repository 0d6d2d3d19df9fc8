import { FakeGraph, textOf } from '../helpers/fake-graph';
import { startTestApp, type RunningApp } from '../helpers/app';
import { FixedClock, verifyChain } from '../../src/pqr';
import { textsOf, whatsAppEnv, WhatsAppUser } from '../helpers/whatsapp-user';

const IDS = { accessToken: 'EAA-e2e-token', appSecret: 'e2e-app-secret-0123456789', phoneNumberId: '106540352242999' };
const BOOTSTRAP = 'e2e-backoffice-bootstrap-token-0123';

/**
 * The whole legal path on WhatsApp: a reclamo filed in the chat appears in the back-office queue;
 * the agent answers after the 24-hour window closed, so the template goes first and the answer
 * follows when the user writes; the user files reposición y en subsidio apelación in the chat;
 * the supervisor confirms and sends the case to the SIC; the expediente verifies.
 */
describe('PQR lifecycle end to end on WhatsApp and the back office', () => {
  let graph: FakeGraph;
  let running: RunningApp;
  let clock: FixedClock;
  let user: WhatsAppUser;

  const api = async (method: string, path: string, json?: unknown) => {
    const response = await fetch(`${running.url}/api/backoffice${path}`, {
      method,
      headers: { Authorization: `Bearer ${BOOTSTRAP}`, ...(json ? { 'Content-Type': 'application/json' } : {}) },
      body: json ? JSON.stringify(json) : undefined,
    });
    const type = response.headers.get('content-type') ?? '';
    return { status: response.status, body: type.includes('json') ? await response.json() : Buffer.from(await response.arrayBuffer()) };
  };

  beforeAll(async () => {
    graph = await FakeGraph.start(IDS.accessToken);
    clock = new FixedClock('2026-11-23T15:00:00Z');
    running = await startTestApp({ ...whatsAppEnv(graph, IDS), BACKOFFICE_TOKEN: BOOTSTRAP }, clock);
    user = new WhatsAppUser(running, graph, IDS, '573104445566', clock);
  });

  afterAll(async () => {
    await running?.close();
    await graph?.close();
  });

  it('files, answers (template first), takes the recurso, decides it and sends the expediente to the SIC', async () => {
    let replies = await user.say('me cobraron un paquete de datos que nunca pedí y me descontaron 20 mil pesos del saldo');
    replies = await user.tap(replies, /^Acepto$/);
    replies = await user.tap(replies, /^Sí$/);
    replies = await user.tap(replies, /Vozz/);
    replies = await user.tap(replies, /^Sí$/); // the line it writes from
    replies = await user.tap(replies, /^Es todo$/);
    replies = await user.tap(replies, /^(Sí, es reclamo|Reclamo)$/);
    replies = await user.tap(replies, /^En este chat$/);
    replies = await user.tap(replies, /^Sí, radicar$/);
    const cun = /\d{4}-\d{2}-\d{10}/.exec(textsOf(replies))?.[0];
    expect(cun).toBeDefined();

    const queue = await api('GET', '/pqrs?channel=whatsapp');
    expect(queue.status).toBe(200);
    expect(queue.body.items.map((i: { cun: string }) => i.cun)).toContain(cun);

    // Two days later the 24-hour window is closed: the answer waits behind the approved template.
    clock.set('2026-11-25T15:00:00Z');
    expect((await api('POST', `/pqrs/${cun!.replace(/-/g, '')}/answer`, { text: 'No procede: el paquete se activó desde su línea.', outcome: 'desfavorable' })).status).toBe(200);
    const sentBefore = graph.sent(user.waId).length;
    await running.app.notify.outbox.runOnce();
    const pushed = graph.sent(user.waId).slice(sentBefore);
    expect(pushed.map((m) => m.type)).toEqual(['template']);
    expect(JSON.stringify(pushed[0])).toContain(cun);

    clock.advance(5 * 60_000);
    replies = await user.say('hola, qué pasó con mi reclamo?');
    await running.app.notify.outbox.runOnce();
    const answer = graph.sent(user.waId).map(textOf).join('\n');
    expect(answer).toContain('No procede: el paquete se activó desde su línea.');
    // The delivered receipt of the answer is the proof of notification that starts the recurso term.
    const pqrId = (await running.db.prisma.pqr.findUniqueOrThrow({ where: { cun } })).id;
    const sent = await running.db.prisma.outbox.findFirstOrThrow({ where: { pqrId, idempotencyKey: `${cun}:respondida` } });
    expect(sent.status).toBe('sent');
    await user.receipt(sent.externalId!, 'delivered');
    await running.app.notify.outbox.runOnce();
    expect((await running.db.prisma.pqr.findUniqueOrThrow({ where: { cun } })).notifiedAt).not.toBeNull();

    replies = await user.say('no estoy de acuerdo con la respuesta');
    replies = await user.tap(replies, /^Con apelación$/);
    replies = await user.say('Yo nunca activé ese paquete, lo pueden ver en el registro de la línea');
    replies = await user.tap(replies, /^Es todo$/);
    replies = await user.tap(replies, /^Sí, presentar$/);
    expect(textsOf(replies)).toContain('reposición y en subsidio apelación');

    expect((await api('POST', `/pqrs/${cun}/recurso/decision`, { text: 'Confirmamos: el paquete se compró con su PIN.', outcome: 'confirma' })).status).toBe(200);
    expect((await api('POST', `/pqrs/${cun}/traslado`)).status).toBe(200);
    await running.app.notify.outbox.runOnce();
    expect(graph.sent(user.waId).map(textOf).join('\n')).toContain('Superintendencia de Industria y Comercio');

    const expediente = await api('GET', `/pqrs/${cun}/expediente`);
    expect(expediente.status).toBe(200);
    const actions = expediente.body.events.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['radicada', 'respondida', 'notificada', 'recurso_interpuesto', 'reposicion_decidida', 'trasladada_sic']));
    expect(verifyChain(await running.db.prisma.pqrEvent.findMany({ where: { pqr: { cun } }, orderBy: { seq: 'asc' } }))).toEqual({ ok: true });
    const pdf = await api('GET', `/pqrs/${cun}/expediente.pdf`);
    expect(pdf.status).toBe(200);
    expect((pdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
    expect((await running.db.prisma.pqr.findUniqueOrThrow({ where: { cun } })).status).toBe('trasladada_sic');
  });
});
