import { FakeGraph, textOf } from '../helpers/fake-graph';
import { startTestApp, type RunningApp } from '../helpers/app';
import { FixedClock, verifyChain } from '../../src/pqr';
import { textsOf, whatsAppEnv, WhatsAppUser } from '../helpers/whatsapp-user';

const IDS = { accessToken: 'EAA-legal-token', appSecret: 'legal-app-secret-0123456789', phoneNumberId: '106540352243000' };
const BOOTSTRAP = 'legal-backoffice-bootstrap-token-0123';
const bogota = (local: string) => new Date(`${local}-05:00`);

/**
 * Issue 13 on WhatsApp, end to end: a reply to an answer with no delivery receipt yet is
 * notification by conduct (CPACA art. 72) and the recurso is accepted; a user who never writes
 * again is notified by an aviso on /avisos (CPACA art. 69) that names the case by its CUN only.
 */
describe('legal notification on WhatsApp: by conduct and by aviso', () => {
  let graph: FakeGraph;
  let running: RunningApp;
  let clock: FixedClock;

  const api = async (method: string, path: string, json?: unknown) => {
    const response = await fetch(`${running.url}/api/backoffice${path}`, {
      method,
      headers: { Authorization: `Bearer ${BOOTSTRAP}`, ...(json ? { 'Content-Type': 'application/json' } : {}) },
      body: json ? JSON.stringify(json) : undefined,
    });
    return { status: response.status, body: await response.json() };
  };

  /** A subscriber of Vozz files a reclamo in the chat and gets its CUN. */
  const fileReclamo = async (user: WhatsAppUser, description: string): Promise<string> => {
    let replies = await user.say(description);
    replies = await user.tap(replies, /^Acepto$/);
    replies = await user.tap(replies, /^Sí$/);
    replies = await user.tap(replies, /Vozz/);
    replies = await user.tap(replies, /^Sí$/);
    replies = await user.tap(replies, /^Es todo$/);
    replies = await user.tap(replies, /^(Sí, es reclamo|Reclamo)$/);
    replies = await user.tap(replies, /^En este chat$/);
    replies = await user.tap(replies, /^Sí, radicar$/);
    const cun = /\d{4}-\d{2}-\d{10}/.exec(textsOf(replies))?.[0];
    if (!cun) throw new Error(`no CUN in ${textsOf(replies)}`);
    return cun;
  };

  const events = async (cun: string) => (await api('GET', `/pqrs/${cun}/expediente`)).body.events as { action: string; after: string }[];

  beforeAll(async () => {
    graph = await FakeGraph.start(IDS.accessToken);
    clock = new FixedClock('2026-11-23T15:00:00Z');
    running = await startTestApp({ ...whatsAppEnv(graph, IDS), BACKOFFICE_TOKEN: BOOTSTRAP }, clock);
  });

  afterAll(async () => {
    await running?.close();
    await graph?.close();
  });

  it('notification by conduct: the answer is sent, the user disagrees at once with no receipt yet, the recurso is accepted and the expediente shows it', async () => {
    const user = new WhatsAppUser(running, graph, IDS, '573104440001', clock);
    const cun = await fileReclamo(user, 'me cobraron un paquete de datos que nunca pedí y me descontaron 20 mil pesos del saldo');
    clock.advance(30 * 60_000);
    expect((await api('POST', `/pqrs/${cun}/answer`, { text: 'No procede: el paquete se activó desde su línea.', outcome: 'desfavorable' })).status).toBe(200);
    await running.app.notify.outbox.runOnce();
    expect(graph.sent(user.waId).map(textOf).join('\n')).toContain('No procede: el paquete se activó desde su línea.');

    clock.advance(20_000);
    let replies = await user.say('no estoy de acuerdo con la respuesta');
    expect(textsOf(replies)).toContain('notificación por conducta concluyente');
    replies = await user.tap(replies, /^Con apelación$/);
    replies = await user.say('Yo nunca activé ese paquete');
    replies = await user.tap(replies, /^Es todo$/);
    replies = await user.tap(replies, /^Sí, presentar$/);
    expect(textsOf(replies)).toContain('reposición y en subsidio apelación');

    const pqr = await running.db.prisma.pqr.findUniqueOrThrow({ where: { cun } });
    expect(pqr.status).toBe('recurso_interpuesto');
    expect(pqr.notifiedAt).toEqual(bogota('2026-11-23T10:30:20'));
    // The receipt that arrives afterwards is stored, and the notification stays the one by conduct.
    const sent = await running.db.prisma.outbox.findUniqueOrThrow({ where: { idempotencyKey: `${cun}:respondida` } });
    await user.receipt(sent.externalId!, 'delivered');
    await running.app.notify.outbox.runOnce();

    const expediente = await events(cun);
    const actions = expediente.map((e) => e.action);
    expect(actions).toEqual(['radicada', 'respondida', 'notificada_por_conducta', 'recurso_interpuesto']);
    expect(JSON.parse(expediente[2].after).proof).toMatchObject({ by: 'conducta', channel: 'whatsapp', text: 'no estoy de acuerdo con la respuesta' });
    expect(verifyChain(await running.db.prisma.pqrEvent.findMany({ where: { pqr: { cun } }, orderBy: { seq: 'asc' } }))).toEqual({ ok: true });
  });

  it('notification by aviso: a user who never writes again gets an aviso on /avisos with the CUN and no personal data, and is notified at the end of the next business day after it comes down', async () => {
    clock.set('2026-11-23T16:00:00Z');
    const user = new WhatsAppUser(running, graph, IDS, '573104440002', clock);
    const description = 'me descontaron saldo por un servicio de mensajes que no activé';
    const cun = await fileReclamo(user, description);
    const answerText = 'Devolvemos el saldo descontado por el servicio de mensajes.';

    // The answer comes after the 24-hour window closed: the template goes, the answer waits for a message that never comes.
    clock.set(bogota('2026-11-25T10:00:00'));
    expect((await api('POST', `/pqrs/${cun}/answer`, { text: answerText, outcome: 'favorable' })).status).toBe(200);
    await running.app.notify.outbox.runOnce();
    expect(graph.sent(user.waId).at(-1)!.type).toBe('template');

    // 5 business days without proof end on Wed 2 Dec; the line has no e-mail, so the aviso goes on the web.
    clock.set(bogota('2026-12-02T23:00:00'));
    await running.app.notify.scheduler.tick();
    expect((await events(cun)).map((e) => e.action)).not.toContain('aviso_publicado');
    clock.set(bogota('2026-12-03T08:00:00'));
    await running.app.notify.scheduler.tick();
    expect((await events(cun)).map((e) => e.action)).toContain('aviso_publicado');

    const page = await fetch(`${running.url}/avisos`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('<html lang="es-CO">');
    expect(html).toContain(cun);
    expect(html).toContain(`La respuesta a la PQR con CUN ${cun}, del 25 de noviembre de 2026, está disponible.`);
    const owner = await running.db.prisma.pqr.findUniqueOrThrow({ where: { cun }, include: { subscriber: true } });
    for (const personal of [user.waId, owner.subscriber!.line, description, answerText]) expect(html).not.toContain(personal);
    const json = (await (await fetch(`${running.url}/avisos.json`)).json()) as { avisos: Record<string, unknown>[] };
    const listed = json.avisos.find((a) => a.cun === cun)!;
    expect(Object.keys(listed).sort()).toEqual(['act', 'actAt', 'cun', 'notifiesAt', 'postedAt', 'text', 'until']);
    expect(listed).toMatchObject({ act: 'respuesta', until: bogota('2026-12-11T23:59:59.999').toISOString(), notifiesAt: bogota('2026-12-14T23:59:59.999').toISOString() });

    // Down after Fri 11 Dec; the notification counts at the end of Mon 14 Dec, whenever the scheduler next runs.
    clock.set(bogota('2026-12-12T09:00:00'));
    expect(await (await fetch(`${running.url}/avisos`)).text()).not.toContain(cun);
    clock.set(bogota('2026-12-14T23:00:00'));
    await running.app.notify.scheduler.tick();
    expect((await running.db.prisma.pqr.findUniqueOrThrow({ where: { cun } })).notifiedAt).toBeNull();
    clock.set(bogota('2026-12-16T09:00:00'));
    await running.app.notify.scheduler.tick();
    const notified = await running.db.prisma.pqr.findUniqueOrThrow({ where: { cun } });
    expect(notified.notifiedAt).toEqual(bogota('2026-12-14T23:59:59.999'));
    // Notified before the due date (15 Dec): no silencio positivo.
    expect(notified.vencida).toBe(false);
    const expediente = await events(cun);
    expect(expediente.map((e) => e.action)).toEqual(['radicada', 'respondida', 'aviso_publicado', 'notificada_por_aviso']);

    // When the user comes back, the answer held behind the template reaches them in the chat.
    await user.say('hola');
    await running.app.notify.outbox.runOnce();
    expect(graph.sent(user.waId).map(textOf).join('\n')).toContain(answerText);
  });

  it('silencio positivo, one rule: an answer delivered before the end of the term whose receipt arrives after the scheduler\'s tick is notified on time, never vencida', async () => {
    clock.set('2026-11-23T17:00:00Z');
    const user = new WhatsAppUser(running, graph, IDS, '573104440003', clock);
    const cun = await fileReclamo(user, 'me cobraron dos veces la recarga de 10 mil pesos');
    clock.set(bogota('2026-12-15T23:55:00'));
    await user.say('hola');
    clock.set(bogota('2026-12-15T23:59:50'));
    expect((await api('POST', `/pqrs/${cun}/answer`, { text: 'Devolvemos la recarga cobrada dos veces.', outcome: 'favorable' })).status).toBe(200);
    await running.app.notify.outbox.runOnce();
    const sent = await running.db.prisma.outbox.findUniqueOrThrow({ where: { idempotencyKey: `${cun}:respondida` } });
    expect(sent.status).toBe('sent');

    clock.set(bogota('2026-12-16T00:00:10'));
    expect(await running.app.notify.scheduler.tick()).not.toContain(cun);
    clock.set(bogota('2026-12-16T00:00:20'));
    await user.receipt(sent.externalId!, 'delivered', bogota('2026-12-15T23:59:55'));
    await running.app.notify.outbox.runOnce();
    clock.set(bogota('2026-12-17T09:00:00'));
    expect(await running.app.notify.scheduler.tick()).not.toContain(cun);
    expect(await running.db.prisma.pqr.findUniqueOrThrow({ where: { cun } })).toMatchObject({ notifiedAt: bogota('2026-12-15T23:59:55'), vencida: false });
  });

  it('silencio positivo, one rule: an answer sent before the end of the term with no receipt by the end of the grace is vencida, the 72 hours from the end of the term', async () => {
    clock.set('2026-11-23T17:30:00Z');
    const user = new WhatsAppUser(running, graph, IDS, '573104440004', clock);
    const cun = await fileReclamo(user, 'me activaron un plan que no pedí y me cobraron');
    clock.set(bogota('2026-12-15T23:50:00'));
    await user.say('hola');
    clock.set(bogota('2026-12-15T23:58:00'));
    expect((await api('POST', `/pqrs/${cun}/answer`, { text: 'Cancelamos el plan.', outcome: 'favorable' })).status).toBe(200);
    await running.app.notify.outbox.runOnce();
    clock.set(bogota('2026-12-16T00:20:00'));
    expect(await running.app.notify.scheduler.tick()).toContain(cun);
    const pqr = await running.db.prisma.pqr.findUniqueOrThrow({ where: { cun } });
    expect(pqr).toMatchObject({ vencida: true, vencidaAt: bogota('2026-12-15T23:59:59.999'), notifiedAt: null });
  });
});

