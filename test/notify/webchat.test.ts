import { OutboxDispatcher, chatSender } from '../../src/notify';
import { createLogger } from '../../src/logger';
import { openDatabase, type Database } from '../../src/storage';
import { FixedClock, formatDateTime } from '../../src/pqr';
import { startTestApp, type RunningApp } from '../helpers/app';
import { DirectLineUser } from './directline-client';

const CUN = /\d{4}-\d{2}-\d{10}/;

describe('notifications on web chat (real server, Direct Line, outbox dispatcher and scheduler)', () => {
  let running: RunningApp;
  let clock: FixedClock;
  let user: DirectLineUser;
  let cun: string;

  beforeAll(async () => {
    clock = new FixedClock('2026-11-23T15:00:00Z');
    // A short poll: the answer must go out by itself, as in production.
    running = await startTestApp({ OUTBOX_POLL_MS: '200' }, clock);
    user = await DirectLineUser.connect(running.url);
  });
  afterAll(() => running?.close());

  /** One message, its turn run to the end; returns the bot's last reply. */
  async function say(text: string, expected: string | RegExp): Promise<string> {
    await user.say(text);
    await running.app.webchat.idle();
    return user.waitForBot(expected);
  }

  it('files a reclamo in the web chat and delivers the agent’s answer there, proving notification', async () => {
    await say('me cobraron un paquete que no pedí', 'Antes de pedirte datos personales');
    await say('Acepto', '¿Eres cliente');
    await say('Sí', '¿De cuál marca');
    await say('Vozz Móvil', 'línea');
    await say('3001234567', '¿Quieres agregar algo más?');
    await say('Es todo', '¿Es correcto?');
    await say('Sí, es reclamo', '¿Dónde quieres recibir la respuesta?');
    await say('En este chat', '¿La radicamos?');
    cun = CUN.exec(await say('Sí, radicar', '¡Listo! Radicamos tu'))![0];

    const identity = await running.app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_userId: { channel: 'webchat', userId: user.userId } } });
    expect(JSON.parse(identity.conversationRef!)).toMatchObject({ conversation: { id: user.conversationId }, user: { id: user.userId } });
    expect(identity.locale).toBe('es-CO');
    expect(identity.lastInboundAt).not.toBeNull();

    clock.set('2026-11-27T15:00:00Z');
    await running.app.lifecycle.answer(cun, { text: 'Revisamos tu cuenta y devolvimos el valor del paquete.', outcome: 'favorable' }, 'agent:1');

    const answer = await user.waitForBot('Revisamos tu cuenta y devolvimos el valor del paquete.');
    expect(answer).toContain(cun);
    expect(answer).toContain('10 días hábiles');
    // The pass that sent it has finished once the next one has.
    await running.app.notify.outbox.runOnce();

    const pqr = await running.app.db.prisma.pqr.findUniqueOrThrow({ where: { cun }, include: { events: { orderBy: { seq: 'asc' } } } });
    expect(pqr.notifiedAt?.toISOString()).toBe('2026-11-27T15:00:00.000Z');
    const event = pqr.events.at(-1)!;
    expect(event.action).toBe('notificada');
    const row = await running.app.db.prisma.outbox.findFirstOrThrow({ where: { pqrId: pqr.id } });
    expect(row).toMatchObject({ status: 'sent', attempts: 0, lockedBy: null, externalId: expect.stringContaining(user.conversationId) });
    expect(JSON.parse(event.after!).proof).toMatchObject({ channel: 'webchat', outboxId: row.id, externalId: row.externalId });

    // Another pass sends nothing again.
    await running.app.notify.outbox.runOnce();
    expect((await user.botTexts()).filter((text) => text.includes('devolvimos el valor del paquete')).length).toBe(1);
  });

  it('tells the user of silencio administrativo positivo when the scheduler finds the term passed', async () => {
    const filed = await running.app.pqr.file({
      type: 'queja',
      description: 'No me atienden en la tienda',
      user: { channel: 'webchat', userId: user.userId },
      customer: { kind: 'subscriber', brandId: 'vozz', line: '3001234567' },
      notifyChannel: 'webchat',
      notifyAddress: `webchat:${user.userId}`,
    });
    clock.set(new Date(filed.dueDate.getTime() + 3_600_000));
    // Ticks asked for while one runs share it; the next tick (or another instance's) flags nothing again.
    expect(await Promise.all([running.app.notify.scheduler.tick(), running.app.notify.scheduler.tick()])).toEqual([[filed.cun], [filed.cun]]);
    expect(await running.app.notify.scheduler.tick()).toEqual([]);

    await running.app.notify.outbox.runOnce();
    const notice = await user.waitForBot('venció sin una respuesta notificada a tiempo');
    expect(notice).toContain(filed.cun);
    // 72 hours from the end of the term, whenever the scheduler ran.
    expect(notice).toContain(`72 horas desde el fin del plazo, es decir, a más tardar el ${formatDateTime(new Date(filed.dueDate.getTime() + 72 * 3_600_000))}, hora de Colombia.`);
    expect((await user.botTexts()).filter((text) => text.includes('venció sin una respuesta notificada a tiempo'))).toHaveLength(1);
    expect(await running.app.db.prisma.pqr.findUniqueOrThrow({ where: { cun: filed.cun } })).toMatchObject({ vencida: true });
  });

  it('sends each message once when two dispatchers claim the same rows at once', async () => {
    // On PostgreSQL the second dispatcher has its own connection pool, as another instance would;
    // SQLite serves one instance, so there both share the app's connection and race at every await.
    const prisma = running.app.db.prisma;
    const second: Database | null = running.db.provider === 'postgresql' ? await openDatabase(running.db.url) : null;
    try {
      const logger = createLogger('silent');
      const dispatcher = (prisma: Database['prisma']) =>
        new OutboxDispatcher({
          prisma,
          clock,
          texts: running.app.texts,
          defaultLocale: 'es-CO',
          logger,
          markNotified: (id, at, proof) => running.app.lifecycle.markNotified(id, at, proof),
          maxAttempts: 3,
          pollMs: 60_000,
          batchSize: 5,
        }).register('webchat', chatSender(running.app.webchat.adapter));
      const [a, b] = [dispatcher(prisma), dispatcher(second?.prisma ?? prisma)];
      const keys = Array.from({ length: 24 }, (_, i) => `TEST-${String(i).padStart(2, '0')}`);
      await prisma.outbox.createMany({
        data: keys.map((key) => ({
          channel: 'webchat',
          conversationKey: `webchat:${user.userId}`,
          kind: 'notification',
          payload: JSON.stringify({ key: 'notify.sic', vars: { cun: key } }),
          idempotencyKey: `concurrency:${key}`,
        })),
      });

      // The app's own dispatcher polls meanwhile too: three dispatchers on the same rows.
      await Promise.all([a.runOnce(), b.runOnce()]);
      await running.app.notify.outbox.runOnce();
      const texts = await user.botTexts();
      for (const key of keys) expect([key, texts.filter((text) => text.includes(`*${key}*`) || text.includes(`**${key}**`)).length]).toEqual([key, 1]);
      expect(await running.app.db.prisma.outbox.count({ where: { idempotencyKey: { startsWith: 'concurrency:' }, status: 'sent' } })).toBe(keys.length);
    } finally {
      await second?.close();
    }
  });
});
