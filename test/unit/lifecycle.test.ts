import { loadConfig } from '../../src/config';
import { BusinessCalendar, FixedClock, NotificationFallback, PqrActionError, PqrLifecycle, PqrService, verifyChain, type PqrSummary } from '../../src/pqr';
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

  it('a stranger\'s message or recurso on someone else\'s PQR notifies nothing: only the owner\'s conduct starts their terms', async () => {
    clock.set('2026-11-23T15:00:00Z');
    const pqr = await file();
    await lifecycle.answer(pqr.cun, { text: 'No procede.', outcome: 'desfavorable' }, 'agent:1');
    const stranger = await identities.requester({ channel: 'webchat', userId: 'dl_stranger' });
    expect(await lifecycle.notifyByConduct(pqr.cun, stranger, { text: 'no estoy de acuerdo' })).toBeNull();
    expect(await errorCode(lifecycle.fileRecurso(pqr.cun, stranger, { kind: 'reposicion', text: 'no estoy de acuerdo' }))).toBe('not_found');
    const row = await db.prisma.pqr.findUniqueOrThrow({ where: { cun: pqr.cun }, include: { events: true } });
    expect(row).toMatchObject({ status: 'respondida', notifiedAt: null });
    expect(row.events.map((e) => e.action)).not.toContain('notificada_por_conducta');
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

/** The examples of issue 13 on a fixed clock: filed Mon 23 Nov 2026 10:00 Bogotá, due Tue 15 Dec 2026 23:59:59.999. */
describe('legal terms without gaps (issue 13)', () => {
  let db: TestDb;
  let clock: FixedClock;
  let service: PqrService;
  let lifecycle: PqrLifecycle;
  let identities: Identities;
  let fallback: NotificationFallback;
  const config = loadConfig({});
  const user = { channel: 'whatsapp', userId: '573001112233' };
  const bogota = (local: string) => new Date(`${local}-05:00`);
  const DUE = bogota('2026-12-15T23:59:59.999');

  beforeAll(async () => {
    db = await createTestDb();
    clock = new FixedClock('2026-11-23T15:00:00Z');
    const calendar = new BusinessCalendar();
    identities = new Identities(db.prisma, clock);
    service = new PqrService(db.prisma, clock, calendar, config.terms, config.operator, identities, await loadLookupSecret(db.prisma));
    await service.syncBrands();
    lifecycle = new PqrLifecycle(db.prisma, clock, calendar, config.terms);
    fallback = new NotificationFallback(db.prisma, clock, calendar, config.terms, lifecycle);
  });
  afterAll(() => db.close());

  const fileAndAnswer = async (answeredAt: string, customer: 'subscriber' | 'non_customer' = 'subscriber') => {
    clock.set('2026-11-23T15:00:00Z');
    const pqr = await service.file({
      type: 'reclamo',
      description: 'Me cobraron un paquete que no pedí',
      user,
      customer: customer === 'subscriber' ? { kind: 'subscriber', brandId: 'vozz', line: '3001112233' } : { kind: 'non_customer', fullName: 'Ana Ruiz', documentType: 'CC', documentNumber: '52111222', email: 'ana.ruiz@example.co' },
      notifyChannel: 'whatsapp',
      notifyAddress: `whatsapp:${user.userId}`,
    });
    expect(pqr.dueDate).toEqual(DUE);
    clock.set(bogota(answeredAt));
    return lifecycle.answer(pqr.cun, { text: 'No procede la devolución.', outcome: 'desfavorable' }, 'agent:1');
  };
  const row = (id: number) => db.prisma.pqr.findUniqueOrThrow({ where: { id }, include: { events: { orderBy: { seq: 'asc' } } } });
  const keys = async (id: number) => (await db.prisma.outbox.findMany({ where: { pqrId: id }, orderBy: { id: 'asc' } })).map((o) => JSON.parse(o.payload) as { key: string; dates?: Record<string, string> });

  it('silencio positivo, late notification: answered on time, notified 16 Dec 00:00:30 after a due date of 15 Dec 23:59:59, scheduler at 00:01: vencida, the user told, 72 hours from the end of the term', async () => {
    const answered = await fileAndAnswer('2026-12-15T20:00:00');
    await lifecycle.markNotified(answered.id, bogota('2026-12-16T00:00:30'), { by: 'receipt' });
    clock.set(bogota('2026-12-16T00:01:00'));
    expect(await lifecycle.markOverdue()).toContain(answered.cun);
    const pqr = await row(answered.id);
    expect(pqr.vencida).toBe(true);
    expect(pqr.vencidaAt).toEqual(DUE);
    const event = pqr.events.find((e) => e.action === 'vencida')!;
    expect(JSON.parse(event.after!)).toMatchObject({ term: 'respuesta', effectBy: bogota('2026-12-18T23:59:59.999').toISOString(), notifiedAt: bogota('2026-12-16T00:00:30').toISOString() });
    const notice = (await keys(answered.id)).find((n) => n.key === 'notify.silence')!;
    expect(notice.dates).toEqual({ effectBy: bogota('2026-12-18T23:59:59.999').toISOString() });
    expect(await lifecycle.markOverdue()).not.toContain(answered.cun);
  });

  it('silencio positivo, one rule: an answer notified before the end of its term is never vencida, however late the scheduler runs', async () => {
    const answered = await fileAndAnswer('2026-12-15T20:00:00');
    await lifecycle.markNotified(answered.id, bogota('2026-12-15T23:59:00'), { by: 'receipt' });
    clock.set(bogota('2027-01-20T09:00:00'));
    expect(await lifecycle.markOverdue()).not.toContain(answered.cun);
    expect((await row(answered.id)).vencida).toBe(false);
  });

  it('silencio positivo after a scheduler outage: the 72 hours still run from the end of the term, only the notice goes out later', async () => {
    clock.set('2026-11-23T15:00:00Z');
    const pqr = await service.file({ type: 'peticion', description: 'Quiero copia del contrato', user, customer: { kind: 'subscriber', brandId: 'vozz', line: '3001112233' }, notifyChannel: 'whatsapp', notifyAddress: `whatsapp:${user.userId}` });
    clock.set(bogota('2026-12-21T08:00:00')); // the scheduler was down from 15 to 21 December
    expect(await lifecycle.markOverdue()).toContain(pqr.cun);
    const flagged = await db.prisma.pqr.findUniqueOrThrow({ where: { cun: pqr.cun }, include: { events: true } });
    expect(flagged.vencidaAt).toEqual(DUE);
    expect(JSON.parse(flagged.events.find((e) => e.action === 'vencida')!.after!).effectBy).toBe(bogota('2026-12-18T23:59:59.999').toISOString());
  });

  it('silencio positivo on the reposición: the decision\'s notification is tracked, and a decision made on time but never delivered lapses', async () => {
    const answered = await fileAndAnswer('2026-11-25T10:00:00');
    await lifecycle.markNotified(answered.id, bogota('2026-11-25T10:05:00'), { by: 'receipt' });
    clock.set(bogota('2026-11-26T10:00:00'));
    const recurso = await lifecycle.fileRecurso(answered.cun, await identities.requester(user), { kind: 'reposicion', text: 'No estoy de acuerdo' });
    expect(recurso.recursoDueDate).toEqual(bogota('2026-12-18T23:59:59.999'));
    clock.set(bogota('2026-12-18T16:00:00'));
    await lifecycle.decideRecurso(answered.cun, { text: 'Se confirma.', outcome: 'confirma' }, 'agent:2');
    clock.set(bogota('2026-12-19T00:01:00'));
    expect(await lifecycle.markOverdue()).toContain(answered.cun);
    const pqr = await row(answered.id);
    expect(pqr).toMatchObject({ vencida: false, recursoVencida: true, recursoVencidaAt: bogota('2026-12-18T23:59:59.999'), decisionNotifiedAt: null });
    expect(pqr.events.map((e) => e.action)).toContain('recurso_vencido');
    expect((await keys(answered.id)).map((n) => n.key)).toContain('notify.silence.recurso');
    // The late proof is recorded, and changes nothing: the term lapsed.
    expect(await lifecycle.markNotified(answered.id, bogota('2026-12-19T08:00:00'), { by: 'receipt' }, 'decision')).toBe(true);
    expect((await row(answered.id)).events.at(-1)!.action).toBe('decision_notificada');
  });

  it('silencio positivo on the reposición: a decision notified within its term does not lapse', async () => {
    const answered = await fileAndAnswer('2026-11-25T10:00:00');
    await lifecycle.markNotified(answered.id, bogota('2026-11-25T10:05:00'), { by: 'receipt' });
    clock.set(bogota('2026-11-26T10:00:00'));
    await lifecycle.fileRecurso(answered.cun, await identities.requester(user), { kind: 'reposicion', text: 'No estoy de acuerdo' });
    clock.set(bogota('2026-12-18T16:00:00'));
    await lifecycle.decideRecurso(answered.cun, { text: 'Se repone.', outcome: 'repone' }, 'agent:2');
    await lifecycle.markNotified(answered.id, bogota('2026-12-18T16:00:05'), { by: 'receipt' }, 'decision');
    clock.set(bogota('2027-01-20T09:00:00'));
    expect(await lifecycle.markOverdue()).not.toContain(answered.cun);
  });

  it('notification by conduct (CPACA art. 72): filing a recurso against an answer with no proof yet notifies from that moment, with the message as evidence', async () => {
    const answered = await fileAndAnswer('2026-11-25T10:00:00');
    clock.set(bogota('2026-11-25T10:00:20'));
    const recurso = await lifecycle.fileRecurso(answered.cun, await identities.requester(user), { kind: 'reposicion_apelacion', text: 'no estoy de acuerdo con la respuesta' });
    expect(recurso.status).toBe('recurso_interpuesto');
    const pqr = await row(answered.id);
    expect(pqr.notifiedAt).toEqual(clock.now());
    const conduct = pqr.events.find((e) => e.action === 'notificada_por_conducta')!;
    expect(JSON.parse(conduct.after!).proof).toMatchObject({ by: 'conducta', channel: 'whatsapp', text: 'no estoy de acuerdo con la respuesta' });
    expect(JSON.parse(conduct.after!).proof.sha256).toMatch(/^[0-9a-f]{64}$/);
    // The delivery receipt that arrives afterwards records nothing more.
    expect(await lifecycle.markNotified(answered.id, bogota('2026-11-25T10:00:25'), { by: 'receipt' })).toBe(false);
    expect(verifyChain(pqr.events)).toEqual({ ok: true });
  });

  it('notification by aviso (CPACA art. 69): with no proof after 5 business days, an aviso to the e-mail the PQR has, then one published for 5 business days, notified at the end of the next business day after it comes down', async () => {
    const answered = await fileAndAnswer('2026-11-25T10:00:00', 'non_customer');
    clock.set(bogota('2026-12-02T23:00:00')); // 5 business days after the answer end on Wed 2 Dec
    expect(await fallback.followUp()).toBe(0);
    clock.set(bogota('2026-12-03T00:05:00'));
    expect(await fallback.followUp()).toBe(1);
    const copy = await db.prisma.outbox.findUniqueOrThrow({ where: { idempotencyKey: `${answered.cun}:respondida:aviso_correo` } });
    expect(copy).toMatchObject({ channel: 'email', conversationKey: 'ana.ruiz@example.co' });
    expect(JSON.parse(copy.payload).key).toBe('notify.answer');
    expect(await fallback.followUp()).toBe(0);
    // SMTP is off, so no proof: 5 business days after the e-mail (8 Dec is a holiday), the aviso goes on the web.
    clock.set(bogota('2026-12-11T23:59:00'));
    expect(await fallback.followUp()).toBe(0);
    clock.set(bogota('2026-12-12T00:30:00'));
    expect(await fallback.followUp()).toBe(1);
    const [published] = (await fallback.published()).filter((a) => a.cun === answered.cun);
    expect(published).toMatchObject({ act: 'respuesta', until: bogota('2026-12-18T23:59:59.999'), notifiesAt: bogota('2026-12-21T23:59:59.999') });
    clock.set(bogota('2026-12-21T23:00:00'));
    expect(await fallback.followUp()).toBe(0);
    expect((await fallback.published()).map((a) => a.cun)).not.toContain(answered.cun);
    clock.set(bogota('2026-12-22T00:30:00'));
    expect(await fallback.followUp()).toBe(1);
    const pqr = await row(answered.id);
    expect(pqr.notifiedAt).toEqual(bogota('2026-12-21T23:59:59.999'));
    expect(pqr.events.map((e) => e.action).slice(-3)).toEqual(['aviso_enviado', 'aviso_publicado', 'notificada_por_aviso']);
    // Notified after the due date (15 Dec): the one rule makes it silencio positivo.
    expect(await lifecycle.markOverdue()).toContain(answered.cun);
  });
  it('closes a case once its decision is final: an answer notified 25 Nov with no recurso by 10 Dec (8 Dec a holiday) closes on the 11th, once, with an event and nothing sent', async () => {
    const answered = await fileAndAnswer('2026-11-25T10:00:00');
    await lifecycle.markNotified(answered.id, bogota('2026-11-25T10:05:00'), { by: 'receipt' });
    expect(lifecycle.recursoDeadlineOf(await row(answered.id))).toEqual(bogota('2026-12-10T23:59:59.999'));
    const sentBefore = (await keys(answered.id)).length;
    clock.set(bogota('2026-12-10T23:50:00'));
    expect(await lifecycle.closeFinal()).not.toContain(answered.cun);
    expect((await row(answered.id)).status).toBe('respondida');
    clock.set(bogota('2026-12-11T00:01:00'));
    const [first, second] = await Promise.all([lifecycle.closeFinal(), lifecycle.closeFinal()]);
    expect([...first, ...second].filter((cun) => cun === answered.cun)).toHaveLength(1);
    const pqr = await row(answered.id);
    expect(pqr.status).toBe('cerrada');
    // The retention of the expediente (RETENTION_YEARS) counts from here.
    expect(pqr.closedAt).toEqual(bogota('2026-12-10T23:59:59.999'));
    expect(pqr.events.filter((e) => e.action === 'cerrada')).toHaveLength(1);
    expect(JSON.parse(pqr.events.at(-1)!.after!)).toMatchObject({ status: 'cerrada', reason: 'sin_recurso', finalSince: bogota('2026-12-10T23:59:59.999').toISOString() });
    expect(verifyChain(pqr.events)).toEqual({ ok: true });
    expect(await keys(answered.id)).toHaveLength(sentBefore);
    // Closed means final: no recurso any more, and the owner's list of open cases leaves it out.
    await expect(lifecycle.fileRecurso(answered.cun, await identities.requester(user), { kind: 'reposicion', text: 'tarde' })).rejects.toBeInstanceOf(Error);
    expect((await service.openFor(await identities.requester(user))).map((p) => p.cun)).not.toContain(answered.cun);
  });

  it('never closes an answer not yet notified, nor one with a recurso in progress; a reposición decided and notified closes, unless it goes to the SIC', async () => {
    const unnotified = await fileAndAnswer('2026-11-25T10:00:00');
    const appealed = await fileAndAnswer('2026-11-25T10:00:00');
    await lifecycle.markNotified(appealed.id, bogota('2026-11-25T10:05:00'), { by: 'receipt' });
    const toSic = await fileAndAnswer('2026-11-25T10:00:00');
    await lifecycle.markNotified(toSic.id, bogota('2026-11-25T10:05:00'), { by: 'receipt' });
    clock.set(bogota('2026-11-26T10:00:00'));
    await lifecycle.fileRecurso(appealed.cun, await identities.requester(user), { kind: 'reposicion', text: 'No estoy de acuerdo' });
    await lifecycle.fileRecurso(toSic.cun, await identities.requester(user), { kind: 'reposicion_apelacion', text: 'No estoy de acuerdo, y apelo' });
    clock.set(bogota('2026-12-11T09:00:00'));
    expect(await lifecycle.closeFinal()).toEqual(expect.not.arrayContaining([unnotified.cun, appealed.cun, toSic.cun]));
    await lifecycle.decideRecurso(appealed.cun, { text: 'Se confirma.', outcome: 'confirma' }, 'agent:2');
    await lifecycle.decideRecurso(toSic.cun, { text: 'Se confirma.', outcome: 'confirma' }, 'agent:2');
    // Decided but not yet notified: not final.
    expect(await lifecycle.closeFinal()).not.toContain(appealed.cun);
    await lifecycle.markNotified(appealed.id, bogota('2026-12-11T09:05:00'), { by: 'receipt' }, 'decision');
    await lifecycle.markNotified(toSic.id, bogota('2026-12-11T09:05:00'), { by: 'receipt' }, 'decision');
    clock.set(bogota('2026-12-11T09:10:00'));
    const closed = await lifecycle.closeFinal();
    expect(closed).toContain(appealed.cun);
    expect(closed).not.toContain(toSic.cun);
    expect(closed).not.toContain(unnotified.cun);
    expect(JSON.parse((await row(appealed.id)).events.at(-1)!.after!)).toMatchObject({ reason: 'recurso_decidido' });
    expect((await row(toSic.id)).status).toBe('reposicion_decidida');
    await lifecycle.transferToSic(toSic.cun, 'agent:2');
    expect(await lifecycle.closeFinal()).not.toContain(toSic.cun);
    expect((await row(toSic.id)).status).toBe('trasladada_sic');
  });
});

