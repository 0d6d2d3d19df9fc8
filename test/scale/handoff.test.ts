import { messages, textOf } from '../helpers/fake-graph';
import { waitFor } from '../helpers/instances';
import { EventStream } from '../helpers/sse';
import { call, login } from '../backoffice/helpers';
import { saveAgent } from '../../src/backoffice';
import { useTwoInstances, WhatsAppUser } from './cluster';

jest.setTimeout(120_000);

const BOOTSTRAP = 'cluster-backoffice-bootstrap-token-0123';

describe('live handoff across two instances on one PostgreSQL', () => {
  const cluster = useTwoInstances({ BACKOFFICE_TOKEN: BOOTSTRAP });

  it('the user writes to one instance, the agent works on the other, and messages flow both ways live', async () => {
    const { db, graph, instances } = cluster;
    const [a, b] = instances;
    const user = new WhatsAppUser('573005559001', { urls: () => [a.url], graph, prisma: db.prisma });
    const onB = (method: string, path: string, json?: unknown) => call(b.url, method, path, { token: BOOTSTRAP, json });

    // Nobody is online yet (and the hour may be outside agents' hours): the user asks to be contacted.
    let replies = await user.say(messages.text(user.phone, 'quiero hablar con un asesor'));
    replies = await user.say(user.tap(replies, 'Acepto'));
    replies = await user.say(user.tap(replies, 'Que me contacten'));
    expect(replies.map(textOf).join('\n')).toContain('un asesor te escribirá por este chat');

    const [item] = (await onB('GET', '/handoffs?state=waiting')).body.items;
    expect(item).toMatchObject({ channel: 'whatsapp', kind: 'callback' });
    const agentView = await EventStream.open(`${b.url}/api/backoffice/handoffs/${item.id}/events`, BOOTSTRAP);
    const otherView = await EventStream.open(`${a.url}/api/backoffice/handoffs/${item.id}/events`, BOOTSTRAP);
    try {
      // Another agent, signed in on instance a, clicks "Tomar" at the same moment: one of them gets it.
      await saveAgent(db.prisma, { email: 'otro@operador.co', name: 'Otro Agente', role: 'agent', password: 'otro-agente-clave-1' });
      const other = await login(a.url, 'otro@operador.co', 'otro-agente-clave-1');
      const takes = await Promise.all([onB('POST', `/handoffs/${item.id}/take`), call(a.url, 'POST', `/handoffs/${item.id}/take`, { token: other })]);
      expect(takes.map((r) => r.status).sort()).toEqual([200, 409]);
      if (takes[0].status !== 200) {
        // The other agent won: their hold lapses as when a tab closes, so the agent on b can take over.
        await db.prisma.handoff.update({ where: { id: item.id }, data: { heldUntil: new Date(Date.now() - 1000) } });
      }
      expect((await onB('POST', `/handoffs/${item.id}/take`)).status).toBe(200);
      // Instance a hears of the take through PostgreSQL's NOTIFY.
      await otherView.waitFor((e) => e.event === 'state' && e.data.state === 'held');

      expect((await onB('POST', `/handoffs/${item.id}/messages`, { text: 'Hola, te llamo por tu solicitud. ¿Qué pasó?' })).status).toBe(200);
      await graph.waitForSent(user.phone, (sent) => sent.some((m) => textOf(m).includes('Hola, te llamo por tu solicitud')));
      await otherView.waitFor((e) => e.event === 'message' && e.data.from === 'agent');

      // The user's reply lands on instance a; the agent's stream on b gets it, and the bot says nothing.
      const before = graph.sent(user.phone).length;
      await user.say(messages.text(user.phone, 'Me bloquearon la línea sin aviso'));
      await agentView.waitFor((e) => e.event === 'message' && e.data.from === 'user' && e.data.text === 'Me bloquearon la línea sin aviso');
      expect(graph.sent(user.phone).slice(before).map(textOf).join('\n')).not.toContain('¿Qué quieres hacer?');

      expect((await onB('POST', `/handoffs/${item.id}/close`, { note: 'Línea desbloqueada' })).status).toBe(200);
      await graph.waitForSent(user.phone, (sent) => sent.some((m) => textOf(m).includes('¿Cómo calificas la atención?')));
      await otherView.waitFor((e) => e.event === 'state' && e.data.state === 'closed');
    } finally {
      await agentView.close();
      await otherView.close();
    }
    await waitFor('the handoff to be closed in the database', async () => ((await db.prisma.handoff.findUnique({ where: { id: item.id } }))?.state === 'closed' ? true : undefined));
  });
});
