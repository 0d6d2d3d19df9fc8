import { startTestApp, type RunningApp } from '../helpers/app';
import { EventStream } from '../helpers/sse';
import { call } from '../backoffice/helpers';
import { DirectLineUser } from '../notify/directline-client';
import { EmulatorChat, FakeConnector } from '../helpers/fake-connector';

const BOOTSTRAP = 'handoff-webchat-bootstrap-token-01234567';

describe('live handoff to an agent on web chat (Direct Line) and /api/messages', () => {
  let running: RunningApp;
  let connector: FakeConnector;
  const api = (method: string, path: string, json?: unknown) => call(running.url, method, path, { token: BOOTSTRAP, json });

  beforeAll(async () => {
    connector = await FakeConnector.start();
    running = await startTestApp({ BACKOFFICE_TOKEN: BOOTSTRAP, OUTBOX_POLL_MS: '60000', BOTFRAMEWORK_ANONYMOUS: 'true' });
  });

  afterAll(async () => {
    await running?.close();
    await connector?.close();
  });

  const settle = async () => {
    await running.app.webchat.idle();
    await running.app.notify.outbox.runOnce();
  };

  it('relays both ways live, and asks for a rating after the conversation and again after the answer to a PQR, once each', async () => {
    const inbox = await EventStream.open(`${running.url}/api/backoffice/inbox/events`, BOOTSTRAP);
    const user = await DirectLineUser.connect(running.url);
    try {
      await user.say('quiero hablar con un asesor');
      await user.waitForBot('¿Autorizas el tratamiento de tus datos');
      await user.say('Acepto');
      await user.waitForBot('te paso con una persona de nuestro equipo');
      await inbox.waitFor((e) => e.event === 'queue' && e.data.waiting === 1);

      const [item] = (await api('GET', '/handoffs?state=waiting')).body.items;
      expect(item.channel).toBe('webchat');
      const live = await EventStream.open(`${running.url}/api/backoffice/handoffs/${item.id}/events`, BOOTSTRAP);
      try {
        expect((await api('POST', `/handoffs/${item.id}/take`)).status).toBe(200);
        await settle();
        await user.waitForBot('tomó tu conversación');
        await api('POST', `/handoffs/${item.id}/messages`, { text: 'Hola, ¿cuál es tu consulta?' });
        await settle();
        await user.waitForBot('Hola, ¿cuál es tu consulta?');
        const before = (await user.botTexts()).length;
        await user.say('Quiero saber por qué me subieron el plan');
        await live.waitFor((e) => e.event === 'message' && e.data.from === 'user' && e.data.text === 'Quiero saber por qué me subieron el plan');
        await running.app.webchat.idle();
        expect((await user.botTexts()).length).toBe(before);
        expect((await api('POST', `/handoffs/${item.id}/close`, { note: 'Consulta resuelta' })).status).toBe(200);
        await settle();
        await user.waitForBot('¿Cómo calificas la atención?');
      } finally {
        await live.close();
      }

      // A "7" is no score: the question is dropped and the message goes on as any other.
      await user.say('7');
      await running.app.webchat.idle();
      expect((await user.botTexts()).slice(-1)[0]).not.toContain('Gracias por calificarnos');
      expect(await running.db.prisma.rating.findFirst({ where: { handoffId: item.id } })).toMatchObject({ state: 'dismissed', score: null });

      // The operator answers a PQR of this user: once the answer is delivered they are asked about it.
      const filed = await running.app.pqr.file({
        type: 'peticion',
        description: 'Solicito copia del contrato',
        user: { channel: 'webchat', userId: user.userId },
        customer: { kind: 'non_customer', fullName: 'Ana Pérez', documentType: 'CC', documentNumber: '1015123456', email: 'ana@example.com' },
        notifyChannel: 'webchat',
        notifyAddress: `webchat:${user.userId}`,
      });
      expect((await api('POST', `/pqrs/${filed.cun}/answer`, { text: 'Adjuntamos la copia del contrato.', outcome: 'favorable' })).status).toBe(200);
      await settle();
      await settle();
      await user.waitForBot('Adjuntamos la copia del contrato.');
      const asked = (await user.botTexts()).filter((text) => text.includes('¿Cómo calificas la atención?'));
      expect(asked).toHaveLength(2);
      await user.say('5');
      await user.waitForBot('¡Gracias por calificarnos!');
      // Instead of a comment, a new request: it is served at once, and the score stays.
      const before = (await user.botTexts()).length;
      await user.say('cómo va mi pqr');
      await running.app.webchat.idle();
      const next = (await user.botTexts()).slice(before).join('\n');
      expect(next).toContain(filed.cun);
      expect(next).not.toContain('Gracias');
      // The answer is delivered again by nobody, but if the trigger fires twice the question is not repeated.
      expect(await running.app.handoffs.ratings.ask({ subject: 'answer', user: { channel: 'webchat', userId: user.userId }, pqrId: (await running.db.prisma.pqr.findUniqueOrThrow({ where: { cun: filed.cun } })).id })).toBe(false);

      const ratings = await api('GET', '/ratings?from=2026-11-23&to=2026-11-23');
      expect(ratings.body.items).toEqual([expect.objectContaining({ score: 5, comment: null, subject: 'answer', cun: filed.cun, handoffId: null, channel: 'webchat' })]);
    } finally {
      await inbox.close();
    }
  });

  it('works the same from the Bot Framework Emulator: agent replies and the bot notices reach the connector', async () => {
    await api('POST', '/inbox/heartbeat');
    const chat = new EmulatorChat(connector.url);
    const say = async (text: string) => {
      const before = connector.sent(chat.conversationId).length;
      expect((await fetch(`${running.url}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(chat.message(text)) })).status).toBe(200);
      return connector.sent(chat.conversationId).slice(before).map((a) => a.text ?? '').join('\n');
    };
    await say('necesito hablar con una persona');
    expect(await say('Acepto')).toContain('te paso con una persona de nuestro equipo');
    const items = (await api('GET', '/handoffs?state=waiting')).body.items as { id: number; channel: string }[];
    const item = items.find((i) => i.channel === 'botframework:emulator')!;
    expect((await api('POST', `/handoffs/${item.id}/take`)).status).toBe(200);
    await api('POST', `/handoffs/${item.id}/messages`, { text: '¿Me cuentas tu caso?' });
    await running.app.notify.outbox.runOnce();
    expect(connector.sent(chat.conversationId).map((a) => a.text).join('\n')).toContain('¿Me cuentas tu caso?');
    expect(await say('Tengo un cobro doble')).toBe('');
    expect((await api('GET', `/handoffs/${item.id}`)).body.messages.map((m: { text: string }) => m.text)).toContain('Tengo un cobro doble');
    expect((await api('POST', `/handoffs/${item.id}/close`, { note: '' })).status).toBe(200);
    await running.app.notify.outbox.runOnce();
    const last = connector.sent(chat.conversationId).slice(-1)[0];
    expect(last.text).toContain('¿Cómo calificas la atención?');
    expect(last.suggestedActions?.actions.map((a) => a.title)).toEqual(['1 · Muy mala', '2 · Mala', '3 · Regular', '4 · Buena', '5 · Excelente']);
  });
});
