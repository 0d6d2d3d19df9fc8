import { startTestApp, type RunningApp } from '../helpers/app';
import { FakeGraph, messages } from '../helpers/fake-graph';
import { FakeSmsGateway } from '../helpers/fake-sms';
import { FakeTelegram, telegramUser, updates } from '../helpers/fake-telegram';
import { TestSmtpServer } from '../helpers/smtp';
import { textsOf, whatsAppEnv, WhatsAppUser } from '../helpers/whatsapp-user';
import { CUN, fileAsNonCustomer, WebChat } from '../helpers/webchat';

const IDS = { accessToken: 'EAA-identity-token', appSecret: 'identity-app-secret-0123456789', phoneNumberId: '106540352242888' };
const TELEGRAM_TOKEN = '7100200300:AAH-identity-token_0123456789abcdefghij';
const TELEGRAM_SECRET = 'identity-telegram-secret_0123456789';
const BOOTSTRAP = 'identity-backoffice-bootstrap-token-0123';

const VICTIM = { name: 'Valentina Ruiz Parra', document: '1098765432', email: 'valentina.ruiz@correo.com' };
const STRANGER = { name: 'Mallory Intrusa Pérez', email: 'mallory@evil.test' };
const ANSWER = 'Adjuntamos la copia de tu contrato firmado el 3 de marzo.';

/**
 * Issue 11, attacks 2 and 3 and the owners' journeys, on the real server over real HTTP: web chat
 * through Direct Line, WhatsApp and Telegram webhooks against fakes of their APIs, codes by e-mail
 * to a local SMTP server and by SMS to a fake Jasmin gateway, the back office through its API.
 */
