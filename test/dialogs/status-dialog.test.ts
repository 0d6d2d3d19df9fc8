import { actionsOf, createTestBot, play, textOf, type Conversation, type TestBot } from '../helpers/bot';
import { TestSmtpServer } from '../helpers/smtp';
import { answerHereAndFile, asNonCustomer, asSubscriber, CHANNEL_FACTS, consent, cunIn, MENU, NON_CUSTOMER } from './flows';

let bot: TestBot;
/** Filed by a non-customer on the web page (journey 2), answer by e-mail. */
let peticionCun: string;
/** Filed by a subscriber, answer in the chat. */
let reclamoCun: string;
let subscriber: Conversation;
/** Where one-time codes by e-mail arrive. */
let smtp: TestSmtpServer;

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  bot = await createTestBot({ env: { SMTP_URL: smtp.url } });
  const web = bot.conversation({ channelId: 'webchat', userId: 'web-ana' });
  const filed = await play(web, [
    { say: 'quiero solicitar una copia de mi contrato', expect: ['¿Autorizas'] },
    ...consent,
    ...asNonCustomer(),
    { say: 'necesito una copia del contrato que firmé cuando compré el equipo', expect: ['¿Quieres agregar algo más?'] },
    { say: 'Es todo', expect: ['tu caso es de tipo *petición*'] },
    { say: 'Sí', expect: ['¿Dónde quieres recibir la respuesta?'] },
    { say: 'Por correo', expect: [`• Respuesta: tu correo ${NON_CUSTOMER.email}`] },
    { say: 'Sí, radicar', expect: ['¡Listo! Radicamos tu petición.', /CUN: \*0100-26-\d{10}\*/] },
  ]);
  peticionCun = cunIn(textOf(filed.at(-1)!));

  subscriber = bot.conversation({ channelId: 'telegram', userId: 'tg-1001' });
  const filedReclamo = await play(subscriber, [{ say: 'me cobraron un paquete que no pedí' }, ...consent, ...asSubscriber('3009876543'), { say: 'Es todo' }, { say: 'Sí' }, ...answerHereAndFile]);
  reclamoCun = cunIn(textOf(filedReclamo.at(-1)!));
});
afterAll(async () => {
  await bot.close();
  await smtp.close();
});

/** The code in the latest e-mail to `to`. */
function codeMailedTo(to: string): string {
  const mail = smtp.received.filter((m) => m.to.includes(to)).at(-1);
  const code = /\b(\d{6})\b/.exec(mail?.text ?? '')?.[1];
  if (!code) throw new Error(`no code mailed to ${to}`);
  return code;
}

const digitsOf = (cun: string) => cun.replace(/-/g, '');

