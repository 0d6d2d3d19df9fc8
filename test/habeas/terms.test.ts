import { startTestApp, type RunningApp } from '../helpers/app';
import { FixedClock } from '../../src/pqr';
import type { Requester } from '../../src/identity';
import { withdrawalDate } from '../../src/habeas';

/**
 * Ley 1581 de 2012 arts. 14 and 15, on a fixed clock, through the real app and database: a
 * request filed Monday 23 Nov 2026 at 10:00 Bogotá (received that day; day 1 is Tuesday 24;
 * Tuesday 8 Dec and Friday 25 Dec are holidays).
 */
describe('data-protection request terms', () => {
  let running: RunningApp;
  const clock = new FixedClock('2026-11-23T15:00:00Z');
  let requester: Requester;
  const ENV = { BACKOFFICE_TOKEN: 'habeas-terms-backoffice-token-0123456789' };

  beforeAll(async () => {
    running = await startTestApp(ENV, clock);
    const address = { channel: 'webchat', userId: 'habeas-terms-user' };
    await running.app.identities.prove(address, 'email', 'titular@correo.com', 'code');
    requester = await running.app.identities.requester(address);
  });

  afterAll(async () => {
    await running?.close();
  });

  beforeEach(() => clock.set('2026-11-23T15:00:00Z'));

  const backoffice = async (path: string, json: unknown) => {
    const response = await fetch(`${running.url}/api/backoffice${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ENV.BACKOFFICE_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(json),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const endOfBogotaDay = (day: string) => new Date(`${day}T23:59:59.999-05:00`);

  it('a consulta is due in 10 business days and may be extended once by 5, with its reason told to the person (art. 14)', async () => {
    // Answered at once in the chat, it still carries its legal term.
    const { request } = await running.app.dataRequests.answerConsulta(requester);
    expect(request.dueDate).toEqual(endOfBogotaDay('2026-12-07'));
    expect(request.number).toMatch(/^HD-2026-\d{6}$/);

    // An open consulta (one the bot could not answer at once) is extended by the agent: 9, 10, 11, 14, 15 Dec.
    const row = await running.app.db.prisma.dataRequest.update({ where: { number: request.number }, data: { status: 'abierta', closedAt: null } });
    const extended = await backoffice(`/data-requests/${row.number}/extend`, { reason: 'Reunimos los datos de tres sistemas.' });
    expect(extended.status).toBe(200);
    expect(new Date(extended.body.dueDate)).toEqual(endOfBogotaDay('2026-12-15'));
    const notice = await running.app.db.prisma.outbox.findUniqueOrThrow({ where: { idempotencyKey: `${row.number}:extended` } });
    expect(JSON.parse(notice.payload)).toMatchObject({ key: 'habeas.notify.extended', vars: { reason: 'Reunimos los datos de tres sistemas.', days: 5 } });
  });

  it('a reclamo is due in 15 business days and may be extended once by 8, never twice (art. 15)', async () => {
    const request = await running.app.dataRequests.fileReclamo(requester, 'suprimir', null);
    expect(request.status).toBe('abierta');
    expect(request.dueDate).toEqual(endOfBogotaDay('2026-12-15'));
    clock.set('2026-12-10T15:00:00Z');
    const extended = await backoffice(`/data-requests/${request.number}/extend`, { reason: 'Verificamos la retención de los expedientes.' });
    // 16, 17, 18, 21, 22, 23, 24 and (after Christmas and the weekend) 28 Dec.
    expect(new Date(extended.body.dueDate)).toEqual(endOfBogotaDay('2026-12-28'));
    const again = await backoffice(`/data-requests/${request.number}/extend`, { reason: 'Otra vez.' });
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'already_extended' } } });
  });

  it('a reclamo cannot be extended once its term has ended, nor without a reason', async () => {
    const request = await running.app.dataRequests.fileReclamo(requester, 'revocar', null);
    expect(await backoffice(`/data-requests/${request.number}/extend`, { reason: '   ' })).toMatchObject({ status: 400 });
    clock.set('2026-12-16T05:00:00Z');
    expect(await backoffice(`/data-requests/${request.number}/extend`, { reason: 'Tarde.' })).toMatchObject({ status: 409, body: { error: { code: 'term_over' } } });
  });

  it('an incomplete reclamo counts as withdrawn two months after the bot asked for what it lacked, at the scheduler\'s tick (art. 15)', async () => {
    const request = await running.app.dataRequests.fileReclamo(requester, 'rectificar', null);
    expect(request.status).toBe('incompleta');
    clock.set('2027-01-23T14:59:59Z');
    await running.app.notify.scheduler.tick();
    expect((await running.app.dataRequests.detail(request.number)).status).toBe('incompleta');
    clock.set('2027-01-23T15:00:00Z');
    await running.app.notify.scheduler.tick();
    const withdrawn = await running.app.dataRequests.detail(request.number);
    expect(withdrawn.status).toBe('desistida');
    expect(withdrawn.events.map((e) => e.action)).toEqual(['radicada', 'requerida_informacion', 'desistida']);
    expect(await running.app.db.prisma.outbox.count({ where: { idempotencyKey: `${request.number}:withdrawn` } })).toBe(1);
  });

  it('an incomplete reclamo completed later runs its 15 business days from then, and is not withdrawn', async () => {
    const request = await running.app.dataRequests.fileReclamo(requester, 'actualizar', null);
    clock.set('2026-12-01T15:00:00Z');
    const completed = await running.app.dataRequests.complete(request.number, requester, 'Mi correo ahora es titular.nuevo@correo.com');
    // Received Tue 1 Dec: 2, 3, 4, 7, 9, 10, 11, 14, 15, 16, 17, 18, 21, 22, 23 Dec.
    expect(completed).toMatchObject({ status: 'abierta', dueDate: endOfBogotaDay('2026-12-23') });
    clock.set('2027-03-01T15:00:00Z');
    await running.app.notify.scheduler.tick();
    expect((await running.app.dataRequests.detail(request.number)).status).toBe('abierta');
  });
});

describe('withdrawal date of an incomplete reclamo', () => {
  it('is two calendar months after the request for what it lacked, on Bogotá\'s calendar, the month\'s last day when it has no such day', () => {
    expect(withdrawalDate(new Date('2026-11-23T15:00:00Z'))).toEqual(new Date('2027-01-23T15:00:00Z'));
    // 30 Nov 23:30 Bogotá is 1 Dec in UTC: the two months still count from 30 Nov.
    expect(withdrawalDate(new Date('2026-12-01T04:30:00Z'))).toEqual(new Date('2027-01-31T04:30:00Z'));
    expect(withdrawalDate(new Date('2026-12-31T15:00:00Z'))).toEqual(new Date('2027-02-28T15:00:00Z'));
  });
});