describe('only the owner sees a PQR, on every channel', () => {
  let running: RunningApp;
  let graph: FakeGraph;
  let telegram: FakeTelegram;
  let smtp: TestSmtpServer;
  let sms: FakeSmsGateway;
  let victimChat: WebChat;
  let victimCun: string;

  beforeAll(async () => {
    [graph, telegram, smtp, sms] = await Promise.all([FakeGraph.start(IDS.accessToken), FakeTelegram.start(TELEGRAM_TOKEN), TestSmtpServer.start(), FakeSmsGateway.start()]);
    running = await startTestApp({
      ...whatsAppEnv(graph, IDS),
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      SMTP_URL: smtp.url,
      SMS_GATEWAY_URL: sms.url,
      BACKOFFICE_TOKEN: BOOTSTRAP,
      // Dozens of web chats from one address, typing faster than people: the web chat limits are not what is tested here.
      WEBCHAT_MESSAGES_PER_SECOND: '100',
      WEBCHAT_MESSAGES_BURST: '100',
      WEBCHAT_NEW_CONVERSATIONS_PER_SECOND: '100',
      WEBCHAT_NEW_CONVERSATIONS_BURST: '100',
    });
    victimChat = await WebChat.open(running);
    victimCun = await fileAsNonCustomer(victimChat, VICTIM);
    expect((await backoffice('POST', `/pqrs/${victimCun}/answer`, { text: ANSWER, outcome: 'favorable' })).status).toBe(200);
  });

  afterAll(async () => {
    await running?.close();
    await Promise.all([graph?.close(), telegram?.close(), smtp?.close(), sms?.close()]);
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

  describe('attack 2: a stranger files with the victim\'s document on web chat', () => {
    let strangerCun: string;
    let stranger: WebChat;

    beforeAll(async () => {
      stranger = await WebChat.open(running);
      strangerCun = await fileAsNonCustomer(stranger, { ...STRANGER, document: VICTIM.document });
    });

    it('the stranger\'s "mis PQR" and recurso show only the PQR they filed, never the victim\'s', async () => {
      const status = await stranger.turn('¿cómo va mi PQR?');
      expect(status).toContain(`PQR ${strangerCun}`);
      expect(status).not.toContain(victimCun);
      expect(status).not.toContain(ANSWER);
      await stranger.turn('menú');
      const recurso = await stranger.turn('no estoy de acuerdo con la respuesta, quiero presentar un recurso');
      expect(recurso).not.toContain(victimCun);
      expect(recurso).not.toContain(ANSWER);
      await stranger.turn('menú');
    });

    it('the victim\'s CUN with the victim\'s document shows the stranger only status, filing date and due date', async () => {
      expect(await stranger.turn(`consultar ${victimCun}`)).toContain('Para proteger tu información');
      const seen = await stranger.turn(VICTIM.document);
      expect(seen).toContain(`PQR ${victimCun}\n• Estado: respondida\n• Fecha de radicación: 23 de noviembre de 2026\n• Fecha máxima de respuesta: 15 de diciembre de 2026`);
      for (const secret of [ANSWER, VICTIM.name, VICTIM.email, 'copia del contrato que firmé', 'Dirección de notificación', '(petición)']) expect(seen).not.toContain(secret);
      // The code would go to the victim's e-mail, which the stranger cannot read.
      expect(seen).toContain('tu correo v***@correo.com');
      await stranger.turn('Enviar código');
      expect(smtp.received.at(-1)!.to).toEqual([VICTIM.email]);
      expect(await stranger.turn('000000')).not.toContain(ANSWER);
      await stranger.turn('cancelar');
    });

    it('"no me acuerdo del CUN" with the victim\'s document proves only the stranger\'s own e-mail, which shows only the stranger\'s PQR', async () => {
      // Their own PQR is listed first; "Consultar otro CUN" leads to the search without a CUN.
      expect(await stranger.turn('consultar')).toContain(`PQR ${strangerCun}`);
      expect(await stranger.turn('Consultar otro CUN')).toContain('Escribe el CUN');
      await stranger.turn('No tengo el CUN');
      const sent = await stranger.turn(VICTIM.document);
      expect(sent).toContain('Te envié un código a');
      const listed = await stranger.turn(lastCodeMailedTo(STRANGER.email)!);
      expect(listed).toContain('Confirmamos que eres el titular');
      expect(listed).toContain(`PQR ${strangerCun}`);
      expect(listed).not.toContain(victimCun);
      expect(listed).not.toContain(ANSWER);
    });

    it('the victim\'s name and e-mail on their PQR stay as they gave them; the agent sees the mismatch on the stranger\'s case', async () => {
      const victimRow = await running.app.db.prisma.pqr.findUniqueOrThrow({ where: { cun: victimCun } });
      expect(victimRow).toMatchObject({ requesterName: VICTIM.name, requesterEmail: VICTIM.email, requesterDocumentNumber: VICTIM.document });
      const onFile = await running.app.db.prisma.nonCustomer.findUniqueOrThrow({ where: { documentType_documentNumber: { documentType: 'CC', documentNumber: VICTIM.document } } });
      expect(onFile).toMatchObject({ fullName: VICTIM.name, email: VICTIM.email });

      const victimCase = await backoffice('GET', `/pqrs/${victimCun}`);
      expect(victimCase.body.owner).toMatchObject({ fullName: VICTIM.name, email: VICTIM.email });
      const strangerCase = await backoffice('GET', `/pqrs/${strangerCun}`);
      expect(strangerCase.body.owner).toMatchObject({ fullName: STRANGER.name, email: STRANGER.email, documentNumber: VICTIM.document });
      expect(strangerCase.body.owner.mismatches).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ source: 'record', fullName: VICTIM.name, email: VICTIM.email, fields: ['fullName', 'email'] }),
          expect.objectContaining({ source: 'pqr', cun: victimCun, fields: ['fullName', 'email'] }),
        ]),
      );
      // The stranger's filing is not joined to the victim's record.
      expect((await running.app.db.prisma.pqr.findUniqueOrThrow({ where: { cun: strangerCun } })).nonCustomerId).toBeNull();
    });
  });

  it('attack 3: wrong documents from throwaway chats do not lock the owner out of the CUN', async () => {
    for (let i = 0; i < 6; i++) {
      const throwaway = await WebChat.open(running);
      await throwaway.turn(`consultar ${victimCun}`);
      expect(await throwaway.turn(`7900000${i}`)).toContain('No encontramos una PQR con ese CUN a tu nombre.');
    }
    const persistent = await WebChat.open(running);
    for (let i = 0; i < 5; i++) {
      await persistent.turn(`consultar ${victimCun}`);
      await persistent.turn(`7800000${i}`);
    }
    expect(await persistent.turn(`consultar ${victimCun}`)).toContain('pausamos un rato las consultas');

    // The owner, from a new chat with the right document, is not paused…
    const newChat = await WebChat.open(running);
    await newChat.turn(`consultar ${victimCun}`);
    expect(await newChat.turn(VICTIM.document)).toContain('• Estado: respondida');
    // …and from the chat that filed it sees everything, the answer included.
    const own = await victimChat.turn(`consultar ${victimCun}`);
    expect(own).toContain(`PQR ${victimCun} (petición)`);
    expect(own).toContain(ANSWER);
  });

  describe('owners\' journeys', () => {
    it('a WhatsApp subscriber asks "¿cómo va mi PQR?" and sees the PQR filed for their line elsewhere, without a code', async () => {
      const web = await WebChat.open(running);
      const cun = await fileAsSubscriber(web, '3104445566');
      const subscriber = new WhatsAppUser(running, graph, IDS, '573104445566');
      const replies = textsOf(await subscriber.say('¿cómo va mi PQR?'));
      expect(replies).toContain(cun);
      expect(replies).toContain('Estado: radicada');
      expect(replies).not.toContain('código');
      // Another WhatsApp number sees nothing of it.
      expect(textsOf(await new WhatsAppUser(running, graph, IDS, '573109999999').say('¿cómo va mi PQR?'))).not.toContain(cun);
      // A business-scoped user id without a number proves no line, even with the number in its profile.
      const bsuid = 'CO.13491208655302741918';
      const scoped = messages.text('573104445566', '¿cómo va mi PQR?');
      delete (scoped as { from?: string }).from;
      const scopedUser = new WhatsAppUser(running, graph, IDS, bsuid);
      expect(textsOf(await scopedUser.say({ ...scoped, from_user_id: bsuid }))).not.toContain(cun);
      expect(await running.app.identities.requester({ channel: 'whatsapp', userId: bsuid })).toMatchObject({ identityId: expect.any(Number), lines: [] });
      expect(await running.app.identities.requester({ channel: 'whatsapp', userId: '573104445566' })).toMatchObject({ lines: ['3104445566'] });
    });

    it('a non-customer on web chat who forgot the CUN gets a code by e-mail, types it and sees their PQRs', async () => {
      const person = { name: 'Laura Gómez Díaz', document: '52123456', email: 'laura.gomez@correo.com' };
      const cun = await fileAsNonCustomer(await WebChat.open(running), person);
      const chat = await WebChat.open(running);
      expect(await chat.turn('¿cómo va mi PQR?')).toContain('No encontramos PQR abiertas');
      expect(await chat.turn('no me acuerdo del número')).toContain('Sin el CUN podemos buscar tus PQR');
      expect(await chat.turn('52.123.456')).toContain('Te envié un código a tu correo l***@correo.com');
      const mail = smtp.received.at(-1)!;
      expect(mail.to).toEqual([person.email]);
      expect(mail.subject).toBe('Tu código de verificación');
      const shown = await chat.turn(lastCodeMailedTo(person.email)!);
      expect(shown).toContain('Confirmamos que eres el titular');
      expect(shown).toContain(`PQR ${cun} (petición)`);
      // The code works once.
      expect(await chat.turn(lastCodeMailedTo(person.email)!)).not.toContain('Confirmamos');
    });

    it('three wrong codes get a clear message and nothing is shown', async () => {
      const chat = await WebChat.open(running);
      await chat.turn('consultar');
      await chat.turn('No tengo el CUN');
      expect(await chat.turn(VICTIM.document)).toContain('Te envié un código a');
      expect(await chat.turn('111111')).toContain('Ese código no es correcto. Te queda(n) 2 intento(s).');
      expect(await chat.turn('222222')).toContain('Te queda(n) 1 intento(s).');
      const last = await chat.turn('333333');
      expect(last).toContain('se agotaron los intentos. Por seguridad no mostramos nada.');
      expect(last).not.toContain(victimCun);
      expect(await chat.turn('¿cómo va mi PQR?')).not.toContain(victimCun);
    });

    it('a code by SMS to the line proves a subscriber; floods of code requests are refused per requester and per line', async () => {
      const cun = await fileAsSubscriber(await WebChat.open(running), '3157778899');
      const chat = await WebChat.open(running);
      await chat.turn(`consultar ${cun}`);
      const seen = await chat.turn('315 777 8899');
      expect(seen).toContain('tu línea terminada en 8899 (SMS)');
      expect(await chat.turn('Enviar código')).toContain('Te envié un código a tu línea terminada en 8899 (SMS)');
      const message = sms.sent.at(-1)!;
      expect(message.to).toBe('573157778899');
      const code = /\b(\d{6})\b/.exec(message.content)![1];
      expect(await chat.turn(code)).toContain(`PQR ${cun} (reclamo)`);

      const flooder = await WebChat.open(running);
      const ask = async () => {
        await flooder.turn(`consultar ${cun}`);
        await flooder.turn('3157778899');
        return flooder.turn('Enviar código');
      };
      for (let i = 0; i < 3; i++) expect(await ask()).toContain('Te envié un código');
      expect(await ask()).toContain('Ya enviamos varios códigos hace poco');
      expect(sms.sent).toHaveLength(4);
      // The line has had five codes this hour: a new chat asking for a sixth is refused too.
      const another = await WebChat.open(running);
      await another.turn(`consultar ${cun}`);
      await another.turn('3157778899');
      expect(await another.turn('Enviar código')).toContain('Te envié un código');
      const last = await WebChat.open(running);
      await last.turn(`consultar ${cun}`);
      await last.turn('3157778899');
      expect(await last.turn('Enviar código')).toContain('Ya enviamos varios códigos hace poco');
      expect(sms.sent).toHaveLength(5);
    });

    it('on Telegram a contact shared by someone else proves nothing; the sender\'s own contact proves the line', async () => {
      const cun = await fileAsSubscriber(await WebChat.open(running), '3126665544');
      const user = telegramUser(424_242);
      const say = async (update: Record<string, unknown>) => {
        const before = telegram.sent(user.id).length;
        const response = await fetch(`${running.url}/api/telegram`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': TELEGRAM_SECRET },
          body: JSON.stringify(update),
        });
        expect(response.status).toBe(200);
        await running.app.telegram!.idle();
        return telegram.sent(user.id).slice(before).map((m) => m.visible).join('\n');
      };
      expect(await say(updates.contact(user, '+57 312 666 5544', 999_999))).toContain('Solo puedo tomar tu propio número');
      expect(await say(updates.text(user, '¿cómo va mi PQR?'))).not.toContain(cun);
      await say(updates.text(user, 'menú'));
      await say(updates.contact(user, '+57 312 666 5544', user.id));
      expect(await say(updates.text(user, '¿cómo va mi PQR?'))).toContain(cun);
    });
  });
});

async function fileAsSubscriber(chat: WebChat, line: string): Promise<string> {
  await chat.turn('me cobraron un paquete de datos que nunca pedí y me descontaron el saldo');
  await chat.turn('Acepto');
  await chat.turn('Sí');
  await chat.turn('Vozz Móvil');
  await chat.turn(line);
  await chat.turn('Es todo');
  await chat.turn('Sí');
  await chat.turn('En este chat');
  const filed = await chat.turn('Sí, radicar');
  const cun = CUN.exec(filed)?.[0];
  if (!cun) throw new Error(`not filed: ${filed}`);
  return cun;
}
