import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';
import { createNotifications, emailSender, OutboxDispatcher } from '../../src/notify';
import { FixedClock } from '../../src/pqr';
import { startTestApp, type RunningApp } from '../helpers/app';
import { TestSmtpServer } from '../helpers/smtp';

const ANA = { fullName: 'Ana María Gómez', documentType: 'CC', documentNumber: '1020304050', email: 'ana.gomez@correo.com' };

describe('notifications by e-mail (real SMTP server on 127.0.0.1)', () => {
  let smtp: TestSmtpServer;
  let running: RunningApp;
  let clock: FixedClock;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    clock = new FixedClock('2026-11-23T15:00:00Z');
    running = await startTestApp({ SMTP_URL: smtp.url, SMTP_FROM: 'PQR Plintron <pqr@plintron.co>', OUTBOX_POLL_MS: '3600000' }, clock);
  });
  afterAll(async () => {
    await running?.close();
    await smtp?.close();
  });

  /** A petición of a non-customer who asked for the answer by e-mail. */
  async function fileByEmail(userId: string): Promise<string> {
    const filed = await running.app.pqr.file({
      type: 'peticion',
      description: 'Quiero saber qué planes tienen para hogar',
      user: { channel: 'webchat', userId },
      customer: { kind: 'non_customer', ...ANA },
      notifyChannel: 'email',
      notifyAddress: ANA.email,
    });
    return filed.cun;
  }

  const answer = (cun: string, text: string) => running.app.lifecycle.answer(cun, { text, outcome: 'favorable' }, 'agent:1');
  const mailsWith = (text: string) => smtp.received.filter((mail) => mail.text.includes(text));

  it('e-mails the answer with the CUN; the SMTP server’s acceptance proves notification', async () => {
    const cun = await fileByEmail('dl_email_1');
    await answer(cun, 'Tenemos tres planes de hogar; te los enviamos en el anexo de esta respuesta.');
    expect(await running.app.notify.outbox.runOnce()).toMatchObject({ sent: 1, notified: 1 });

    const [mail, ...others] = mailsWith('Tenemos tres planes de hogar');
    expect(others).toEqual([]);
    expect(mail.to).toEqual([ANA.email]);
    expect(mail.from).toBe('pqr@plintron.co');
    expect(mail.subject).toBe(`Plintron Colombia: tu PQR ${cun}`);
    expect(mail.text).toContain(`Tenemos respuesta a tu PQR ${cun}:`);
    // Chat-style bold marks are dropped in a plain-text e-mail.
    expect(mail.text).not.toContain('*');

    const row = await running.app.db.prisma.outbox.findFirstOrThrow({ where: { idempotencyKey: `${cun}:respondida` } });
    expect(row).toMatchObject({ channel: 'email', status: 'sent', externalId: mail.headers['message-id'] });
    expect((await running.app.db.prisma.pqr.findUniqueOrThrow({ where: { cun } })).notifiedAt).toEqual(clock.now());
  });

  it('retries when the SMTP server refuses for a while, and delivers once', async () => {
    const cun = await fileByEmail('dl_email_2');
    smtp.rejectNext(1);
    await answer(cun, 'La cobertura en tu barrio llega en enero.');
    expect(await running.app.notify.outbox.runOnce()).toMatchObject({ sent: 0, failed: 1 });
    const row = await running.app.db.prisma.outbox.findFirstOrThrow({ where: { idempotencyKey: `${cun}:respondida` } });
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringContaining('451') });
    expect((await running.app.db.prisma.pqr.findUniqueOrThrow({ where: { cun } })).notifiedAt).toBeNull();

    clock.advance(row.nextAttemptAt.getTime() - clock.now().getTime());
    expect(await running.app.notify.outbox.runOnce()).toMatchObject({ sent: 1, notified: 1 });
    await running.app.notify.outbox.runOnce();
    expect(mailsWith('La cobertura en tu barrio llega en enero.')).toHaveLength(1);
  });

  it('gives a message up as dead after its last attempt', async () => {
    const cun = await fileByEmail('dl_email_3');
    await answer(cun, 'Respuesta que el servidor nunca acepta.');
    const dispatcher = new OutboxDispatcher({
      prisma: running.app.db.prisma,
      clock,
      texts: running.app.texts,
      defaultLocale: 'es-CO',
      logger: createLogger('silent'),
      markNotified: (id, at, proof) => running.app.lifecycle.markNotified(id, at, proof),
      maxAttempts: 2,
      pollMs: 60_000,
    }).register('email', emailSender({ url: smtp.url, from: 'pqr@plintron.co' }));
    smtp.rejectNext(2);
    expect(await dispatcher.runOnce()).toMatchObject({ failed: 1, dead: 0 });
    clock.advanceHours(1);
    expect(await dispatcher.runOnce()).toMatchObject({ failed: 0, dead: 1 });
    clock.advanceHours(24);
    expect(await dispatcher.runOnce()).toMatchObject({ sent: 0, failed: 0, dead: 0 });
    expect(await running.app.db.prisma.outbox.findFirstOrThrow({ where: { idempotencyKey: `${cun}:respondida` } })).toMatchObject({ status: 'dead', attempts: 2 });
    expect(mailsWith('Respuesta que el servidor nunca acepta.')).toEqual([]);
  });

  it('without SMTP_URL says so at start-up and keeps e-mail notifications pending with the reason', async () => {
    const lines: string[] = [];
    const logger = createLogger('info', new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }));
    const settings = { ...running.app.config.notify, smtpUrl: undefined };
    const withoutSmtp = createNotifications({ settings, prisma: running.app.db.prisma, clock, texts: running.app.texts, defaultLocale: 'es-CO', logger, lifecycle: running.app.lifecycle, fallback: running.app.fallback });
    expect(lines.some((line) => line.includes('SMTP_URL not set'))).toBe(true);

    const cun = await fileByEmail('dl_email_4');
    await answer(cun, 'Tu petición queda atendida.');
    expect(await withoutSmtp.outbox.runOnce()).toMatchObject({ sent: 0, failed: 0 });
    expect(await running.app.db.prisma.outbox.findFirstOrThrow({ where: { idempotencyKey: `${cun}:respondida` } })).toMatchObject({
      status: 'pending',
      attempts: 0,
      lastError: 'SMTP_URL not set',
    });
    await withoutSmtp.stop();

    // An instance with SMTP sends it.
    expect(await running.app.notify.outbox.runOnce()).toMatchObject({ sent: 1 });
    expect(mailsWith('Tu petición queda atendida.')).toHaveLength(1);
  });

  it('the decision of a recurso sent by e-mail is its proof of notification once the SMTP server accepts it', async () => {
    clock.set('2026-11-23T15:00:00Z');
    const cun = await fileByEmail('dl_email_decision');
    await answer(cun, 'No es posible instalar el servicio en tu dirección.');
    await running.app.notify.outbox.runOnce();
    clock.set('2026-11-24T15:00:00Z');
    await running.app.lifecycle.fileRecurso(cun, await running.app.identities.requester({ channel: 'webchat', userId: 'dl_email_decision' }), { kind: 'reposicion', text: 'Mis vecinos sí tienen el servicio.' });
    await running.app.lifecycle.decideRecurso(cun, { text: 'Reponemos: instalamos el servicio la próxima semana.', outcome: 'repone' }, 'agent:2');
    expect(await running.app.notify.outbox.runOnce()).toMatchObject({ sent: 1, notified: 1 });
    expect(mailsWith('Reponemos: instalamos el servicio')).toHaveLength(1);
    const pqr = await running.app.db.prisma.pqr.findUniqueOrThrow({ where: { cun }, include: { events: { orderBy: { seq: 'asc' } } } });
    expect(pqr.decisionNotifiedAt).toEqual(clock.now());
    expect(pqr.events.at(-1)!.action).toBe('decision_notificada');
  });

  it('aviso by e-mail (CPACA art. 69): an answer its chat gives no proof of for 5 business days goes to the e-mail the PQR has, and the acceptance notifies it', async () => {
    clock.set('2026-11-23T15:00:00Z');
    const filed = await running.app.pqr.file({
      type: 'reclamo',
      description: 'No me devolvieron el saldo',
      user: { channel: 'telegram', userId: '987654' },
      customer: { kind: 'non_customer', ...ANA, documentNumber: '1020304099' },
      notifyChannel: 'telegram',
      notifyAddress: 'telegram:987654',
    });
    clock.set('2026-11-25T15:00:00Z');
    await answer(filed.cun, 'Devolvimos el saldo a tu línea prepago.');
    // Telegram is off on this instance: the answer stays pending, with no proof.
    await running.app.notify.outbox.runOnce();
    expect(mailsWith('Devolvimos el saldo a tu línea prepago.')).toEqual([]);
    clock.set('2026-12-03T05:30:00Z'); // 00:30 in Bogotá, after the 5th business day (2 Dec)
    await running.app.notify.scheduler.tick();
    await running.app.notify.outbox.runOnce();
    const [mail] = mailsWith('Devolvimos el saldo a tu línea prepago.');
    expect(mail.to).toEqual([ANA.email]);
    const pqr = await running.app.db.prisma.pqr.findUniqueOrThrow({ where: { cun: filed.cun }, include: { events: { orderBy: { seq: 'asc' } } } });
    expect(pqr.notifiedAt).toEqual(clock.now());
    expect(pqr.events.map((e) => e.action).slice(-2)).toEqual(['aviso_enviado', 'notificada']);
    expect(JSON.parse(pqr.events.at(-1)!.after!).proof).toMatchObject({ channel: 'email', by: 'send' });
  });
});
