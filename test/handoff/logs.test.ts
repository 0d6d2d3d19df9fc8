import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';
import { startTestApp, type RunningApp } from '../helpers/app';
import { FakeGraph } from '../helpers/fake-graph';
import { EventStream } from '../helpers/sse';
import { call } from '../backoffice/helpers';
import { textsOf, whatsAppEnv, WhatsAppUser } from '../helpers/whatsapp-user';

const IDS = { accessToken: 'EAA-handoff-logs-token', appSecret: 'handoff-logs-secret-0123456789', phoneNumberId: '106540352242444' };
const BOOTSTRAP = 'handoff-logs-bootstrap-token-0123456789';
const WA_ID = '573158887766';
const USER_SECRET = 'mi cédula es 1029384756 y vivo en la calle 45';
const AGENT_SECRET = 'Tu saldo pendiente es de 87.350 pesos';
const COMMENT = 'Muy buena atención de parte de Marcela';

/** Ley 1581: a live handoff with debug logging leaves no phone, message or comment in the logs. */
describe('logs of a live handoff hold no personal data', () => {
  let graph: FakeGraph;
  let running: RunningApp;
  const lines: string[] = [];

  beforeAll(async () => {
    graph = await FakeGraph.start(IDS.accessToken);
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    running = await startTestApp({ ...whatsAppEnv(graph, IDS), BACKOFFICE_TOKEN: BOOTSTRAP, OUTBOX_POLL_MS: '60000' }, undefined, { logger: createLogger('debug', sink) });
  });

  afterAll(async () => {
    await running?.close();
    await graph?.close();
  });

  it('queues, relays both ways, closes and takes a rating with a comment, logging none of it', async () => {
    const api = (method: string, path: string, json?: unknown) => call(running.url, method, path, { token: BOOTSTRAP, json });
    await api('POST', '/inbox/heartbeat');
    const user = new WhatsAppUser(running, graph, IDS, WA_ID);
    await user.tap(await user.say('quiero hablar con un asesor'), /^Acepto$/);
    const [item] = (await api('GET', '/handoffs?state=waiting')).body.items;
    const stream = await EventStream.open(`${running.url}/api/backoffice/handoffs/${item.id}/events`, BOOTSTRAP);
    try {
      await api('POST', `/handoffs/${item.id}/take`);
      await user.say(USER_SECRET);
      await stream.waitFor((e) => e.event === 'message' && e.data.text === USER_SECRET);
      await api('POST', `/handoffs/${item.id}/messages`, { text: AGENT_SECRET });
      await api('POST', `/handoffs/${item.id}/close`, { note: 'nota con 1029384756' });
    } finally {
      await stream.close();
    }
    await running.app.notify.outbox.runOnce();
    const question = graph.sent(WA_ID).slice(-1);
    expect(textsOf(await user.tap(question, /^4 · Buena$/))).toContain('¡Gracias por calificarnos!');
    await user.say(COMMENT);
    expect(await running.db.prisma.rating.findFirst({ where: { handoffId: item.id } })).toMatchObject({ score: 4, comment: COMMENT });

    const log = lines.join('\n');
    expect(lines.length).toBeGreaterThan(10);
    for (const secret of [WA_ID, WA_ID.slice(2), '1029384756', 'calle 45', '87.350', 'Marcela', 'nota con']) expect(log).not.toContain(secret);
  });
});
