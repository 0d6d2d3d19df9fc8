import { performance } from 'node:perf_hooks';
import { startTestApp, type RunningApp } from '../helpers/app';

interface Conversation {
  conversationId: string;
  token: string;
}

/** Ten people pasting huge texts into web chat at once must not take the server away from everyone else. */
describe('web chat under ten large messages at once (real server)', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startTestApp();
  });
  afterAll(() => running?.close());

  const start = async (): Promise<Conversation> => (await (await fetch(`${running.url}/v3/directline/tokens/generate`, { method: 'POST' })).json()) as Conversation;
  const send = (conversation: Conversation, text: string, id: string) =>
    fetch(`${running.url}/v3/directline/conversations/${conversation.conversationId}/activities`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${conversation.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'message', text, channelData: { clientActivityID: id } }),
    });
  const health = async (): Promise<{ status: number; ms: number }> => {
    const began = performance.now();
    const response = await fetch(`${running.url}/healthz`);
    await response.arrayBuffer();
    return { status: response.status, ms: performance.now() - began };
  };
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

  it('refuses ten 1 MB messages with 413, answers ten 4,000-character ones, keeps /healthz answering and loses nothing', async () => {
    const baseline: number[] = [];
    for (let i = 0; i < 5; i++) baseline.push((await health()).ms);

    const conversations = await Promise.all(Array.from({ length: 10 }, start));
    const huge = 'Me cobraron un paquete que no pedí. '.repeat(29_000).slice(0, 1_000_000);
    const large = 'Me cobraron un paquete que no pedí. '.repeat(120).slice(0, 4000);
    const posts = Promise.all([
      ...conversations.map((c, i) => send(c, huge, `huge-${i}`).then((r) => ['huge', r.status] as const)),
      ...conversations.map((c, i) => send(c, large, `large-${i}`).then((r) => ['large', r.status] as const)),
    ]);
    const during: { status: number; ms: number }[] = [];
    for (let i = 0; i < 5; i++) during.push(await health());
    const statuses = await posts;
    await running.app.webchat.idle();
    during.push(await health());

    expect(statuses.filter(([kind]) => kind === 'huge').map(([, status]) => status)).toEqual(Array(10).fill(413));
    expect(statuses.filter(([kind]) => kind === 'large').map(([, status]) => status)).toEqual(Array(10).fill(200));
    expect(during.map((h) => h.status)).toEqual(Array(6).fill(200));
    const loaded = during.map((h) => h.ms);
    console.log(`/healthz: baseline median ${median(baseline).toFixed(1)} ms; under load median ${median(loaded).toFixed(1)} ms, worst ${Math.max(...loaded).toFixed(1)} ms (x${(median(loaded) / median(baseline)).toFixed(1)})`);

    // Nothing acknowledged is lost: each accepted message is recorded once, processed, and answered.
    const ids = conversations.map((c) => c.conversationId);
    const inbound = await running.db.prisma.inboundMessage.findMany({ where: { conversationKey: { in: ids } }, select: { conversationKey: true, processedAt: true, lastError: true } });
    expect(inbound).toHaveLength(10);
    expect(inbound.every((row) => row.processedAt !== null && row.lastError === null)).toBe(true);
    for (const conversationId of ids) {
      const stream = await running.db.prisma.directLineActivity.findMany({ where: { conversationId }, select: { activity: true } });
      const roles = stream.map((row) => (JSON.parse(row.activity) as { from: { role: string } }).from.role);
      expect(roles[0]).toBe('user');
      expect(roles.slice(1)).toContain('bot');
    }
  });
});
