import { saveAgent } from '../../src/backoffice';
import { loadConfig } from '../../src/config';
import { buildApp, type App } from '../../src/index';
import { FixedClock } from '../../src/pqr';
import { NLU_TEST_CACHE, startTestApp, type RunningApp } from '../helpers/app';
import { waitFor } from '../helpers/instances';
import { BOOTSTRAP_TOKEN, call, fileCase, login } from './helpers';

const bogota = (local: string) => new Date(`${local}-05:00`);

/**
 * Holiday overrides from the back office: a supervisor adds or removes a holiday; the change is
 * logged, every instance on the database picks it up without a restart, and due dates already
 * computed stay as they were (the API says so). Runs on SQLite, and on PostgreSQL with
 * TEST_DATABASE=postgresql.
 */
describe('holiday overrides from the back office', () => {
  let running: RunningApp;
  let second: App;
  let clock: FixedClock;
  let agentToken: string;

  beforeAll(async () => {
    clock = new FixedClock('2026-11-23T15:00:00Z');
    running = await startTestApp({ BACKOFFICE_TOKEN: BOOTSTRAP_TOKEN, HOLIDAY_REFRESH_SECONDS: '1' }, clock);
    // A second instance on the same database, as a load balancer would have next to the first.
    second = await buildApp(loadConfig({ DATABASE_URL: running.db.url, LOG_LEVEL: 'silent', HOLIDAY_REFRESH_SECONDS: '1' }), { clock, nluCacheFile: NLU_TEST_CACHE });
    await saveAgent(running.db.prisma, { email: 'ana@operador.co', name: 'Ana Agente', role: 'agent', password: 'clave-de-ana-123' });
    agentToken = await login(running.url, 'ana@operador.co', 'clave-de-ana-123');
  });

  afterAll(async () => {
    await second?.close();
    await running?.close();
  });

  it('a supervisor adds a decreed holiday: logged, terms already computed keep their due date and the API says so, new terms count it', async () => {
    const before = await fileCase(running.app);
    expect(before.dueDate).toEqual(bogota('2026-12-15T23:59:59.999'));

    const added = await call(running.url, 'POST', '/holidays', { token: BOOTSTRAP_TOKEN, json: { date: '2026-12-01', isHoliday: true, reason: 'Decreto 0999 de 2026: día cívico' } });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ override: { date: '2026-12-01', isHoliday: true }, recomputed: false, termsUnchanged: 1 });
    expect(added.body.note).toContain('Los términos ya calculados no cambian');

    expect((await running.db.prisma.pqr.findUniqueOrThrow({ where: { cun: before.cun } })).dueDate).toEqual(bogota('2026-12-15T23:59:59.999'));
    const after = await fileCase(running.app);
    expect(after.dueDate).toEqual(bogota('2026-12-16T23:59:59.999'));

    const listing = await call(running.url, 'GET', '/holidays?year=2026', { token: agentToken });
    expect(listing.status).toBe(200);
    expect(listing.body.holidays).toContainEqual({ date: '2026-12-01', name: 'Decreto 0999 de 2026: día cívico', source: 'override' });
    expect(listing.body.holidays).toContainEqual({ date: '2026-12-08', name: expect.any(String), source: 'library' });
    expect(listing.body.changes[0]).toMatchObject({ actor: 'agent:bootstrap', action: 'festivo_agregado', date: '2026-12-01', isHoliday: true });
  });

  it('every instance picks the change up without a restart: the second instance sees the first one\'s holiday, and its removal', async () => {
    await waitFor('the second instance to see 1 Dec as a holiday', () => second.calendar.isHoliday('2026-12-01') || undefined, 5000);
    const removed = await call(running.url, 'DELETE', '/holidays/2026-12-01', { token: BOOTSTRAP_TOKEN });
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ override: null, recomputed: false });
    await waitFor('the second instance to see 1 Dec as a working day again', () => second.calendar.isBusinessDay('2026-12-01') || undefined, 5000);
    expect((await call(running.url, 'GET', '/holidays?year=2026', { token: agentToken })).body.changes.map((c: { action: string }) => c.action).slice(0, 2)).toEqual(['ajuste_eliminado', 'festivo_agregado']);
  });

  it('a supervisor removes a holiday of the library (a day that is no longer one) and can restore it', async () => {
    const working = await call(running.url, 'POST', '/holidays', { token: BOOTSTRAP_TOKEN, json: { date: '2026-12-08', isHoliday: false, reason: 'Ley 9999 de 2026 traslada la fiesta' } });
    expect(working.status).toBe(200);
    expect(running.app.calendar.isBusinessDay('2026-12-08')).toBe(true);
    expect((await call(running.url, 'GET', '/holidays?year=2026', { token: agentToken })).body.holidays.map((h: { date: string }) => h.date)).not.toContain('2026-12-08');
    expect((await call(running.url, 'DELETE', '/holidays/2026-12-08', { token: BOOTSTRAP_TOKEN })).status).toBe(200);
    expect(running.app.calendar.isHoliday('2026-12-08')).toBe(true);
  });

  it('refuses an agent, a missing token, a day that does not exist, a missing reason, a non-boolean flag and an unknown override, changing nothing', async () => {
    const changes = await running.db.prisma.holidayChange.count();
    const valid = { date: '2026-12-02', isHoliday: true, reason: 'Decreto' };
    expect((await call(running.url, 'POST', '/holidays', { token: agentToken, json: valid })).status).toBe(403);
    expect((await call(running.url, 'DELETE', '/holidays/2026-12-08', { token: agentToken })).status).toBe(403);
    expect((await call(running.url, 'POST', '/holidays', { json: valid })).status).toBe(401);
    for (const json of [
      { ...valid, date: '2026-02-30' },
      { ...valid, date: '02/12/2026' },
      { ...valid, reason: '  ' },
      { ...valid, reason: 'x'.repeat(201) },
      { ...valid, isHoliday: 'true' },
      { date: '2026-12-02' },
    ]) {
      const refused = await call(running.url, 'POST', '/holidays', { token: BOOTSTRAP_TOKEN, json });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('bad_request');
    }
    expect((await call(running.url, 'POST', '/holidays', { token: BOOTSTRAP_TOKEN, raw: '[1,2]' })).status).toBe(400);
    expect((await call(running.url, 'DELETE', '/holidays/2026-12-03', { token: BOOTSTRAP_TOKEN })).status).toBe(404);
    expect((await call(running.url, 'DELETE', '/holidays/..%2F..%2Fetc', { token: BOOTSTRAP_TOKEN })).status).toBe(400);
    expect((await call(running.url, 'GET', '/holidays?year=abc', { token: agentToken })).status).toBe(400);
    expect(await running.db.prisma.holidayChange.count()).toBe(changes);
    expect(running.app.calendar.isHoliday('2026-12-02')).toBe(false);
  });
});