describe('journey 2: the non-customer asks, in a new conversation, how the petición is going', () => {
  it('by CUN without dashes and the document number: only the CUN lookup fields; a code to the e-mail on file shows the rest', async () => {
    const conversation = bot.conversation({ channelId: 'webchat', userId: 'web-ana-new-session' });
    await play(conversation, [
      { say: 'Consultar una PQR', expect: ['No encontramos PQR abiertas radicadas desde este chat.', 'Escribe el CUN de tu PQR'], actions: ['No tengo el CUN'] },
      { say: digitsOf(peticionCun), expect: ['Para proteger tu información, escribe el número de documento o la línea móvil'] },
      {
        say: NON_CUSTOMER.document,
        expect: [
          `PQR *${peticionCun}*\n• Estado: radicada`,
          '• Fecha de radicación: 23 de noviembre de 2026',
          '• Fecha máxima de respuesta: 15 de diciembre de 2026',
          'confirma que eres el titular: te enviamos un código de 6 dígitos a tu correo a***@correo.com',
        ],
        // No type, description, notification address, name or e-mail before the code.
        reject: ['(petición)', 'Dirección de notificación', 'copia del contrato', NON_CUSTOMER.email, NON_CUSTOMER.name],
        actions: ['Enviar código', 'Volver al menú'],
      },
      { say: 'Enviar código', expect: ['Te envié un código a tu correo a***@correo.com', 'vence en 10 minutos'], reject: [/\d{6}/] },
    ]);
    const mail = smtp.received.at(-1)!;
    expect(mail.to).toEqual([NON_CUSTOMER.email]);
    expect(mail.subject).toBe('Tu código de verificación');
    await play(conversation, [
      {
        say: codeMailedTo(NON_CUSTOMER.email),
        expect: [
          '¡Listo! Confirmamos que eres el titular.',
          `PQR *${peticionCun}* (petición)`,
          // Enough for the owner to recognise the address, not enough to harvest it.
          '• Dirección de notificación: tu correo a***@correo.com',
        ],
        reject: [NON_CUSTOMER.email],
      },
    ]);
    // Proven once, the e-mail's PQRs are this chat's: the list needs no code any more.
    expect(await conversation.sayText('¿cómo va mi PQR?')).toContain(`PQR *${peticionCun}* (petición)`);
    // The stored code is an HMAC, never the code.
    const stored = await bot.db.prisma.verificationCode.findMany();
    expect(stored.length).toBeGreaterThan(0);
    for (const row of stored) expect(row.codeHash).not.toMatch(/^\d{6}$/);
  });

  it('with the CUN in the first message, and the document written with dots: the lookup fields only', async () => {
    await play(bot.conversation({ channelId: 'webchat' }), [
      { say: `hola, quiero saber cómo va el CUN ${digitsOf(peticionCun)}`, expect: ['Para proteger tu información'] },
      { say: '1.020.304.050', expect: [`PQR *${peticionCun}*`, '• Estado: radicada'], reject: ['(petición)', 'Dirección de notificación'] },
    ]);
  });

  it('a subscriber gives the line: the lookup fields only, and without an SMS gateway the other channels for the rest', async () => {
    await play(bot.conversation({ channelId: 'whatsapp' }), [
      { say: reclamoCun, expect: ['Para proteger tu información'] },
      { say: '300 987 6543', expect: [`PQR *${reclamoCun}*`, '• Estado: radicada', 'escríbenos desde el chat con el que radicaste la PQR', '*611'], reject: ['(reclamo)', 'Dirección de notificación'] },
    ]);
  });

  it('three wrong codes get a clear answer and nothing is shown; the right code after that no longer works', async () => {
    const conversation = bot.conversation({ channelId: 'webchat' });
    await conversation.say(`consultar ${peticionCun}`);
    await conversation.say(NON_CUSTOMER.document);
    await conversation.say('Enviar código');
    const code = codeMailedTo(NON_CUSTOMER.email);
    const wrong = code === '000000' ? '111111' : '000000';
    expect(await conversation.sayText(wrong)).toBe('Ese código no es correcto. Te queda(n) 2 intento(s).');
    expect(await conversation.sayText('12345')).toBe('Ese código no es correcto. Te queda(n) 1 intento(s).');
    const last = await conversation.sayText(wrong);
    expect(last).toContain('Ese código ya no sirve: se agotaron los intentos. Por seguridad no mostramos nada.');
    expect(last).not.toContain('(petición)');
    // The right code, typed now, is just a message: nothing is shown.
    expect(await conversation.sayText(code)).not.toContain('(petición)');
    expect(await conversation.sayText('¿cómo va mi PQR?')).toContain('No encontramos PQR abiertas');
  });

  it('"no me acuerdo del CUN": a code to the e-mail the document was filed with, then the list', async () => {
    const conversation = bot.conversation({ channelId: 'webchat' });
    await play(conversation, [
      { say: '¿cómo va mi PQR?', expect: ['Escribe el CUN'] },
      { say: 'No tengo el CUN', expect: ['Sin el CUN podemos buscar tus PQR con tu número de documento'] },
      { say: '79999999', expect: ['No encontramos PQR radicadas con ese documento o línea.'] },
      { say: 'consultar', expect: ['Escribe el CUN'] },
      { say: 'no me acuerdo del número', expect: ['Sin el CUN podemos buscar'] },
      { say: NON_CUSTOMER.document, expect: ['Te envié un código a tu correo a***@correo.com'] },
    ]);
    await play(conversation, [{ say: codeMailedTo(NON_CUSTOMER.email), expect: ['Confirmamos que eres el titular', `PQR *${peticionCun}* (petición)`] }]);
  });
});

describe('only the owner sees a PQR', () => {
  it('a CUN that is not theirs and a CUN that does not exist get the same "no encontramos"', async () => {
    const unknownCun = '0100-26-0000009999';
    const asked: string[][] = [];
    for (const [cun, proof] of [
      [peticionCun, '79999999'],
      [peticionCun, reclamoCun.slice(0, 5) + '12345'],
      [unknownCun, '79999999'],
      [unknownCun, NON_CUSTOMER.document],
    ]) {
      const conversation = bot.conversation();
      const first = await conversation.sayText(`consultar ${cun}`);
      const second = await conversation.sayText(proof);
      asked.push([first, second]);
    }
    expect(asked[0][1]).toBe(bot.texts()('status.notFound'));
    expect(asked[0][1]).toContain('No encontramos una PQR con ese CUN a tu nombre.');
    // Same words, whether the PQR exists or not: nothing to learn by trying CUNs.
    for (const turn of asked) expect(turn).toEqual(asked[0]);
    for (const turn of asked) expect(turn.join('\n')).not.toContain('radicada');
  });
});

