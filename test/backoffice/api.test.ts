import { saveAgent, SessionSigner } from '../../src/backoffice';
import { FixedClock, verifyChain } from '../../src/pqr';
import { startTestApp, type RunningApp } from '../helpers/app';
import { BOOTSTRAP_TOKEN, call, fileCase, login, pdfText } from './helpers';

const SESSION_SECRET = 'backoffice-session-secret-for-tests';
const NOW = '2026-12-14T15:00:00Z';

describe('back office API', () => {
  let running: RunningApp;
  let clock: FixedClock;
  let url: string;
  let agentToken: string;
  let supervisorToken: string;
  const cuns: Record<'old' | 'mid' | 'recent' | 'queja', string> = { old: '', mid: '', recent: '', queja: '' };

  beforeAll(async () => {
    clock = new FixedClock('2026-11-03T15:00:00Z');
    running = await startTestApp({ BACKOFFICE_TOKEN: BOOTSTRAP_TOKEN, BACKOFFICE_SESSION_SECRET: SESSION_SECRET }, clock);
    url = running.url;
    const { app } = running;
    cuns.old = (await fileCase(app)).cun;
    clock.set('2026-11-23T15:00:00Z');
    cuns.mid = (await fileCase(app, { brandId: 'andes', line: '3109876543' })).cun;
    clock.set('2026-12-01T15:00:00Z');
    cuns.recent = (await fileCase(app, { channel: 'webchat', userId: 'dl_recent' })).cun;
    cuns.queja = (await fileCase(app, { type: 'queja', channel: 'webchat', userId: 'dl_queja' })).cun;
    clock.set(NOW);
    await saveAgent(app.db.prisma, { email: 'Ana@Operador.co', name: 'Ana Agente', role: 'agent', password: 'clave-de-ana-123' });
    await saveAgent(app.db.prisma, { email: 'sofia@operador.co', name: 'Sofía Supervisora', role: 'supervisor', password: 'clave-de-sofia-123' });
    agentToken = await login(url, 'ana@operador.co', 'clave-de-ana-123');
    supervisorToken = await login(url, 'sofia@operador.co', 'clave-de-sofia-123');
  });
  afterAll(() => running.close());
  beforeEach(() => clock.set(NOW));

  describe('authentication', () => {
    const routes: [string, string][] = [
      ['GET', '/me'],
      ['GET', '/pqrs'],
      ['GET', '/pqrs/0101-26-0000000001'],
      ['POST', '/pqrs/0101-26-0000000001/answer'],
      ['POST', '/pqrs/0101-26-0000000001/recurso/decision'],
      ['POST', '/pqrs/0101-26-0000000001/traslado'],
      ['GET', '/pqrs/0101-26-0000000001/expediente'],
      ['GET', '/pqrs/0101-26-0000000001/expediente.pdf'],
    ];

    it.each(routes)('%s %s answers 401 without a token', async (method, path) => {
      const response = await call(url, method, path, method === 'POST' ? { json: { text: 'x', outcome: 'favorable' } } : {});
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('unauthorized');
      expect(response.headers.get('www-authenticate')).toContain('Bearer');
    });

    it('refuses a forged, foreign, malformed or expired session with 401', async () => {
      const [prefix, payload, mac] = agentToken.split('.');
      const otherAgent = Buffer.from(JSON.stringify({ sub: 2, iat: 0, exp: 4_102_444_800 })).toString('base64url');
      // A changed signature: its first character swapped for another (a fixed 'AA' ending was the real one about once in 1,024 runs).
      const tampered = `${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
      const forged = [`${prefix}.${otherAgent}.${mac}`, `${prefix}.${payload}.${tampered}`, 'not-a-token', `${agentToken}.extra`];
      for (const token of forged) {
        const response = await call(url, 'GET', '/pqrs', { token });
        expect(response.status).toBe(401);
        expect(response.body.error.code).toBe('invalid_token');
      }
      const foreign = new SessionSigner('another-secret-of-another-operator').sign(1, 3600, clock.now()).token;
      expect((await call(url, 'GET', '/pqrs', { token: foreign })).status).toBe(401);

      clock.advanceHours(8);
      const expired = await call(url, 'GET', '/pqrs', { token: agentToken });
      expect(expired.status).toBe(401);
      expect(expired.body.error.code).toBe('session_expired');
    });

    it('signs in an agent created with a hashed password, whatever the e-mail case', async () => {
      const row = await running.app.db.prisma.agent.findUniqueOrThrow({ where: { email: 'ana@operador.co' } });
      expect(row.passwordHash).toMatch(/^\$2[aby]\$12\$/);
      expect(row.passwordHash).not.toContain('clave-de-ana-123');
      const response = await call(url, 'POST', '/login', { json: { email: ' ANA@operador.co ', password: 'clave-de-ana-123' } });
      expect(response.status).toBe(200);
      expect(response.body.agent).toMatchObject({ name: 'Ana Agente', role: 'agent' });
      expect(new Date(response.body.expiresAt).getTime()).toBe(clock.now().getTime() + 8 * 3600_000);
      const me = await call(url, 'GET', '/me', { token: response.body.token });
      expect(me.body).toEqual({ name: 'Ana Agente', role: 'agent', kind: 'agent' });
    });

    it('refuses a wrong password, an unknown e-mail and a deactivated agent alike', async () => {
      const wrong = await call(url, 'POST', '/login', { json: { email: 'ana@operador.co', password: 'otra-clave-123' } });
      const unknown = await call(url, 'POST', '/login', { json: { email: 'nadie@operador.co', password: 'clave-de-ana-123' } });
      expect([wrong.status, unknown.status]).toEqual([401, 401]);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.body.error.code).toBe('invalid_credentials');
      expect((await call(url, 'POST', '/login', { json: { email: 'ana@operador.co' } })).status).toBe(400);

      const { id } = await saveAgent(running.app.db.prisma, { email: 'leo@operador.co', name: 'Leo', role: 'agent', password: 'clave-de-leo-123' });
      const token = await login(url, 'leo@operador.co', 'clave-de-leo-123');
      await running.app.db.prisma.agent.update({ where: { id }, data: { active: false } });
      expect((await call(url, 'GET', '/pqrs', { token })).status).toBe(401);
      expect((await call(url, 'POST', '/login', { json: { email: 'leo@operador.co', password: 'clave-de-leo-123' } })).status).toBe(401);
    });

    it('accepts BACKOFFICE_TOKEN as a bearer with supervisor rights, and nothing close to it', async () => {
      const me = await call(url, 'GET', '/me', { token: BOOTSTRAP_TOKEN });
      expect(me.body).toEqual({ name: 'BACKOFFICE_TOKEN', role: 'supervisor', kind: 'bootstrap' });
      expect((await call(url, 'GET', '/me', { token: `${BOOTSTRAP_TOKEN}x` })).status).toBe(401);
      expect((await call(url, 'GET', '/me', { token: BOOTSTRAP_TOKEN.slice(0, -1) })).status).toBe(401);
    });

    it('signs out on the server: the same token then gets 401 although its signature is valid, and the agent\'s other sessions go on', async () => {
      const leaving = await login(url, 'ana@operador.co', 'clave-de-ana-123');
      const staying = await login(url, 'ana@operador.co', 'clave-de-ana-123');
      expect((await call(url, 'GET', '/me', { token: leaving })).status).toBe(200);

      const out = await call(url, 'POST', '/logout', { token: leaving });
      expect(out.status).toBe(200);
      const after = await call(url, 'GET', '/pqrs', { token: leaving });
      expect(after.status).toBe(401);
      expect(after.body.error).toEqual({ code: 'session_revoked', message: expect.stringMatching(/signed out/) });
      expect((await call(url, 'POST', '/logout', { token: leaving })).status).toBe(401);
      expect((await call(url, 'GET', '/me', { token: staying })).status).toBe(200);
    });

    it('keeps a signed-out session refused on another instance too, and forgets it once it would have expired anyway', async () => {
      const token = await login(url, 'sofia@operador.co', 'clave-de-sofia-123');
      expect((await call(url, 'POST', '/logout', { token })).status).toBe(200);
      const { sessionId } = new SessionSigner(SESSION_SECRET).verify(token, clock.now()) as { sessionId: string };
      expect(await running.app.db.prisma.revokedSession.count({ where: { jti: sessionId } })).toBe(1);
      clock.advanceHours(9);
      const later = await login(url, 'sofia@operador.co', 'clave-de-sofia-123');
      expect((await call(url, 'POST', '/logout', { token: later })).status).toBe(200);
      expect(await running.app.db.prisma.revokedSession.count({ where: { jti: sessionId } })).toBe(0);
    });

    it('answers 400 to signing out BACKOFFICE_TOKEN, saying how to revoke it, and 401 to signing out nobody', async () => {
      const bootstrap = await call(url, 'POST', '/logout', { token: BOOTSTRAP_TOKEN });
      expect(bootstrap.status).toBe(400);
      expect(bootstrap.body.error.message).toMatch(/change it in the environment/);
      expect((await call(url, 'GET', '/me', { token: BOOTSTRAP_TOKEN })).status).toBe(200);
      expect((await call(url, 'POST', '/logout')).status).toBe(401);
    });

    it('answers 403 when an agent does what only a supervisor may', async () => {
      const decision = await call(url, 'POST', `/pqrs/${cuns.old}/recurso/decision`, { token: agentToken, json: { text: 'Se confirma', outcome: 'confirma' } });
      expect(decision.status).toBe(403);
      expect(decision.body.error.code).toBe('forbidden');
      expect((await call(url, 'POST', `/pqrs/${cuns.old}/traslado`, { token: agentToken })).status).toBe(403);
    });
  });

  describe('queue', () => {
    it('lists filed PQRs by due date with their traffic light', async () => {
      const response = await call(url, 'GET', '/pqrs', { token: agentToken });
      expect(response.status).toBe(200);
      expect(response.body.total).toBe(4);
      const items = response.body.items as { cun: string; light: string; overdue: boolean; type: string; status: string; channel: string; brand: string; dueDate: string; filedAt: string }[];
      expect(items.map((i) => i.cun)).toEqual([cuns.old, cuns.mid, cuns.recent, cuns.queja]);
      expect(items.map((i) => i.light)).toEqual(['overdue', 'due_soon', 'on_time', 'on_time']);
      expect(items.map((i) => i.overdue)).toEqual([true, false, false, false]);
      expect(items[1]).toMatchObject({ type: 'reclamo', status: 'radicada', channel: 'whatsapp', brand: 'andes', dueDate: '2026-12-16T04:59:59.999Z', filedAt: '2026-11-23T15:00:00.000Z' });
    });

    it('filters by status, type, brand, channel and overdue', async () => {
      const cunsOf = async (query: string) => ((await call(url, 'GET', `/pqrs?${query}`, { token: agentToken })).body.items as { cun: string }[]).map((i) => i.cun);
      expect(await cunsOf('type=queja')).toEqual([cuns.queja]);
      expect(await cunsOf('brand=andes')).toEqual([cuns.mid]);
      expect(await cunsOf('channel=webchat')).toEqual([cuns.recent, cuns.queja]);
      expect(await cunsOf('overdue=true')).toEqual([cuns.old]);
      expect(await cunsOf('overdue=false&channel=whatsapp')).toEqual([cuns.mid]);
      expect(await cunsOf('status=cerrada')).toEqual([]);
      expect(await cunsOf('status=radicada,en_tramite&type=reclamo&channel=webchat')).toEqual([cuns.recent]);
    });

    it('pages, with bounded page sizes', async () => {
      const first = await call(url, 'GET', '/pqrs?pageSize=3', { token: agentToken });
      const second = await call(url, 'GET', '/pqrs?pageSize=3&page=2', { token: agentToken });
      expect(first.body.items).toHaveLength(3);
      expect(second.body.items.map((i: { cun: string }) => i.cun)).toEqual([cuns.queja]);
      expect(second.body.total).toBe(4);
      expect((await call(url, 'GET', '/pqrs?page=9', { token: agentToken })).body.items).toEqual([]);
      for (const bad of ['pageSize=101', 'pageSize=0', 'page=0', 'page=-1', 'status=abierta', 'type=reclamos', 'overdue=yes']) {
        const response = await call(url, 'GET', `/pqrs?${bad}`, { token: agentToken });
        expect([bad, response.status, response.body.error.code]).toEqual([bad, 400, 'bad_request']);
      }
    });
  });

  describe('case and actions', () => {
    it('shows a case with its owner, deadlines and events, by CUN with or without dashes', async () => {
      const response = await call(url, 'GET', `/pqrs/${cuns.mid.replace(/-/g, '')}`, { token: agentToken });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        cun: cuns.mid,
        status: 'radicada',
        light: 'due_soon',
        description: 'Me cobraron un paquete de datos que no pedí',
        owner: { kind: 'subscriber', brand: 'Andes Cel', line: '3109876543' },
        deadlines: { dueDate: '2026-12-16T04:59:59.999Z' },
        actions: { answer: true, decideRecurso: false, traslado: false },
      });
      expect(response.body.events.map((e: { action: string }) => e.action)).toEqual(['radicada']);
      expect((await call(url, 'GET', '/pqrs/0101-26-9999999999', { token: agentToken })).status).toBe(404);
      expect((await call(url, 'GET', '/pqrs/not-a-cun', { token: agentToken })).status).toBe(404);
    });

    it('hands out a case’s evidence, and only that case’s', async () => {
      const prisma = running.app.db.prisma;
      const pqr = await prisma.pqr.findUniqueOrThrow({ where: { cun: cuns.mid } });
      const data = Buffer.from('nota de voz');
      const evidence = await prisma.attachment.create({ data: { pqrId: pqr.id, kind: 'audio', mimeType: 'audio/ogg', fileName: 'nota.ogg', size: data.length, sha256: 'f'.repeat(64), data } });
      const shown = await call(url, 'GET', `/pqrs/${cuns.mid}`, { token: agentToken });
      expect(shown.body.attachments).toEqual([expect.objectContaining({ id: evidence.id, kind: 'audio', fileName: 'nota.ogg', size: data.length })]);
      expect(shown.body.attachments[0]).not.toHaveProperty('data');
      const download = await call(url, 'GET', `/pqrs/${cuns.mid}/attachments/${evidence.id}`, { token: agentToken });
      expect(download.status).toBe(200);
      expect(download.headers.get('content-disposition')).toBe('attachment; filename="nota.ogg"');
      expect(Buffer.compare(download.body, data)).toBe(0);
      expect((await call(url, 'GET', `/pqrs/${cuns.old}/attachments/${evidence.id}`, { token: agentToken })).status).toBe(404);
      expect((await call(url, 'GET', `/pqrs/${cuns.mid}/attachments/${evidence.id}`)).status).toBe(401);
    });

    it('shows the web chat conversation of the case’s user', async () => {
      const { app } = running;
      const conversation = await app.db.prisma.directLineConversation.create({ data: { id: 'conv-recent', userId: 'dl_recent' } });
      await app.db.prisma.directLineActivity.createMany({
        data: [
          { conversationId: conversation.id, seq: 1, activity: JSON.stringify({ type: 'message', text: 'me cobraron algo raro', from: { id: 'dl_recent', role: 'user' }, timestamp: '2026-12-01T14:59:00.000Z' }) },
          { conversationId: conversation.id, seq: 2, activity: JSON.stringify({ type: 'message', text: 'Radiqué tu reclamo', from: { id: 'bot', role: 'bot' }, timestamp: '2026-12-01T15:00:00.000Z' }) },
          { conversationId: conversation.id, seq: 3, activity: JSON.stringify({ type: 'typing', from: { id: 'bot' } }) },
        ],
      });
      const response = await call(url, 'GET', `/pqrs/${cuns.recent}`, { token: agentToken });
      expect(response.body.conversation).toEqual([
        { at: '2026-12-01T14:59:00.000Z', from: 'user', text: 'me cobraron algo raro' },
        { at: '2026-12-01T15:00:00.000Z', from: 'bot', text: 'Radiqué tu reclamo' },
      ]);
    });

    it('answers once (CUN without dashes), and refuses a second answer, an empty one and an unknown CUN', async () => {
      const compact = cuns.recent.replace(/-/g, '');
      const empty = await call(url, 'POST', `/pqrs/${compact}/answer`, { token: agentToken, json: { text: '   ', outcome: 'favorable' } });
      expect([empty.status, empty.body.error.code]).toEqual([400, 'empty_text']);
      const badOutcome = await call(url, 'POST', `/pqrs/${compact}/answer`, { token: agentToken, json: { text: 'Listo', outcome: 'maybe' } });
      expect([badOutcome.status, badOutcome.body.error.code]).toEqual([400, 'invalid_outcome']);
      const malformed = await call(url, 'POST', `/pqrs/${compact}/answer`, { token: agentToken, raw: '{"text": "sin cerrar' });
      expect([malformed.status, malformed.body.error.code]).toEqual([400, 'bad_request']);
      const notObject = await call(url, 'POST', `/pqrs/${compact}/answer`, { token: agentToken, raw: '["texto"]' });
      expect(notObject.status).toBe(400);

      const answered = await call(url, 'POST', `/pqrs/${compact}/answer`, { token: agentToken, json: { text: 'Devolvimos el valor del paquete.', outcome: 'favorable' } });
      expect(answered.status).toBe(200);
      expect(answered.body).toMatchObject({ cun: cuns.recent, status: 'respondida', answer: { text: 'Devolvimos el valor del paquete.', outcome: 'favorable' } });
      const agent = await running.app.db.prisma.agent.findUniqueOrThrow({ where: { email: 'ana@operador.co' } });
      expect(answered.body.events.at(-1)).toMatchObject({ action: 'respondida', actor: `agent:${agent.id}` });

      const twice = await call(url, 'POST', `/pqrs/${cuns.recent}/answer`, { token: agentToken, json: { text: 'Otra vez', outcome: 'favorable' } });
      expect([twice.status, twice.body.error.code]).toEqual([409, 'invalid_transition']);
      const unknown = await call(url, 'POST', '/pqrs/0101-26-9999999999/answer', { token: agentToken, json: { text: 'Hola', outcome: 'favorable' } });
      expect([unknown.status, unknown.body.error.code]).toEqual([404, 'not_found']);
      expect(await running.app.db.prisma.outbox.count({ where: { idempotencyKey: `${cuns.recent}:respondida` } })).toBe(1);
    });

    it('refuses to decide a recurso that was never filed, with 409', async () => {
      const response = await call(url, 'POST', `/pqrs/${cuns.mid}/recurso/decision`, { token: supervisorToken, json: { text: 'Se confirma', outcome: 'confirma' } });
      expect([response.status, response.body.error.code]).toEqual([409, 'invalid_transition']);
      const traslado = await call(url, 'POST', `/pqrs/${cuns.mid}/traslado`, { token: BOOTSTRAP_TOKEN });
      expect(traslado.status).toBe(409);
    });

    it('takes a case through answer, recurso, decision and traslado; the expediente verifies as JSON and PDF', async () => {
      const { app } = running;
      const cun = cuns.queja;
      await call(url, 'POST', `/pqrs/${cun}/answer`, { token: agentToken, json: { text: 'No encontramos fallas en la señal.', outcome: 'desfavorable' } });
      const row = await app.db.prisma.pqr.findUniqueOrThrow({ where: { cun } });
      await app.lifecycle.markNotified(row.id, clock.now(), { channel: 'webchat' });
      await app.lifecycle.fileRecurso(cun, await app.identities.requester({ channel: 'webchat', userId: 'dl_queja' }), { kind: 'reposicion_apelacion', text: 'La señal sigue fallando' });

      const shown = await call(url, 'GET', `/pqrs/${cun}`, { token: agentToken });
      expect(shown.body.actions).toEqual({ answer: false, decideRecurso: true, traslado: false });
      const decided = await call(url, 'POST', `/pqrs/${cun}/recurso/decision`, { token: supervisorToken, json: { text: 'Se confirma la respuesta.', outcome: 'confirma' } });
      expect(decided.status).toBe(200);
      expect(decided.body).toMatchObject({ status: 'reposicion_decidida', actions: { traslado: true } });
      const moved = await call(url, 'POST', `/pqrs/${cun}/traslado`, { token: supervisorToken });
      expect(moved.body.status).toBe('trasladada_sic');

      const expediente = await call(url, 'GET', `/pqrs/${cun.replace(/-/g, '')}/expediente`, { token: agentToken });
      expect(expediente.status).toBe(200);
      expect(expediente.body.verification).toEqual({ ok: true });
      expect(expediente.body.events.map((e: { action: string }) => e.action)).toEqual(['radicada', 'respondida', 'notificada', 'recurso_interpuesto', 'reposicion_decidida', 'trasladada_sic']);
      // Anyone holding the JSON can check the chain on their own.
      expect(verifyChain(expediente.body.events)).toEqual({ ok: true });

      const pdf = await call(url, 'GET', `/pqrs/${cun}/expediente.pdf`, { token: agentToken });
      expect(pdf.status).toBe(200);
      expect(pdf.headers.get('content-type')).toBe('application/pdf');
      const bytes = pdf.body as Buffer;
      expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
      const text = pdfText(bytes);
      expect(text).toContain(`Expediente de la PQR ${cun}`);
      expect(text).toContain('Trasladada a la SIC');
      expect(text).toContain('Íntegra: los 6 eventos');
      for (const event of expediente.body.events) expect(text).toContain(event.hash);
    });

    it('answers 404 for the expediente of an unknown CUN', async () => {
      expect((await call(url, 'GET', '/pqrs/0101-26-9999999999/expediente', { token: agentToken })).status).toBe(404);
      expect((await call(url, 'GET', '/pqrs/0101-26-9999999999/expediente.pdf', { token: agentToken })).status).toBe(404);
    });
  });

  describe('page', () => {
    it('serves the page with a strict content security policy, and its assets', async () => {
      const page = await fetch(`${url}/backoffice`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      const html = await page.text();
      const scripts = [...html.matchAll(/src="([^"]+)"/g)].map((m) => m[1]);
      expect(scripts.map((src) => src.replace(/\?v=\w+$/, ''))).toEqual(['labels.js', 'chart.js', 'dashboard.js', 'app.js', 'holidays.js', 'inbox.js', 'data-requests.js'].map((name) => `/backoffice/assets/${name}`));
      for (const src of scripts) expect((await fetch(`${url}${src}`)).status).toBe(200);
      expect((await fetch(`${url}/backoffice/assets/nothing.js`)).status).toBe(404);
    });
  });
});

describe('back office: wrong bearers throttled per client IP (behind a proxy)', () => {
  let running: RunningApp;
  let clock: FixedClock;

  beforeAll(async () => {
    clock = new FixedClock(NOW);
    running = await startTestApp({ BACKOFFICE_TOKEN: BOOTSTRAP_TOKEN, BACKOFFICE_SESSION_SECRET: SESSION_SECRET, TRUST_PROXY: 'true' }, clock);
  });
  afterAll(() => running.close());

  const me = (token: string, ip: string) =>
    fetch(`${running.url}/api/backoffice/me`, { headers: { Authorization: `Bearer ${token}`, 'X-Forwarded-For': ip } });

  it('answers 429 with Retry-After after 20 wrong bearers from one address, even to the right one; other addresses go on; the block ends with its window', async () => {
    const guesses = [`${BOOTSTRAP_TOKEN.slice(0, -1)}x`, 'bo1.e30.AAAA', 'not-a-token'];
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await me(guesses[i % guesses.length], '203.0.113.9')).status);
    expect(statuses).toEqual([...Array(20).fill(401), 429]);

    const blocked = await me(BOOTSTRAP_TOKEN, '203.0.113.9');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await blocked.json()) as { error: { code: string } }).error.code).toBe('too_many_attempts');
    expect((await me(BOOTSTRAP_TOKEN, '198.51.100.20')).status).toBe(200);

    clock.advance(16 * 60_000);
    expect((await me(BOOTSTRAP_TOKEN, '203.0.113.9')).status).toBe(200);
  });

  it('does not count expired sessions: an agent coming back after lunch is not a guesser', async () => {
    const expired = new SessionSigner(SESSION_SECRET).sign(1, 60, new Date(clock.now().getTime() - 3_600_000)).token;
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await me(expired, '192.0.2.44')).status);
    expect(new Set(statuses)).toEqual(new Set([401]));
  });
});
