import { FixedClock } from '../../src/pqr';
import { startTestApp, type RunningApp } from '../helpers/app';
import { FakeGraph, messages, signature, statusUpdate, textOf, webhookPayload } from '../helpers/fake-graph';

const ACCESS_TOKEN = 'EAAtest-access-token';
const APP_SECRET = 'test-app-secret-0123456789';
const PHONE_NUMBER_ID = '106540352242922';

describe('notifications on WhatsApp (real server, fake Graph on 127.0.0.1): 24-hour window, template, retries, receipts', () => {
  let graph: FakeGraph;
  let running: RunningApp;
  let clock: FixedClock;

  beforeAll(async () => {
    graph = await FakeGraph.start(ACCESS_TOKEN);
    clock = new FixedClock('2026-11-23T15:00:00Z');
    running = await startTestApp(
      {
        WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
        WHATSAPP_APP_SECRET: APP_SECRET,
        WHATSAPP_VERIFY_TOKEN: 'test-verify-token',
        WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
        WHATSAPP_API_BASE_URL: graph.url,
        WHATSAPP_TEMPLATE_NAME: 'pqr_respuesta',
        WHATSAPP_TEMPLATE_LANGUAGE: 'es',
        // Passes are driven by the tests (and by the user's messages), not by the clock on the wall.
        OUTBOX_POLL_MS: '3600000',
      },
      clock,
    );
  });

  afterAll(async () => {
    await running?.close();
    await graph?.close();
  });

  const seconds = () => Math.floor(clock.now().getTime() / 1000);

  /** Posts a signed webhook, as Meta does, and waits for the turns it starts. */
  async function deliver(value: Parameters<typeof webhookPayload>[1]): Promise<void> {
    const body = JSON.stringify(webhookPayload(PHONE_NUMBER_ID, value));
    const response = await fetch(`${running.url}/api/whatsapp`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': signature(body, APP_SECRET) },
      body,
    });
    expect(response.status).toBe(200);
    await running.app.whatsapp!.idle();
  }

  /** A subscriber who wrote to the bot now and has a reclamo filed, to be answered in this chat. */
  async function subscriberWithPqr(waId: string): Promise<string> {
    await deliver({ messages: [messages.text(waId, 'hola', { timestamp: seconds() })] });
    const filed = await running.app.pqr.file({
      type: 'reclamo',
      description: 'Me cobraron un paquete que no pedí',
      user: { channel: 'whatsapp', userId: waId },
      customer: { kind: 'subscriber', brandId: 'vozz', line: waId.slice(2) },
      notifyChannel: 'whatsapp',
      notifyAddress: `whatsapp:${waId}`,
    });
    return filed.cun;
  }

  const answer = (cun: string, text: string) => running.app.lifecycle.answer(cun, { text, outcome: 'favorable' }, 'agent:1');
  const answersTo = (waId: string, text: string) => graph.sent(waId).filter((m) => m.type === 'text' && textOf(m).includes(text));
  const templatesTo = (waId: string) => graph.sent(waId).filter((m) => m.type === 'template');
  const answerRow = (cun: string) => running.app.db.prisma.outbox.findFirstOrThrow({ where: { idempotencyKey: `${cun}:respondida` } });
  const pqrOf = (cun: string) => running.app.db.prisma.pqr.findUniqueOrThrow({ where: { cun } });

  it('sends the answer as text inside the 24-hour window; the delivered status proves notification, read is recorded', async () => {
    const waId = '573001110001';
    const cun = await subscriberWithPqr(waId);
    clock.advanceHours(3);
    await answer(cun, 'Devolvimos el valor del paquete a tu línea.');
    const report = await running.app.notify.outbox.runOnce();
    expect(report.sent).toBe(1);

    const [sent] = answersTo(waId, 'Devolvimos el valor del paquete a tu línea.');
    expect(textOf(sent)).toContain(cun);
    expect(templatesTo(waId)).toEqual([]);
    const row = await answerRow(cun);
    expect(row).toMatchObject({ status: 'sent', externalId: expect.stringMatching(/^wamid\./) });
    // Graph accepting the message is not proof that the user got it.
    expect((await pqrOf(cun)).notifiedAt).toBeNull();

    const deliveredAt = seconds() + 5;
    await deliver({ statuses: [statusUpdate(row.externalId!, 'sent', waId, deliveredAt - 1), statusUpdate(row.externalId!, 'delivered', waId, deliveredAt)] });
    expect((await running.app.notify.outbox.runOnce()).notified).toBe(1);
    expect((await pqrOf(cun)).notifiedAt?.getTime()).toBe(deliveredAt * 1000);
    expect(await answerRow(cun)).toMatchObject({ deliveredAt: new Date(deliveredAt * 1000), readAt: null });

    await deliver({ statuses: [statusUpdate(row.externalId!, 'read', waId, deliveredAt + 60)] });
    expect((await running.app.notify.outbox.runOnce()).notified).toBe(0);
    expect(await answerRow(cun)).toMatchObject({ deliveredAt: new Date(deliveredAt * 1000), readAt: new Date((deliveredAt + 60) * 1000) });
    expect((await pqrOf(cun)).notifiedAt?.getTime()).toBe(deliveredAt * 1000);
    const receipts = await running.app.db.prisma.deliveryReceipt.findMany({ where: { externalId: row.externalId! } });
    expect(receipts.map((r) => r.outboxId)).toEqual([row.id, row.id, row.id]);
  });

  it('outside the window sends the approved template first, and the full answer as soon as the user writes again', async () => {
    const waId = '573001110002';
    const cun = await subscriberWithPqr(waId);
    clock.advanceHours(25);
    await answer(cun, 'Tu reclamo procede: reconectamos el servicio.');
    await running.app.notify.outbox.runOnce();

    const [template, ...more] = templatesTo(waId);
    expect(more).toEqual([]);
    expect(template).toMatchObject({
      type: 'template',
      template: { name: 'pqr_respuesta', language: { code: 'es' }, components: [{ type: 'body', parameters: [{ type: 'text', text: cun }] }] },
    });
    expect(answersTo(waId, 'reconectamos el servicio')).toEqual([]);
    expect(await answerRow(cun)).toMatchObject({ status: 'held', sentAt: null });

    // Nothing changes until the user writes: no second template, no answer.
    clock.advanceHours(2);
    await running.app.notify.outbox.runOnce();
    expect(templatesTo(waId)).toHaveLength(1);
    expect(answersTo(waId, 'reconectamos el servicio')).toEqual([]);

    // The user taps the template or writes anything: the window opens and the answer follows at once.
    await deliver({ messages: [messages.text(waId, 'hola, ¿qué respuesta tienen?', { timestamp: seconds() })] });
    const all = await graph.waitForSent(waId, (sent) => sent.some((m) => textOf(m).includes('reconectamos el servicio')));
    const answerAt = all.findIndex((m) => textOf(m).includes('reconectamos el servicio'));
    expect(all.findIndex((m) => m.type === 'template')).toBeLessThan(answerAt);
    expect(textOf(all[answerAt])).toContain(cun);
    await running.app.notify.outbox.runOnce();
    expect(answersTo(waId, 'reconectamos el servicio')).toHaveLength(1);
    expect(templatesTo(waId)).toHaveLength(1);
    expect(await answerRow(cun)).toMatchObject({ status: 'sent' });
  });

  it('keeps retrying while Graph answers 500, then delivers the answer exactly once', async () => {
    const waId = '573001110003';
    const cun = await subscriberWithPqr(waId);
    const toThisUser = (request: { path: string; body?: Record<string, unknown> }) => /\/messages$/.test(request.path) && request.body?.to === waId;
    // The channel's client tries 3 times per send: two passes fail entirely, the third gets through.
    graph.failNext(7, { status: 500, match: toThisUser });
    await answer(cun, 'Ajustamos tu factura de noviembre.');

    const first = await running.app.notify.outbox.runOnce();
    expect(first).toMatchObject({ sent: 0, failed: 1 });
    const failed = await answerRow(cun);
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringMatching(/.+/) });
    const firstDelay = failed.nextAttemptAt.getTime() - clock.now().getTime();
    expect(firstDelay).toBeGreaterThan(0);

    // Not due yet: a pass now does not touch it.
    expect(await running.app.notify.outbox.runOnce()).toMatchObject({ sent: 0, failed: 0 });

    clock.advance(failed.nextAttemptAt.getTime() - clock.now().getTime());
    expect(await running.app.notify.outbox.runOnce()).toMatchObject({ sent: 0, failed: 1 });
    const again = await answerRow(cun);
    expect(again.attempts).toBe(2);
    // Exponential backoff: the second wait is twice the first.
    expect(again.nextAttemptAt.getTime() - clock.now().getTime()).toBe(2 * firstDelay);

    clock.advance(again.nextAttemptAt.getTime() - clock.now().getTime());
    expect(await running.app.notify.outbox.runOnce()).toMatchObject({ sent: 1 });
    expect(answersTo(waId, 'Ajustamos tu factura de noviembre.')).toHaveLength(1);
    expect(await answerRow(cun)).toMatchObject({ status: 'sent', attempts: 2, lastError: null });

    clock.advanceHours(1);
    await running.app.notify.outbox.runOnce();
    expect(answersTo(waId, 'Ajustamos tu factura de noviembre.')).toHaveLength(1);
    // The failures reached no one as an apology: the user read the greeting and the answer only.
    expect(graph.sent(waId).filter((m) => m.type === 'text').map(textOf)).toEqual([expect.stringContaining('Ajustamos tu factura de noviembre.')]);
  });
});