describe('journey 3: "¿cómo va mi PQR?" from the user who filed', () => {
  it('shows the open PQR without asking for the CUN', async () => {
    const replies = await subscriber.say('¿cómo va mi PQR?');
    const text = textOf(replies);
    expect(text).toContain(`PQR *${reclamoCun}* (reclamo)`);
    expect(text).toContain('• Estado: radicada');
    expect(text).toContain('• Fecha máxima de respuesta: 15 de diciembre de 2026');
    expect(text).not.toContain('Escribe el CUN');
    expect(actionsOf(replies)).toEqual(['Consultar otro CUN', 'Volver al menú']);
    const back = await subscriber.say('Volver al menú');
    expect(textOf(back)).toBe('¿Qué quieres hacer?');
    expect(actionsOf(back)).toEqual(MENU);
  });

  it('in a new conversation of the same user, with two open PQRs, lists both', async () => {
    const conversation = bot.conversation({ channelId: 'telegram', userId: 'tg-2002' });
    const cuns: string[] = [];
    for (const description of ['me cobraron un paquete que no pedí', 'la señal es muy mala en mi casa desde hace un mes']) {
      const known = cuns.length > 0;
      const steps = known ? [{ say: description }, { say: 'Sí' }] : [{ say: description }, ...consent, ...asSubscriber('3104445566')];
      const filed = await play(conversation, [...steps, { say: 'Es todo' }, { say: 'Sí' }, ...answerHereAndFile]);
      cuns.push(cunIn(textOf(filed.at(-1)!)));
    }
    const text = await bot.conversation({ channelId: 'telegram', userId: 'tg-2002' }).sayText('cómo van mis PQR');
    expect(text).toContain('Tienes 2 PQR abierta(s):');
    for (const cun of cuns) expect(text).toMatch(new RegExp(`• ${cun} \\((reclamo|queja)\\): radicada, respuesta a más tardar el 15 de diciembre de 2026`));
  });

  it('"Consultar otro CUN" after the list asks for one', async () => {
    const replies = await subscriber.say('¿cómo va mi PQR?');
    expect(actionsOf(replies)[0]).toBe('Consultar otro CUN');
    expect(await subscriber.sayText('1')).toContain('Escribe el CUN de tu PQR');
    // Their own PQR needs no proof from the same identity.
    expect(await subscriber.sayText(digitsOf(reclamoCun))).toContain(`PQR *${reclamoCun}*`);
  });
});

describe('a recurso', () => {
  it('is explained with its term, then the user\'s PQRs are shown', async () => {
    const text = await bot.conversation({ channelId: 'telegram', userId: 'tg-1001' }).sayText('no estoy de acuerdo con la respuesta, quiero presentar un recurso de reposición');
    expect(text).toContain('puedes presentar un recurso de reposición');
    expect(text).toContain('dentro de los 10 días hábiles siguientes a la notificación');
    expect(text).toContain(`PQR *${reclamoCun}* (reclamo)`);
  });
});

describe('a malformed CUN', () => {
  it('is asked again with an example; after three tries the other channels are offered', async () => {
    const conversation = bot.conversation();
    await play(conversation, [
      { say: 'consultar', expect: ['Escribe el CUN de tu PQR (son 16 dígitos, por ejemplo 0101-26-0000000042).'] },
      { say: '0100-26-123', expect: ['Ese no parece un CUN.', 'por ejemplo 0101-26-0000000042', 'con o sin guiones'] },
      { say: 'el que me dieron ayer', expect: ['Ese no parece un CUN.'] },
      { say: '01002600000000011', expect: ['Parece que no logramos completar este dato.', 'Escribe *ayuda*', ...CHANNEL_FACTS] },
    ]);
    expect(await conversation.sayText('hola')).toMatch(/^¡Hola!/);
  });

  it('typed right on the second try is looked up', async () => {
    await play(bot.conversation({ channelId: 'telegram', userId: 'tg-1001' }), [
      { say: 'consultar otro CUN', expect: [`PQR *${reclamoCun}*`] },
      { say: 'Consultar otro CUN', expect: ['Escribe el CUN'] },
      { say: '0101-26', expect: ['Ese no parece un CUN.'] },
      { say: `es el ${reclamoCun}`, expect: [`PQR *${reclamoCun}* (reclamo)`] },
    ]);
  });
});
