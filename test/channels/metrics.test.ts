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

describe('GET /metrics behind METRICS_TOKEN, and HSTS behind a TLS-terminating proxy', () => {
  const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';
  let running: RunningApp;
  beforeAll(async () => {
    running = await startTestApp({ METRICS_TOKEN, TRUST_PROXY: 'true' });
  });
  afterAll(() => running.close());

  it.each([
    ['no Authorization header', {}],
    ['a wrong bearer', { Authorization: 'Bearer metrics-token-for-tests-012345678X' }],
    ['the token without the Bearer scheme', { Authorization: METRICS_TOKEN }],
  ])('refuses %s with 401 and a reason, showing no metric', async (_case, headers) => {
    const response = await fetch(`${running.url}/metrics`, { headers });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const text = await response.text();
    expect(JSON.parse(text).error.message).toMatch(/METRICS_TOKEN/);
    expect(text).not.toContain('pqr_bot_');
  });

  it('serves the metrics to the right bearer', async () => {
    const response = await fetch(`${running.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('pqr_bot_outbox_backlog');
  });

  it('tells browsers to keep to HTTPS when the proxy says the request came over HTTPS, and not when it came over HTTP', async () => {
    const secure = await fetch(`${running.url}/healthz`, { headers: { 'X-Forwarded-Proto': 'https' } });
    expect(secure.headers.get('strict-transport-security')).toMatch(/^max-age=\d{7,}; includeSubDomains$/);
    const plain = await fetch(`${running.url}/healthz`, { headers: { 'X-Forwarded-Proto': 'http' } });
    expect(plain.headers.get('strict-transport-security')).toBeNull();
  });
});

describe('without METRICS_TOKEN or TRUST_PROXY', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startTestApp();
  });
  afterAll(() => running.close());

  it('leaves /metrics open (for a scraper on a private network) and sends no HSTS, whatever X-Forwarded-Proto claims', async () => {
    const response = await fetch(`${running.url}/metrics`, { headers: { 'X-Forwarded-Proto': 'https' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });
});

describe('web chat: new conversations per IP, behind a proxy', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startTestApp({ WEBCHAT_NEW_CONVERSATIONS_PER_SECOND: '0.01', WEBCHAT_NEW_CONVERSATIONS_BURST: '2', TRUST_PROXY: 'true' });
  });
  afterAll(() => running.close());

  it('counts the address the proxy saw, so a client cannot buy a fresh budget by prepending its own X-Forwarded-For entries', async () => {
    const generate = (forwardedFor: string) => fetch(`${running.url}/v3/directline/tokens/generate`, { method: 'POST', headers: { 'X-Forwarded-For': forwardedFor } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await generate(`10.9.9.${i}, 203.0.113.50`)).status);
    expect(statuses).toEqual([200, 200, 429, 429]);
    const refused = await generate('1.2.3.4, 203.0.113.50');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await generate('203.0.113.51')).status).toBe(200);
  });
});
