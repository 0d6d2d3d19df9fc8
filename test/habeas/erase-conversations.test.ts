import { startTestApp, type RunningApp } from '../helpers/app';
import { FixedClock } from '../../src/pqr';

/**
 * A deletion (Ley 1581 art. 8) takes the bot's memory of the person's chats with it: the dialog
 * and user state always, the transcripts too when no PQR's expediente needs them. Another
 * person's conversations are untouched.
 */
describe('a deletion reaches the bot state and the transcripts', () => {
  let running: RunningApp;
  const clock = new FixedClock('2026-11-23T15:00:00Z');

  beforeAll(async () => {
    running = await startTestApp({}, clock);
  });
  afterAll(() => running?.close());

  /** A WhatsApp user as the channel leaves them: a proven line, state and two processed messages. */
  const chatter = async (userId: string) => {
    const address = { channel: 'whatsapp', userId };
    await running.app.identities.prove(address, 'line', userId, 'channel');
    const prisma = running.app.db.prisma;
    for (const key of [`whatsapp/conversations/${userId}/`, `whatsapp/users/${userId}/`]) await prisma.botState.create({ data: { key, eTag: 'e1', data: '{"dialogState":{}}' } });
    for (const n of [1, 2]) {
      await prisma.inboundMessage.create({ data: { channel: 'whatsapp', externalId: `wamid.${userId}.${n}`, conversationKey: userId, payload: '{"message":{"text":{"body":"hola"}}}', processedAt: new Date() } });
    }
    return running.app.identities.requester(address);
  };
  const leftOf = async (userId: string) => ({
    state: await running.app.db.prisma.botState.count({ where: { key: { contains: `/${userId}/` } } }),
    messages: await running.app.db.prisma.inboundMessage.count({ where: { conversationKey: userId } }),
  });

  it('with no PQR to keep, the state and the recorded messages go; the neighbour keeps theirs', async () => {
    const titular = await chatter('573001110001');
    await chatter('573001110002');
    const request = await running.app.dataRequests.fileReclamo(titular, 'suprimir', null);
    const closed = await running.app.dataRequests.close(request.number, 'Suprimimos sus datos.', 'agent:1');
    expect(closed.erased).toMatchObject({ botState: 2, inboundMessages: 2, proofs: 1 });
    expect(closed.keptUntil).toBeNull();
    expect(await leftOf('573001110001')).toEqual({ state: 0, messages: 0 });
    expect(await leftOf('573001110002')).toEqual({ state: 2, messages: 2 });
  });

  it('with a PQR whose expediente must stay, the state goes and the transcript stays', async () => {
    const titular = await chatter('573001110003');
    await running.app.pqr.file({
      type: 'reclamo',
      description: 'Me cobraron un paquete que no pedí',
      user: { channel: 'whatsapp', userId: '573001110003' },
      customer: { kind: 'subscriber', brandId: 'vozz', line: '3001110003' },
      notifyChannel: 'whatsapp',
      notifyAddress: 'whatsapp:573001110003',
    });
    const request = await running.app.dataRequests.fileReclamo(titular, 'suprimir', null);
    const closed = await running.app.dataRequests.close(request.number, 'Suprimimos lo que no debemos conservar.', 'agent:1');
    expect(closed.erased).toMatchObject({ botState: 2 });
    expect(closed.erased).not.toHaveProperty('inboundMessages');
    expect(closed.keptUntil).not.toBeNull();
    expect(await leftOf('573001110003')).toEqual({ state: 0, messages: 2 });
  });
});
