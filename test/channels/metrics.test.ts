import { startTestApp, type RunningApp } from '../helpers/app';

async function directLineTurn(url: string, text: string): Promise<void> {
  const token = await (await fetch(`${url}/v3/directline/tokens/generate`, { method: 'POST' })).json();
  const auth = { Authorization: `Bearer ${token.token}`, 'Content-Type': 'application/json' };
  const post = await fetch(`${url}/v3/directline/conversations/${token.conversationId}/activities`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ type: 'message', text, from: { id: 'ignored' }, channelData: { clientActivityID: 'metrics-1' } }),
  });
  expect(post.status).toBe(200);
}

describe('GET /metrics (Prometheus)', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startTestApp();
  });
  afterAll(() => running.close());

  it('counts turns per channel, 4xx rejections per route, PQRs by status and the outbox backlog', async () => {
    await directLineTurn(running.url, 'hola');
    await running.app.webchat.idle();
    const unauthorized = await fetch(`${running.url}/v3/directline/conversations/nope/activities`);
    expect(unauthorized.status).toBeGreaterThanOrEqual(400);

    const response = await fetch(`${running.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/pqr_bot_turns_total\{channel="webchat",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/pqr_bot_turn_duration_seconds_count\{channel="webchat"\} [1-9]/);
    expect(text).toMatch(/pqr_bot_http_rejections_total\{route="\/v3\/directline\/conversations\/:conversationId\/activities",status="401"\} 1/);
    expect(text).toMatch(/pqr_bot_pqrs\{status="vencida"\} 0/);
    expect(text).toContain('# TYPE pqr_bot_outbox_backlog gauge');
    expect(text).toContain('process_resident_memory_bytes');
  });
});

describe('web chat: new conversations per IP', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startTestApp({ WEBCHAT_NEW_CONVERSATIONS_PER_SECOND: '0.01', WEBCHAT_NEW_CONVERSATIONS_BURST: '3' });
  });
  afterAll(() => running.close());

  it('refuses a flood of anonymous conversations from one IP with 429 and creates no rows for them', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(`${running.url}/v3/directline/tokens/generate`, { method: 'POST' })).status);
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.slice(3)).toEqual([429, 429, 429]);
    expect(await running.db.prisma.directLineConversation.count()).toBe(3);
  });
});
