import { loadConfig } from '../../src/config';
import { BusinessCalendar, FixedClock, PqrActionError, PqrLifecycle, PqrService, verifyChain, type PqrSummary } from '../../src/pqr';
import { Identities, loadLookupSecret } from '../../src/identity';
import { createTestDb, type TestDb } from '../helpers/db';

describe('PQR lifecycle (answer, silencio positivo, recurso, traslado)', () => {
  let db: TestDb;
  let clock: FixedClock;
  let service: PqrService;
  let lifecycle: PqrLifecycle;
  let identities: Identities;
  const config = loadConfig({});
  const user = { channel: 'webchat', userId: 'dl_owner' };

  beforeAll(async () => {
    db = await createTestDb();
    clock = new FixedClock('2026-11-23T15:00:00Z');
    const calendar = new BusinessCalendar();
    identities = new Identities(db.prisma, clock);
    service = new PqrService(db.prisma, clock, calendar, config.terms, config.operator, identities, await loadLookupSecret(db.prisma));
    await service.syncBrands();
    lifecycle = new PqrLifecycle(db.prisma, clock, calendar, config.terms);
  });
  afterAll(() => db.close());

  const file = (type: 'peticion' | 'queja' | 'reclamo' = 'reclamo'): Promise<PqrSummary> =>
    service.file({ type, description: 'Me cobraron un paquete que no pedí', user, customer: { kind: 'subscriber', brandId: 'vozz', line: '3001234567' }, notifyChannel: 'webchat', notifyAddress: 'webchat:dl_owner' });

  const errorCode = async (promise: Promise<unknown>) => {
    const err = await promise.then(() => null, (e: unknown) => e);
    return err instanceof PqrActionError ? err.code : (err as { code?: string } | null)?.code;
  };

  it('answers once, queues one notification in the same transaction, and refuses a second answer', async () => {
    clock.set('2026-11-23T15:00:00Z');
    const pqr = await file();
    const answered = await lifecycle.answer(pqr.cun.replace(/-/g, ''), { text: 'Devolvimos el valor del paquete.', outcome: 'favorable' }, 'agent:1');
    expect(answered.status).toBe('respondida');
    const outbox = await db.prisma.outbox.findMany({ where: { pqrId: answered.id } });
    expect(outbox).toHaveLength(1);
    expect(JSON.parse(outbox[0].payload)).toMatchObject({ key: 'notify.answer', vars: { cun: pqr.cun, outcome: 'favorable' } });
    expect(await errorCode(lifecycle.answer(pqr.cun, { text: 'otra', outcome: 'favorable' }, 'agent:1'))).toBe('invalid_transition');
    expect(await db.prisma.outbox.count({ where: { pqrId: answered.id } })).toBe(1);
  });

  it('rejects an empty answer, a bad outcome and an unknown CUN without writing anything', async () => {
    const pqr = await file();
    expect(await errorCode(lifecycle.answer(pqr.cun, { text: '   ', outcome: 'favorable' }, 'agent:1'))).toBe('empty_text');
    expect(await errorCode(lifecycle.answer(pqr.cun, { text: 'ok', outcome: 'maybe' }, 'agent:1'))).toBe('invalid_outcome');
    expect(await errorCode(lifecycle.answer('0101-26-9999999999', { text: 'ok', outcome: 'favorable' }, 'agent:1'))).toBe('not_found');
    const row = await db.prisma.pqr.findUniqueOrThrow({ where: { cun: pqr.cun }, include: { events: true } });
    expect(row.status).toBe('radicada');
    expect(row.events).toHaveLength(1);
  });

  it('takes a recurso within 10 business days of notification, decides it and sends the case to the SIC', async () => {
    clock.set('2026-11-23T15:00:00Z');
    const pqr = await file();
    const answered = await lifecycle.answer(pqr.cun, { text: 'No procede.', outcome: 'desfavorable' }, 'agent:1');
    expect(await errorCode(lifecycle.fileRecurso(pqr.cun, await identities.requester(user), { kind: 'reposicion_apelacion', text: 'No estoy de acuerdo' }))).toBe('not_notified');
    await lifecycle.markNotified(answered.id, clock.now(), { channel: 'webchat' });
    clock.set('2026-12-01T15:00:00Z');
    const recurso = await lifecycle.fileRecurso(pqr.cun, await identities.requester(user), { kind: 'reposicion_apelacion', text: 'No estoy de acuerdo' });
    expect(recurso.status).toBe('recurso_interpuesto');
    expect(await errorCode(lifecycle.transferToSic(pqr.cun, 'agent:1'))).toBe('invalid_transition');
    const decided = await lifecycle.decideRecurso(pqr.cun, { text: 'Se confirma.', outcome: 'confirma' }, 'agent:2');
    expect(decided.sicDueDate).not.toBeNull();
    const moved = await lifecycle.transferToSic(pqr.cun, 'agent:2');
    expect(moved.status).toBe('trasladada_sic');
    const events = await db.prisma.pqrEvent.findMany({ where: { pqrId: moved.id }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.action)).toEqual(['radicada', 'respondida', 'notificada', 'recurso_interpuesto', 'reposicion_decidida', 'trasladada_sic']);
    expect(verifyChain(events)).toEqual({ ok: true });
  });

  it('refuses a recurso after the term and a decision on a PQR with no recurso', async () => {
    clock.set('2026-11-23T15:00:00Z');
    const pqr = await file();
    const answered = await lifecycle.answer(pqr.cun, { text: 'No procede.', outcome: 'desfavorable' }, 'agent:1');
    await lifecycle.markNotified(answered.id, clock.now(), { channel: 'webchat' });
    expect(await errorCode(lifecycle.decideRecurso(pqr.cun, { text: 'x', outcome: 'confirma' }, 'agent:1'))).toBe('invalid_transition');
    clock.set('2026-12-10T15:00:00Z');
    expect(await errorCode(lifecycle.fileRecurso(pqr.cun, await identities.requester(user), { kind: 'reposicion', text: 'tarde' }))).toBe('recurso_out_of_term');
  });

  it('flags a PQR left unanswered past its due date once, and tells the user', async () => {
    clock.set('2026-11-23T15:00:00Z');
    const pqr = await file('peticion');
    clock.set('2026-12-16T15:00:00Z');
    const first = await lifecycle.markOverdue();
    expect(first).toContain(pqr.cun);
    expect(await lifecycle.markOverdue()).not.toContain(pqr.cun);
    const row = await db.prisma.pqr.findUniqueOrThrow({ where: { cun: pqr.cun } });
    expect(row.vencida).toBe(true);
    const outbox = await db.prisma.outbox.findMany({ where: { pqrId: row.id } });
    expect(outbox.map((o) => JSON.parse(o.payload).key)).toEqual(['notify.silence']);
  });
});
