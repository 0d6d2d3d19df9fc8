import { startTestApp, type RunningApp } from '../helpers/app';
import { TestSmtpServer } from '../helpers/smtp';
import { fileAsNonCustomer, WebChat } from '../helpers/webchat';

const BOOTSTRAP = 'habeas-backoffice-bootstrap-token-0123456';
const TITULAR = { name: 'Camila Andrea Rojas', document: '1033445566', email: 'camila.rojas@correo.com' };
const STRANGER = { name: 'Mallory Intrusa Pérez', document: '1033445566', email: 'mallory@evil.test' };
const LINK = /(\/api\/data-requests\/(HD-\d{4}-\d{6})\/export\?expires=\d+&sig=[\w-]+)/;

/**
 * Issue 13, data-protection requests (Ley 1581 arts. 14 and 15), end to end on the real server:
 * web chat over Direct Line, codes by e-mail to a local SMTP server, the back office over its API.
 */
describe('a verified person asks what data is held and has it deleted, in the web chat', () => {
  let running: RunningApp;
  let smtp: TestSmtpServer;
  let cun: string;
  let titular: WebChat;
  let link: string;
  let consulta: string;
  let stranger: WebChat;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    running = await startTestApp({
      SMTP_URL: smtp.url,
      BACKOFFICE_TOKEN: BOOTSTRAP,
      WEBCHAT_MESSAGES_PER_SECOND: '100',
      WEBCHAT_MESSAGES_BURST: '100',
      WEBCHAT_NEW_CONVERSATIONS_PER_SECOND: '100',
      WEBCHAT_NEW_CONVERSATIONS_BURST: '100',
    });
    cun = await fileAsNonCustomer(await WebChat.open(running), TITULAR);
  });

  afterAll(async () => {
    await running?.close();
    await smtp?.close();
  });

  const backoffice = async (method: string, path: string, json?: unknown) => {
    const response = await fetch(`${running.url}/api/backoffice${path}`, {
      method,
      headers: { Authorization: `Bearer ${BOOTSTRAP}`, ...(json ? { 'Content-Type': 'application/json' } : {}) },
      body: json ? JSON.stringify(json) : undefined,
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const lastCodeMailedTo = (to: string) => /\b(\d{6})\b/.exec(smtp.received.filter((m) => m.to.includes(to)).at(-1)?.text ?? '')?.[1];

  it('an unverified asker is offered a code and, with a wrong one, gets nothing', async () => {
    const chat = await WebChat.open(running);
    expect(await chat.turn('¿qué datos tienen de mí?')).toContain('primero confirmamos que eres su titular');
    const sent = await chat.turn(TITULAR.document);
    expect(sent).toContain('Te envié un código a tu correo c***@correo.com');
    const refused = await chat.turn('000000');
    for (const secret of [TITULAR.name, TITULAR.email, cun, '/api/data-requests']) expect(refused).not.toContain(secret);
    expect(await running.app.db.prisma.dataRequest.count()).toBe(0);
  });

  it('the verified titular gets the data held at once, with a JSON download, and the consulta is closed', async () => {
    titular = await WebChat.open(running);
    await titular.turn('¿qué datos tienen de mí?');
    await titular.turn(TITULAR.document);
    consulta = await titular.turn(lastCodeMailedTo(TITULAR.email)!);
    expect(consulta).toContain('Confirmamos que eres el titular');
    expect(consulta).toMatch(/Radicamos tu consulta de datos personales HD-2026-\d{6}/);
    expect(consulta).toContain(`• Datos de contacto comprobados: ${TITULAR.email}`);
    expect(consulta).toContain(`• Registro como no cliente: ${TITULAR.name}, CC ${TITULAR.document}, ${TITULAR.email}`);
    expect(consulta).toContain(`• PQR ${cun}, radicada con: ${TITULAR.name}, CC ${TITULAR.document}, ${TITULAR.email}`);
    link = LINK.exec(consulta)![1];

    const download = await fetch(`${running.url}${link}`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toMatch(/attachment; filename="HD-2026-\d{6}\.json"/);
    const json = (await download.json()) as Record<string, any>;
    expect(json.pqrs).toEqual([expect.objectContaining({ cun, requester: expect.objectContaining({ name: TITULAR.name, email: TITULAR.email }) })]);
    expect(json.proofs).toEqual([expect.objectContaining({ kind: 'email', value: TITULAR.email, method: 'code' })]);

    const number = LINK.exec(consulta)![2];
    expect((await backoffice('GET', `/data-requests/${number}`)).body).toMatchObject({ kind: 'consulta', status: 'respondida', dueDate: '2026-12-08T04:59:59.999Z' });
  });

  it('a stranger cannot download the JSON: no signature, a forged one, or one for another request', async () => {
    const [, path, number] = LINK.exec(consulta)!;
    const bare = `/api/data-requests/${number}/export`;
    const other = number.replace(/\d{6}$/, (n) => String(Number(n) + 1).padStart(6, '0'));
    for (const attempt of [bare, `${bare}?expires=9999999999999&sig=forged`, path.replace(number, other), path.replace(/sig=[\w-]+/, 'sig=' + 'A'.repeat(43))]) {
      const response = await fetch(`${running.url}${attempt}`);
      expect(response.status).toBe(403);
      expect(await response.text()).not.toContain(TITULAR.email);
    }
  });

  it('another verified person asking for their data sees only what they proved, never the titular\'s', async () => {
    await fileAsNonCustomer(await WebChat.open(running), STRANGER);
    stranger = await WebChat.open(running);
    await stranger.turn('¿qué datos tienen de mí?');
    // The same document was given by both: each e-mail gets a code, the stranger can read only theirs.
    await stranger.turn(STRANGER.document);
    const seen = await stranger.turn(lastCodeMailedTo(STRANGER.email)!);
    expect(seen).toContain(`• Datos de contacto comprobados: ${STRANGER.email}`);
    for (const secret of [TITULAR.name, TITULAR.email, cun]) expect(seen).not.toContain(secret);
    const json = (await (await fetch(`${running.url}${LINK.exec(seen)![1]}`)).json()) as Record<string, any>;
    expect(JSON.stringify(json)).not.toContain(TITULAR.email);
    // …and their deletion request cannot touch the titular's data.
    expect(await stranger.turn('borren mis datos')).toContain('Radicamos tu solicitud de supresión de datos');
  });

  it('the titular asks for deletion: the case gets its due date, an agent closes it, the PQR\'s expediente stays and the rest is gone', async () => {
    const filed = await titular.turn('por favor borren mis datos');
    expect(filed).toMatch(/Radicamos tu solicitud de supresión de datos HD-2026-\d{6}\. Te responderemos a más tardar el 15 de diciembre de 2026/);
    expect(filed).toContain('la ley nos obliga a conservar el expediente de tus PQR');
    const number = /HD-2026-\d{6}/.exec(filed)![0];

    const queue = await backoffice('GET', '/data-requests');
    expect(queue.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ number, kind: 'reclamo', action: 'suprimir', status: 'abierta', dueDate: '2026-12-16T04:59:59.999Z', light: 'on_time' })]));

    const identityId = (await running.app.db.prisma.dataRequest.findUniqueOrThrow({ where: { number } })).identityId;
    const prisma = running.app.db.prisma;
    const { userId } = await prisma.channelIdentity.findUniqueOrThrow({ where: { id: identityId } });
    const conversations = (await prisma.directLineConversation.findMany({ where: { userId } })).map((c) => c.id);
    const stateOf = () => prisma.botState.count({ where: { OR: conversations.map((id) => ({ key: { startsWith: `webchat/conversations/${id}/` } })) } });
    const transcript = () => prisma.directLineActivity.count({ where: { conversationId: { in: conversations } } });
    expect(await stateOf()).toBeGreaterThan(0);
    const transcriptBefore = await transcript();
    const closed = await backoffice('POST', `/data-requests/${number}/close`, { text: 'Suprimimos los datos que no debemos conservar.' });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'respondida', erased: { proofs: 1, nonCustomerRecords: 1 } });
    expect(await backoffice('POST', `/data-requests/${number}/close`, { text: 'Otra vez.' })).toMatchObject({ status: 409 });

    // The expediente of the PQR is still there, with the requester's data as filed.
    const expediente = await backoffice('GET', `/pqrs/${cun}/expediente`);
    expect(expediente.status).toBe(200);
    expect(JSON.stringify(expediente.body)).toContain(cun);
    expect(await running.app.db.prisma.pqr.findUniqueOrThrow({ where: { cun } })).toMatchObject({ requesterEmail: TITULAR.email, requesterName: TITULAR.name });
    // The bot's memory of the chat goes; its transcript is part of the PQR's expediente and stays.
    expect(await stateOf()).toBe(0);
    expect(await transcript()).toBeGreaterThanOrEqual(transcriptBefore);
    // The rest is gone: the proofs, the non-customer record, the consent; the stranger's data is untouched.
    expect(await running.app.db.prisma.identityProof.count({ where: { identityId } })).toBe(0);
    expect(await running.app.db.prisma.nonCustomer.count({ where: { email: TITULAR.email } })).toBe(0);
    expect(await running.app.db.prisma.identityProof.count({ where: { kind: 'email', value: STRANGER.email } })).toBe(1);
    expect(await running.app.identities.hasConsent({ channel: 'webchat', userId: (await running.app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { id: identityId } })).userId })).toBe(false);

    // The answer reaches the chat the request came from.
    await running.app.notify.outbox.runOnce();
    expect(await titular.waitFor('Respuesta a tu solicitud de supresión')).toContain('conservamos solo el expediente de tus PQR');
    // With its proofs gone, the same chat must prove who it is again before seeing anything.
    expect(await titular.turn('¿qué datos tienen de mí?')).toContain('primero confirmamos que eres su titular');
  });

  it('an update left incomplete is completed when the person comes back, and a revocation takes effect at once', async () => {
    const asked = await stranger.turn('quiero actualizar mis datos');
    expect(asked).toMatch(/Radicamos tu reclamo de actualización de datos HD-2026-\d{6}\. Para tramitarlo dinos qué dato/);
    const number = /HD-2026-\d{6}/.exec(asked)![0];
    await stranger.turn('menú');
    // Back later: the same reclamo is asked for what it lacks, not a second one filed.
    expect(await stranger.turn('actualizar mis datos')).toContain(number);
    const completed = await stranger.turn('Mi correo nuevo es mallory.nueva@evil.test');
    expect(completed).toContain(`Tu reclamo de actualización de datos ${number} quedó completo. Te responderemos a más tardar el 15 de diciembre de 2026`);
    expect((await backoffice('GET', `/data-requests/${number}`)).body).toMatchObject({ status: 'abierta', detail: 'Mi correo nuevo es mallory.nueva@evil.test' });

    expect(await stranger.turn('revoco la autorización para el tratamiento de mis datos')).toContain('Registramos la revocación de tu autorización');
    const identity = await running.app.db.prisma.identityProof.findFirstOrThrow({ where: { value: STRANGER.email }, include: { identity: true } });
    expect(identity.identity.consentRevokedAt).not.toBeNull();
  });

  it('the agent\'s routes need the back office\'s credentials and a reason', async () => {
    const anonymous = await fetch(`${running.url}/api/backoffice/data-requests`);
    expect(anonymous.status).toBe(401);
    expect((await backoffice('POST', '/data-requests/HD-2026-999999/close', { text: 'x' })).status).toBe(404);
    expect((await backoffice('POST', '/data-requests/HD-2026-000001/extend', {})).status).toBe(400);
  });
});
