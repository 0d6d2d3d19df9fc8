import { FakeGraph, textOf } from '../helpers/fake-graph';
import { startTestApp, type RunningApp } from '../helpers/app';
import { EventStream } from '../helpers/sse';
import { call, login } from '../backoffice/helpers';
import { FixedClock, verifyChain } from '../../src/pqr';
import { saveAgent } from '../../src/backoffice';
import { textsOf, whatsAppEnv, WhatsAppUser } from '../helpers/whatsapp-user';

const IDS = { accessToken: 'EAA-handoff-token', appSecret: 'handoff-app-secret-0123456789', phoneNumberId: '106540352242777' };
const BOOTSTRAP = 'handoff-backoffice-bootstrap-token-0123';
/** Monday 23 November 2026, 10:00 in Bogotá: agents' hours. */
const MONDAY_10AM = '2026-11-23T15:00:00Z';

describe('live handoff to an agent on WhatsApp', () => {
  let graph: FakeGraph;
  let running: RunningApp;
  let clock: FixedClock;
  let laura: string;
  let pedro: string;
  const streams: EventStream[] = [];

  const api = (token: string, method: string, path: string, json?: unknown) => call(running.url, method, path, { token, json });
  const openStream = async (token: string, path: string) => {
    const stream = await EventStream.open(`${running.url}/api/backoffice${path}`, token);
    streams.push(stream);
    return stream;
  };
  /** What the agent's replies and the bot's notices put in the chat, once the outbox ran. */
  const pushed = async (user: WhatsAppUser, since: number) => {
    await running.app.notify.outbox.runOnce();
    return graph.sent(user.waId).slice(since);
  };

  beforeAll(async () => {
    graph = await FakeGraph.start(IDS.accessToken);
    clock = new FixedClock(MONDAY_10AM);
    running = await startTestApp({ ...whatsAppEnv(graph, IDS), BACKOFFICE_TOKEN: BOOTSTRAP, OUTBOX_POLL_MS: '60000' }, clock);
    await saveAgent(running.db.prisma, { email: 'laura@operador.co', name: 'Laura Gómez', role: 'agent', password: 'laura-password-123' });
    await saveAgent(running.db.prisma, { email: 'pedro@operador.co', name: 'Pedro Ruiz', role: 'agent', password: 'pedro-password-123' });
  });

  /** Sessions last hours of the app's clock: sign in again after moving it. */
  beforeEach(async () => {
    clock.set(MONDAY_10AM);
    await signIn();
    // Laura's inbox is open: an agent is online.
    await api(laura, 'POST', '/inbox/heartbeat');
  });
  const signIn = async () => {
    laura = await login(running.url, 'laura@operador.co', 'laura-password-123');
    pedro = await login(running.url, 'pedro@operador.co', 'pedro-password-123');
  };

  afterAll(async () => {
    for (const stream of streams) await stream.close();
    await running?.close();
    await graph?.close();
  });

  it('queues the user, lets one agent talk with them live, file a PQR for them and close; the user gets the CUN and rates the agent', async () => {
    // Laura has the inbox open: she counts as online.
    const inbox = await openStream(laura, '/inbox/events');
    expect(inbox.status).toBe(200);
    expect(inbox.contentType).toContain('text/event-stream');

    const user = new WhatsAppUser(running, graph, IDS, '573104445566', clock);
    let replies = await user.say('hola');
    replies = await user.say('quiero hablar con un asesor');
    expect(textsOf(replies)).toContain('¿Autorizas el tratamiento de tus datos');
    replies = await user.tap(replies, /^Acepto$/);
    expect(textsOf(replies)).toMatch(/te paso con una persona de nuestro equipo\. Te escribirá aquí mismo \(espera estimada: unos \d+ minutos\)/);

    const waiting = await api(laura, 'GET', '/handoffs?state=waiting');
    expect(waiting.status).toBe(200);
    expect(waiting.body.items).toHaveLength(1);
    const item = waiting.body.items[0];
    expect(item).toMatchObject({ channel: 'whatsapp', state: 'waiting', cuns: [] });
    expect(new Date(item.waitingSince).toISOString()).toBe(MONDAY_10AM.replace('Z', '.000Z'));
    expect(item.summary).toContain('«hola» · «quiero hablar con un asesor»');
    await inbox.waitFor((e) => e.event === 'queue' && e.data.waiting === 1);

    const live = await openStream(laura, `/handoffs/${item.id}/events`);
    let sent = graph.sent(user.waId).length;
    expect((await api(laura, 'POST', `/handoffs/${item.id}/take`)).status).toBe(200);
    // Two agents never hold the same conversation.
    const second = await api(pedro, 'POST', `/handoffs/${item.id}/take`);
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('held_by_another');
    expect(textsOf(await pushed(user, sent))).toContain('Laura, de nuestro equipo de atención, tomó tu conversación');
    await live.waitFor((e) => e.event === 'state' && e.data.state === 'held' && e.data.heldBy.startsWith('agent:'));

    // Three messages each way, live: the bot stays silent while Laura holds the conversation.
    const exchange = [
      ['Hola, soy Laura. ¿Me confirmas la fecha de la recarga?', 'Fue el 20 de noviembre, por 20 mil'],
      ['Gracias. ¿Te descontaron el saldo completo?', 'Sí, me quedé sin saldo'],
      ['Entiendo. Voy a radicar un reclamo por ti.', 'Perfecto, gracias'],
    ];
    for (const [agentText, userText] of exchange) {
      sent = graph.sent(user.waId).length;
      expect((await api(laura, 'POST', `/handoffs/${item.id}/messages`, { text: agentText })).status).toBe(200);
      expect(textsOf(await pushed(user, sent))).toBe(`*Laura:* ${agentText}`);
      expect(await user.say(userText)).toEqual([]);
      await live.waitFor((e) => e.event === 'message' && e.data.from === 'user' && e.data.text === userText);
    }
    // Pedro cannot reply into Laura's conversation.
    expect((await api(pedro, 'POST', `/handoffs/${item.id}/messages`, { text: 'Hola' })).status).toBe(409);

    sent = graph.sent(user.waId).length;
    const filed = await api(laura, 'POST', `/handoffs/${item.id}/pqrs`, {
      type: 'reclamo',
      description: 'Recarga de 20 mil del 20 de noviembre descontada sin saldo disponible',
      customer: { kind: 'subscriber', brandId: 'vozz', line: '3104445566' },
    });
    expect(filed.status).toBe(201);
    const cun = filed.body.cun as string;
    expect(textsOf(await pushed(user, sent))).toContain(`Radicamos tu PQR con el CUN *${cun}*`);
    expect((await api(laura, 'GET', `/handoffs/${item.id}/pqrs`)).body.items.map((p: { cun: string }) => p.cun)).toEqual([cun]);

    sent = graph.sent(user.waId).length;
    expect((await api(laura, 'POST', `/handoffs/${item.id}/close`, { note: 'Reclamo radicado por cobro de recarga' })).status).toBe(200);
    const afterClose = await pushed(user, sent);
    expect(textsOf(afterClose)).toContain('La conversación con el asesor terminó. Sigo yo');
    const question = afterClose[afterClose.length - 1];
    expect(textOf(question)).toContain('¿Cómo calificas la atención?');
    expect(question.interactive?.type).toBe('list');
    await live.waitFor((e) => e.event === 'state' && e.data.state === 'closed');

    const transcript = await api(laura, 'GET', `/handoffs/${item.id}`);
    expect(transcript.body.state).toBe('closed');
    expect(transcript.body.cuns).toEqual([cun]);
    const lines = transcript.body.messages.map((m: { from: string; text: string }) => `${m.from}: ${m.text}`);
    expect(lines).toEqual(expect.arrayContaining([`agent: ${exchange[0][0]}`, `user: ${exchange[2][1]}`]));
    expect(transcript.body.messages.every((m: { at: string }) => !Number.isNaN(Date.parse(m.at)))).toBe(true);

    replies = await user.tap(afterClose, /^5 · Excelente$/);
    expect(textsOf(replies)).toContain('¡Gracias por calificarnos!');
    replies = await user.say('Laura fue muy amable y rápida');
    expect(textsOf(replies)).toContain('¡Gracias! Tu opinión nos ayuda a mejorar.');
    // The bot is back: the next message gets its normal answer.
    expect(textsOf(await user.say('menú'))).toContain('¿Qué quieres hacer?');

    const ratings = await api(laura, 'GET', '/ratings?from=2026-11-23&to=2026-11-23');
    expect(ratings.status).toBe(200);
    expect(ratings.body.items).toEqual([expect.objectContaining({ score: 5, comment: 'Laura fue muy amable y rápida', subject: 'handoff', cun: null, handoffId: item.id, channel: 'whatsapp' })]);
    expect(ratings.body.summary.bySubject).toEqual([{ key: 'handoff', count: 1, average: 5 }]);
    // The supervisors' dashboard shows the same verdict per week and per agent.
    const dashboard = await api(BOOTSTRAP, 'GET', '/reports/summary?from=2026-11-23&to=2026-11-23');
    expect(dashboard.status).toBe(200);
    expect(dashboard.body.csat).toEqual(expect.objectContaining({ available: true, byWeek: [{ weekStart: '2026-11-23', average: 5, count: 1 }], byAgent: [{ agent: 'Laura Gómez', average: 5, count: 1 }] }));

    // The conversation joined the expediente of the PQR filed in it.
    const expediente = await api(laura, 'GET', `/pqrs/${cun}/expediente`);
    const actions = expediente.body.events.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['radicada', 'radicada_por_asesor', 'conversacion_asesor']));
    expect(JSON.stringify(expediente.body.events)).toContain('Fue el 20 de noviembre, por 20 mil');
    expect(verifyChain(await running.db.prisma.pqrEvent.findMany({ where: { pqr: { cun } }, orderBy: { seq: 'asc' } }))).toEqual({ ok: true });
  });

  it('sends the approved template first when the 24-hour window closed while the agent was typing, and the reply once the user writes', async () => {
    const user = new WhatsAppUser(running, graph, IDS, '573104440001', clock);
    await user.tap(await user.say('necesito hablar con una persona'), /^Acepto$/);
    const [item] = (await api(laura, 'GET', '/handoffs?state=waiting')).body.items;
    expect((await api(laura, 'POST', `/handoffs/${item.id}/take`)).status).toBe(200);
    await pushed(user, 0);

    clock.advanceHours(25);
    await signIn();
    const sent = graph.sent(user.waId).length;
    expect((await api(laura, 'POST', `/handoffs/${item.id}/messages`, { text: 'Perdona la demora, ¿sigues ahí?' })).status).toBe(200);
    expect((await api(laura, 'POST', `/handoffs/${item.id}/messages`, { text: 'Ya tengo la información de tu caso.' })).status).toBe(200);
    // One template for both replies.
    const first = await pushed(user, sent);
    expect(first.map((m) => m.type)).toEqual(['template']);
    expect(JSON.stringify(first[0])).toContain('pqr_asesor');

    await user.say('sí, aquí estoy');
    const texts = textsOf(await pushed(user, sent));
    expect(texts).toContain('*Laura:* Perdona la demora, ¿sigues ahí?');
    expect(texts).toContain('*Laura:* Ya tengo la información de tu caso.');
    await api(laura, 'POST', `/handoffs/${item.id}/close`, {});
  });

  it('puts a conversation back in the queue when the agent closed the tab, and lets the user leave with "cancelar"', async () => {
    const user = new WhatsAppUser(running, graph, IDS, '573104440002', clock);
    await user.tap(await user.say('quiero hablar con un asesor'), /^Acepto$/);
    const [item] = (await api(pedro, 'GET', '/handoffs?state=waiting')).body.items;
    // Both click "Tomar" at the same moment: exactly one gets it.
    const takes = await Promise.all([api(pedro, 'POST', `/handoffs/${item.id}/take`), api(laura, 'POST', `/handoffs/${item.id}/take`)]);
    expect(takes.map((r) => r.status).sort()).toEqual([200, 409]);

    // Someone else's CUN mentioned in the chat: the transcript must not join that expediente.
    const stranger = await running.app.pqr.file({
      type: 'peticion',
      description: 'Petición de otra persona',
      user: { channel: 'whatsapp', userId: '573109990000' },
      customer: { kind: 'subscriber', brandId: 'vozz', line: '3109990000' },
      notifyChannel: 'whatsapp',
      notifyAddress: 'whatsapp:573109990000',
    });
    expect(await user.say(`mi CUN es ${stranger.cun}`)).toEqual([]);

    // The agent's tab is gone: nothing renews the hold.
    clock.advance(running.app.config.handoff.holdTimeoutMs + 1000);
    const sent = graph.sent(user.waId).length;
    expect((await running.app.handoffs.service.sweep()).requeued).toBeGreaterThanOrEqual(1);
    expect(textsOf(await pushed(user, sent))).toContain('Tu asesor se desconectó');
    expect((await api(laura, 'GET', '/handoffs?state=waiting')).body.items.map((i: { id: number }) => i.id)).toContain(item.id);
    expect((await api(laura, 'POST', `/handoffs/${item.id}/take`)).status).toBe(200);

    const replies = await user.say('cancelar');
    expect(textsOf(replies)).toContain('saliste de la conversación con el asesor');
    expect(textsOf(replies)).toContain('¿Qué quieres hacer?');
    const reply = await api(laura, 'POST', `/handoffs/${item.id}/messages`, { text: '¿Hola?' });
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe('closed');
    const events = await running.db.prisma.pqrEvent.findMany({ where: { pqr: { cun: stranger.cun } } });
    expect(events.map((e) => e.action)).toEqual(['radicada']);
  });

  it('outside business hours offers filing now or a callback, and the callback waits in the queue', async () => {
    clock.set('2026-11-28T20:00:00Z'); // Saturday 15:00 in Bogotá
    await signIn();
    const user = new WhatsAppUser(running, graph, IDS, '573104440003', clock);
    const replies = await user.tap(await user.say('quiero hablar con un asesor'), /^Acepto$/);
    expect(textsOf(replies)).toContain('Ahora no hay asesores atendiendo por chat: volvemos a atender el 30 de noviembre de 2026, 8:00');
    const called = await user.tap(replies, /^Que me contacten$/);
    expect(textsOf(called)).toContain('un asesor te escribirá por este chat apenas pueda');
    const items = (await api(laura, 'GET', '/handoffs?state=waiting')).body.items;
    expect(items.find((i: { kind: string }) => i.kind === 'callback')).toMatchObject({ channel: 'whatsapp', state: 'waiting' });
    // Operations see the queue in /metrics.
    expect(await (await fetch(`${running.url}/metrics`)).text()).toMatch(/^pqr_bot_handoffs_open\{state="waiting",kind="callback"\} [1-9]/m);
    // Meanwhile the bot keeps serving the user.
    expect(textsOf(await user.say('menú'))).toContain('¿Qué quieres hacer?');
  });

  it('tells a user who waited too long and offers filing or a callback; as a callback the bot serves them meanwhile', async () => {
    const user = new WhatsAppUser(running, graph, IDS, '573104440004', clock);
    expect(textsOf(await user.tap(await user.say('quiero hablar con un asesor'), /^Acepto$/))).toContain('te paso con una persona');
    const items = (await api(laura, 'GET', '/handoffs?state=waiting')).body.items as { id: number; kind: string }[];
    const mine = items.reduce((a, b) => (b.id > a.id ? b : a));
    expect(mine.kind).toBe('live');

    clock.advance(running.app.config.handoff.maxWaitMs + 60_000);
    await signIn();
    const sent = graph.sent(user.waId).length;
    expect((await running.app.handoffs.service.sweep()).told).toBeGreaterThanOrEqual(1);
    const told = await pushed(user, sent);
    expect(textsOf(told)).toContain('Llevas más de 15 minutos esperando');
    // Told once, however often the sweep runs.
    await running.app.handoffs.service.sweep();
    expect(await pushed(user, sent)).toHaveLength(told.length);

    expect(textsOf(await user.tap(told, /^Que me contacten$/))).toContain('un asesor te escribirá por este chat apenas pueda');
    const after = (await api(laura, 'GET', `/handoffs/${mine.id}`)).body;
    expect(after).toMatchObject({ state: 'waiting', kind: 'callback' });
    expect(textsOf(await user.say('menú'))).toContain('¿Qué quieres hacer?');
  });

  it('refuses bad inbox requests with a reason', async () => {
    expect((await call(running.url, 'GET', '/handoffs')).status).toBe(401);
    expect((await api(laura, 'GET', '/handoffs?state=lost')).status).toBe(400);
    expect((await api(laura, 'POST', '/handoffs/999999/take')).status).toBe(404);
    expect((await api(laura, 'POST', '/handoffs/abc/take')).status).toBe(404);
    expect((await api(laura, 'GET', '/ratings?from=2026-13-01')).status).toBe(400);
    expect((await api(laura, 'GET', '/ratings?from=2026-11-30&to=2026-11-01')).status).toBe(400);
    expect((await EventStream.open(`${running.url}/api/backoffice/handoffs/1/events`, 'nope')).status).toBe(401);
    expect((await api(laura, 'GET', '/ratings?from=2024-01-01&to=2026-01-01')).status).toBe(400);

    const user = new WhatsAppUser(running, graph, IDS, '573104440005', clock);
    await user.tap(await user.say('quiero hablar con un asesor'), /^Acepto$/);
    const items = (await api(laura, 'GET', '/handoffs?state=waiting')).body.items as { id: number }[];
    const id = items.reduce((a, b) => (b.id > a.id ? b : a)).id;
    // Acting on a conversation nobody took.
    expect((await api(laura, 'POST', `/handoffs/${id}/messages`, { text: 'hola' })).body.error.code).toBe('not_holding');
    expect((await api(laura, 'POST', `/handoffs/${id}/pqrs`, { type: 'queja', description: 'x' })).status).toBe(409);
    expect((await api(laura, 'POST', `/handoffs/${id}/take`)).status).toBe(200);
    for (const body of [{}, { text: '' }, { text: 42 }, { text: 'x'.repeat(4001) }]) {
      expect((await api(laura, 'POST', `/handoffs/${id}/messages`, body)).status).toBe(400);
    }
    expect((await call(running.url, 'POST', `/handoffs/${id}/messages`, { token: laura, raw: '{"text": "sin cerrar' })).status).toBe(400);
    expect((await api(laura, 'POST', `/handoffs/${id}/pqrs`, { type: 'denuncia', description: 'algo' })).status).toBe(400);
    expect((await api(laura, 'POST', `/handoffs/${id}/pqrs`, { type: 'queja', description: 'algo', customer: { kind: 'subscriber', brandId: 'nadie', line: '3104440005' } })).body.error.code).toBe('unknown_brand');
    expect((await api(laura, 'POST', `/handoffs/${id}/close`, { note: 'n'.repeat(2001) })).status).toBe(400);
    expect((await api(laura, 'POST', `/handoffs/${id}/close`, { note: 'ok' })).status).toBe(200);
    expect((await api(laura, 'POST', `/handoffs/${id}/close`, { note: 'otra vez' })).body.error.code).toBe('closed');
    expect((await api(pedro, 'POST', `/handoffs/${id}/take`)).body.error.code).toBe('closed');
    // Nothing of the refused requests reached the user or the transcript.
    const transcript = (await api(laura, 'GET', `/handoffs/${id}`)).body.messages.map((m: { from: string }) => m.from);
    expect(transcript.filter((from: string) => from === 'agent')).toEqual([]);
  });
});
