import { saveAgent } from '../../src/backoffice';
import { BusinessCalendar, FixedClock } from '../../src/pqr';
import { startTestApp, type RunningApp } from '../helpers/app';
import { BOOTSTRAP_TOKEN, call, fileCase, login } from './helpers';

const HEADER = 'type,brand,channel,filed,answered_in_term,answered_late,silencio_positivo,recursos,apelaciones_sic,avg_business_days_to_answer';

/** Business days from the first day of the term up to the answer's day (Bogotá), counted one by one. */
function termDayOfAnswer(countedFrom: Date, answeredAt: Date): number {
  const calendar = new BusinessCalendar();
  const key = (d: Date) => new Date(d.getTime() - 5 * 3_600_000).toISOString().slice(0, 10);
  let days = 0;
  for (let t = countedFrom.getTime(); key(new Date(t)) <= key(answeredAt); t += 86_400_000) if (calendar.isBusinessDay(key(new Date(t)))) days++;
  return days;
}

describe('back office reports: dashboard summary and regulatory CSV', () => {
  let running: RunningApp;
  let clock: FixedClock;
  let url: string;
  let agentToken: string;
  let supervisorToken: string;
  const cuns = { inTerm: '', late: '', unanswered: '' };

  beforeAll(async () => {
    // Three PQRs filed on Tuesday 6 October 2026, taken through the lifecycle as agents and users would.
    clock = new FixedClock('2026-10-06T15:00:00Z');
    running = await startTestApp({ BACKOFFICE_TOKEN: BOOTSTRAP_TOKEN }, clock);
    url = running.url;
    const { app } = running;
    const owner = { channel: 'whatsapp', userId: 'user-in-term' };
    cuns.inTerm = (await fileCase(app, { type: 'reclamo', brandId: 'vozz', channel: owner.channel, userId: owner.userId })).cun;
    cuns.late = (await fileCase(app, { type: 'queja', brandId: 'andes', channel: 'telegram', line: '3109876543' })).cun;
    cuns.unanswered = (await fileCase(app, { type: 'queja', brandId: 'andes', channel: 'telegram', line: '3109876544' })).cun;

    clock.set('2026-10-09T16:00:00Z');
    const answered = await app.lifecycle.answer(cuns.inTerm, { text: 'Te devolvimos el saldo.', outcome: 'desfavorable' }, 'agent:test');
    await app.lifecycle.markNotified(answered.id, clock.now(), { channel: 'whatsapp' });
    clock.set('2026-10-13T16:00:00Z');
    await app.lifecycle.fileRecurso(cuns.inTerm, await app.identities.requester(owner), { kind: 'reposicion_apelacion', text: 'No estoy de acuerdo' });
    clock.set('2026-10-20T16:00:00Z');
    await app.lifecycle.decideRecurso(cuns.inTerm, { text: 'Se confirma.', outcome: 'confirma' }, 'agent:test');
    await app.lifecycle.transferToSic(cuns.inTerm, 'agent:test');

    clock.set('2026-11-10T16:00:00Z');
    await app.lifecycle.markOverdue();
    await app.lifecycle.answer(cuns.late, { text: 'Revisamos la antena.', outcome: 'favorable' }, 'agent:test');

    clock.set('2026-11-23T15:00:00Z');
    await saveAgent(app.db.prisma, { email: 'ana@operador.co', name: 'Ana Agente', role: 'agent', password: 'clave-de-ana-123' });
    await saveAgent(app.db.prisma, { email: 'sofia@operador.co', name: 'Sofía Supervisora', role: 'supervisor', password: 'clave-de-sofia-123' });
    agentToken = await login(url, 'ana@operador.co', 'clave-de-ana-123');
    supervisorToken = await login(url, 'sofia@operador.co', 'clave-de-sofia-123');
  });
  afterAll(() => running?.close());

  const OCTOBER = '?from=2026-10-01&to=2026-10-31';

  it('counts filed, answered in term and late, silencio positivo, recursos and traslados of the period', async () => {
    const { status, body } = await call(url, 'GET', `/reports/summary${OCTOBER}`, { token: supervisorToken });
    expect(status).toBe(200);
    expect(body.totals).toMatchObject({ filed: 3, answeredInTerm: 1, answeredLate: 1, silencioPositivo: 2, recursos: 1, trasladosSic: 1 });
    expect(body.recursos).toEqual({ byWeek: body.weeks.map((w: string) => (w === '2026-10-05' ? 1 : 0)), outcomes: { repone: 0, confirma: 1, pendiente: 0 }, conApelacion: 1 });
    expect(body.weeks).toEqual(['2026-09-28', '2026-10-05', '2026-10-12', '2026-10-19', '2026-10-26']);
    const week = body.weeks.indexOf('2026-10-05');
    expect(body.filed.byType).toEqual([
      { key: 'queja', label: 'Queja', values: body.weeks.map((_: string, i: number) => (i === week ? 2 : 0)) },
      { key: 'reclamo', label: 'Reclamo', values: body.weeks.map((_: string, i: number) => (i === week ? 1 : 0)) },
    ]);
    expect(body.filed.byBrand.map((s: { label: string }) => s.label)).toEqual(['Andes Cel', 'Vozz Móvil']);
    expect(body.csat).toEqual({ available: false, byWeek: [], byAgent: [] });
  });

  it('averages the business day of the term each answer came on', async () => {
    const rows = await running.app.db.prisma.pqr.findMany({ where: { answeredAt: { not: null } } });
    const days = rows.map((r) => termDayOfAnswer(r.countedFrom, r.answeredAt!));
    const { body } = await call(url, 'GET', `/reports/summary${OCTOBER}`, { token: supervisorToken });
    expect(body.totals.avgBusinessDaysToAnswer).toBe(Math.round((10 * (days[0] + days[1])) / 2) / 10);
  });

  it('shows open cases by days left and the oldest open ones, with the queue\'s traffic light', async () => {
    const { body } = await call(url, 'GET', `/reports/summary${OCTOBER}`, { token: supervisorToken });
    // The traslado owes nothing more; the late answer awaits notification (overdue); the unanswered one is overdue.
    expect(body.open).toMatchObject({ total: 3, noDeadline: 1, byLight: { overdue: 2, due_soon: 0, on_time: 0 } });
    expect(body.open.byDaysLeft[0]).toEqual({ bucket: 'vencidos', label: 'Vencidos', light: 'overdue', count: 2 });
    expect(body.open.oldest.map((c: { cun: string }) => c.cun).sort()).toEqual(Object.values(cuns).sort());
    const queue = await call(url, 'GET', `/pqrs?status=respondida,radicada,trasladada_sic`, { token: supervisorToken });
    const lights = Object.fromEntries(queue.body.items.map((i: { cun: string; light: string }) => [i.cun, i.light]));
    for (const c of body.open.oldest) expect(c.light).toBe(lights[c.cun]);
  });

  it('filters by type, brand and channel, and says plainly when nothing matches', async () => {
    const quejas = await call(url, 'GET', `/reports/summary${OCTOBER}&type=queja&brand=andes&channel=telegram`, { token: supervisorToken });
    expect(quejas.body.totals).toMatchObject({ filed: 2, answeredLate: 1, answeredInTerm: 0 });
    const teams = await call(url, 'GET', `/reports/summary${OCTOBER}&channel=botframework:msteams`, { token: supervisorToken });
    expect(teams.status).toBe(200);
    expect(teams.body.totals.filed).toBe(0);
    const none = await call(url, 'GET', `/reports/summary${OCTOBER}&brand=marca-que-no-existe`, { token: supervisorToken });
    expect(none.status).toBe(200);
    expect(none.body.totals.filed).toBe(0);
    expect(none.body.filed.byType).toEqual([]);
    expect(none.body.open.total).toBe(0);
  });

  it('exports one CSV row per type, brand and channel with the documented columns', async () => {
    const response = await call(url, 'GET', `/reports/regulatory.csv${OCTOBER}`, { token: supervisorToken });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="pqr-regulatorio-2026-10-01-2026-10-31.csv"');
    const lines = response.body.toString('utf8').trim().split('\r\n');
    expect(lines[0]).toBe(HEADER);
    const rows = lines.slice(1).map((line: string) => Object.fromEntries(line.split(',').map((v, i) => [HEADER.split(',')[i], v])));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ type: 'queja', brand: 'andes', channel: 'telegram', filed: '2', answered_in_term: '0', answered_late: '1', silencio_positivo: '2', recursos: '0', apelaciones_sic: '0' });
    expect(rows[1]).toMatchObject({ type: 'reclamo', brand: 'vozz', channel: 'whatsapp', filed: '1', answered_in_term: '1', answered_late: '0', silencio_positivo: '0', recursos: '1', apelaciones_sic: '1' });
    expect(Number(rows[1].avg_business_days_to_answer)).toBeGreaterThan(0);
  });

  it('exports the last complete quarter when no period is given, and only the header when it is empty', async () => {
    const response = await call(url, 'GET', '/reports/regulatory.csv', { token: supervisorToken });
    expect(response.headers.get('content-disposition')).toContain('pqr-regulatorio-2026-07-01-2026-09-30.csv');
    expect(response.body.toString('utf8')).toBe(`${HEADER}\r\n`);
  });

  it('answers 401 without a session and 403 to an agent without the supervisor role', async () => {
    for (const path of ['/reports/summary', '/reports/regulatory.csv']) {
      expect((await call(url, 'GET', path)).status).toBe(401);
      const agent = await call(url, 'GET', path, { token: agentToken });
      expect(agent.status).toBe(403);
      expect(agent.body.error.code).toBe('forbidden');
      expect((await call(url, 'GET', path, { token: BOOTSTRAP_TOKEN })).status).toBe(200);
    }
  });

  it.each([
    ['?from=2026-10-31&to=2026-10-01', /empty/],
    ['?from=2016-01-01&to=2025-12-31', /at most 366/],
    ['?from=2026-02-30&to=2026-03-31', /real date/],
    ['?from=2026-1-5', /real date/],
    ['?to=31/10/2026', /real date/],
    ['?from=2026-10-01&from=2026-10-02', /once/],
    ['?type=sugerencia', /type/],
    ['?brand=%27%20OR%201%3D1', /brand/],
    ['?channel=' + 'x'.repeat(41), /channel/],
  ])('refuses %s with 400 and the reason', async (query, reason) => {
    for (const path of ['/reports/summary', '/reports/regulatory.csv']) {
      const response = await call(url, 'GET', `${path}${query}`, { token: supervisorToken });
      expect(response.status).toBe(400);
      expect(response.body.error.message).toMatch(reason);
    }
  });
});
