import { actionsOf, createTestBot, DEFAULT_NOW, play, textOf, type Conversation, type TestBot } from '../helpers/bot';
import { TestSmtpServer } from '../helpers/smtp';
import { answerHereAndFile, asNonCustomer, asSubscriber, consent, cunIn, MENU, NON_CUSTOMER } from './flows';

let bot: TestBot;
/** Where one-time codes by e-mail arrive. */
let smtp: TestSmtpServer;
beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  bot = await createTestBot({ env: { SMTP_URL: smtp.url } });
});
afterAll(async () => {
  await bot.close();
  await smtp.close();
});

/** Tuesday 1 December 2026, 10:00 in Bogotá: the agent answers and the answer is delivered. */
const ANSWERED_AT = '2026-12-01T15:00:00Z';
/** The next day, well within the 10 business days (which end on 16 December: 8 December is a holiday). */
const NEXT_DAY = '2026-12-02T15:00:00Z';
/** Thursday 17 December 2026: one day after the term to file a recurso. */
const AFTER_TERM = '2026-12-17T15:00:00Z';

const ANSWER = 'Revisamos tu caso y el paquete se activó desde tu línea el 20 de noviembre, por eso no procede la devolución.';
const DISAGREE = 'no estoy de acuerdo con la respuesta';
const KINDS = ['Solo reposición', 'Con apelación'];

/** A subscriber on Telegram files a reclamo (on the default Monday) and gets its CUN. */
async function fileReclamo(conversation: Conversation, line: string, known = false): Promise<string> {
  bot.clock.set(DEFAULT_NOW);
  const identify = known ? [{ say: 'Sí' }] : [...consent, ...asSubscriber(line)];
  const filed = await play(conversation, [{ say: 'me cobraron un paquete que no pedí' }, ...identify, { say: 'Es todo' }, { say: 'Sí' }, ...answerHereAndFile]);
  return cunIn(textOf(filed.at(-1)!));
}

/** The agent answers in the back office; the answer reaches the user, unless `notified` is false. */
async function answer(cun: string, { notified = true } = {}): Promise<void> {
  bot.clock.set(ANSWERED_AT);
  const row = await bot.lifecycle.answer(cun, { text: ANSWER, outcome: 'desfavorable' }, 'agent:1');
  if (notified) await bot.lifecycle.markNotified(row.id, bot.clock.now(), { channel: row.notifyChannel });
}

async function pqrRow(cun: string) {
  return bot.db.prisma.pqr.findUniqueOrThrow({ where: { cun }, include: { events: { orderBy: { seq: 'asc' } } } });
}

describe('"no estoy de acuerdo con la respuesta" on an answered PQR', () => {
  it('files a reposición y en subsidio apelación with reasons in several messages', async () => {
    const conversation = bot.conversation({ channelId: 'telegram', userId: 'tg-recurso-1' });
    const cun = await fileReclamo(conversation, '3011110001');
    await answer(cun);
    bot.clock.set(NEXT_DAY);

    await play(conversation, [
      {
        say: DISAGREE,
        expect: [
          'puedes presentar un recurso de reposición',
          `PQR *${cun}* (reclamo)`,
          `• Respuesta del 1 de diciembre de 2026, notificada el 1 de diciembre de 2026: ${ANSWER}`,
          '• Puedes presentar el recurso hasta el 16 de diciembre de 2026.',
          '*Reposición*: le pides a Plintron Colombia que revise su propia decisión.',
          '*Reposición y en subsidio apelación*: si Plintron Colombia confirma su decisión, el caso pasa a la Superintendencia de Industria y Comercio (SIC), que decide.',
        ],
        actions: KINDS,
      },
      { say: 'reposición y en subsidio apelación', expect: ['Cuéntame por qué no estás de acuerdo con la respuesta.'] },
      { say: 'Yo nunca pedí ese paquete, no envié ningún mensaje para activarlo.', expect: ['¿Quieres agregar algo más?'], actions: ['Es todo'] },
      { say: '😡', expect: ['¿Quieres agregar algo más?'] },
      { say: 'Además me lo cobraron dos veces.', expect: ['¿Quieres agregar algo más?'] },
      {
        say: 'Es todo',
        expect: [
          'Revisa tu recurso antes de presentarlo:',
          `• PQR: ${cun}`,
          '• Recurso: reposición y en subsidio apelación',
          '• Motivos: Yo nunca pedí ese paquete, no envié ningún mensaje para activarlo.\nAdemás me lo cobraron dos veces.',
          'Puedes presentarlo hasta el 16 de diciembre de 2026.',
        ],
        actions: ['Sí, presentar', 'Cancelar'],
      },
      {
        say: 'Sí, presentar',
        expect: [
          `¡Listo! Presentamos tu recurso de reposición y en subsidio apelación sobre la PQR *${cun}*.`,
          '• Fecha de presentación: 2 de diciembre de 2026, 10:00 a. m.',
          // 15 business days from the day after filing; 8 December is a holiday.
          '• Fecha máxima para decidirlo: 24 de diciembre de 2026',
          'te enviaremos la respuesta en este chat',
          'enviaremos el expediente completo a la Superintendencia de Industria y Comercio (SIC) dentro de los 5 días hábiles siguientes',
        ],
      },
    ]);

    const pqr = await pqrRow(cun);
    expect(pqr.status).toBe('recurso_interpuesto');
    expect(pqr.recursoKind).toBe('reposicion_apelacion');
    expect(pqr.recursoText).toBe('Yo nunca pedí ese paquete, no envié ningún mensaje para activarlo.\nAdemás me lo cobraron dos veces.');
    expect(pqr.recursoFiledAt).toEqual(new Date(NEXT_DAY));
    const event = pqr.events.at(-1)!;
    expect(event).toMatchObject({ action: 'recurso_interpuesto', actor: 'user:telegram', at: new Date(NEXT_DAY) });
    expect(JSON.parse(event.after!)).toMatchObject({ status: 'recurso_interpuesto', recursoKind: 'reposicion_apelacion' });
    expect(pqr.events.map((e) => e.action)).toEqual(['radicada', 'respondida', 'notificada', 'recurso_interpuesto']);

    // The status now tells the recurso and its term; a second recurso is refused with the reason.
    expect(await conversation.sayText('¿cómo va mi PQR?')).toContain(
      '• Recurso de reposición y en subsidio apelación presentado el 2 de diciembre de 2026; fecha máxima para decidirlo: 24 de diciembre de 2026',
    );
    // The status leaves its buttons open; "menú" closes them.
    await conversation.say('menú');
    const again = await conversation.sayText(`${DISAGREE} de la PQR ${cun}`);
    expect(again).toContain(`Sobre la PQR *${cun}* ya no se puede presentar un recurso de reposición.`);
    expect(again).toContain('• Estado: recurso de reposición presentado');
    expect((await pqrRow(cun)).events).toHaveLength(4);
  });

  it('files a reposición alone, choosing the button by number', async () => {
    const conversation = bot.conversation({ channelId: 'telegram', userId: 'tg-recurso-2' });
    const cun = await fileReclamo(conversation, '3011110002');
    await answer(cun);
    bot.clock.set(NEXT_DAY);
    await play(conversation, [
      { say: 'quiero apelar la respuesta', actions: KINDS },
      { say: '1', expect: ['Cuéntame por qué no estás de acuerdo'] },
      { say: 'La respuesta no explica de dónde salió el cobro.' },
      { say: 'listo', expect: ['• Recurso: reposición\n'] },
      { say: 'Sí', expect: ['¡Listo! Presentamos tu recurso de reposición sobre la PQR', 'Revisaremos nuestra decisión'], reject: ['expediente'] },
    ]);
    expect(await pqrRow(cun)).toMatchObject({ status: 'recurso_interpuesto', recursoKind: 'reposicion', recursoText: 'La respuesta no explica de dónde salió el cobro.' });
  });
});

describe('a recurso that cannot be filed', () => {
  it('after the 10 business days: explained, a new PQR offered, nothing written', async () => {
    const conversation = bot.conversation({ channelId: 'telegram', userId: 'tg-recurso-late' });
    const cun = await fileReclamo(conversation, '3011110003');
    await answer(cun);
    const events = (await pqrRow(cun)).events.length;
    bot.clock.set(AFTER_TERM);
    await play(conversation, [
      {
        say: DISAGREE,
        expect: [
          `La respuesta a tu PQR *${cun}* te fue notificada el 1 de diciembre de 2026.`,
          'El plazo de 10 días hábiles para presentar un recurso de reposición venció el 16 de diciembre de 2026',
          'puedes radicar una nueva PQR',
        ],
        reject: ['Cuéntame por qué'],
        actions: ['Radicar una PQR', 'Volver al menú'],
      },
      // The offer starts a filing; the known customer is offered again.
      { say: 'Radicar una PQR', expect: ['Tenemos registrada tu línea terminada en 0003'] },
    ]);
    const pqr = await pqrRow(cun);
    expect(pqr.status).toBe('respondida');
    expect(pqr.recursoKind).toBeNull();
    expect(pqr.events).toHaveLength(events);
  });

  it('on the last day of the term it is still accepted', async () => {
    const conversation = bot.conversation({ channelId: 'telegram', userId: 'tg-recurso-last-day' });
    const cun = await fileReclamo(conversation, '3011110004');
    await answer(cun);
    bot.clock.set('2026-12-17T04:59:00Z'); // 16 December, 23:59 in Bogotá
    await play(conversation, [{ say: DISAGREE, expect: ['hasta el 16 de diciembre de 2026'], actions: KINDS }, { say: 'Con apelación' }, { say: 'No me parece justa.' }, { say: 'Es todo' }]);
    await play(conversation, [{ say: 'Sí, presentar', expect: ['¡Listo! Presentamos tu recurso'] }]);
    expect((await pqrRow(cun)).status).toBe('recurso_interpuesto');
  });

  it('the term ending between the summary and the confirmation: refused, nothing written', async () => {
    const conversation = bot.conversation({ channelId: 'telegram', userId: 'tg-recurso-race' });
    const cun = await fileReclamo(conversation, '3011110012');
    await answer(cun);
    bot.clock.set('2026-12-16T15:00:00Z');
    await play(conversation, [{ say: DISAGREE, actions: KINDS }, { say: 'Solo reposición' }, { say: 'No estoy de acuerdo.' }, { say: 'Es todo', actions: ['Sí, presentar', 'Cancelar'] }]);
    bot.clock.set(AFTER_TERM);
    await play(conversation, [{ say: 'Sí, presentar', expect: [`El plazo para presentar el recurso sobre la PQR *${cun}* venció el 16 de diciembre de 2026`], reject: ['¡Listo!'] }]);
    expect(await pqrRow(cun)).toMatchObject({ status: 'respondida', recursoText: null });
  });

  it('an answer not yet proven delivered: the reply notifies the user by conduct (CPACA art. 72) and the recurso goes on', async () => {
    const conversation = bot.conversation({ channelId: 'telegram', userId: 'tg-recurso-unnotified' });
    const cun = await fileReclamo(conversation, '3011110005');
    await answer(cun, { notified: false });
    bot.clock.set(NEXT_DAY);
    await play(conversation, [
      {
        say: DISAGREE,
        expect: [`Como respondes a la decisión sobre tu PQR *${cun}*, quedas notificado desde ahora`, 'notificación por conducta concluyente', '• Puedes presentar el recurso hasta el 17 de diciembre de 2026.'],
        actions: KINDS,
      },
      { say: 'Solo reposición' },
      { say: 'Nunca pedí ese paquete.' },
      { say: 'Es todo' },
      { say: 'Sí, presentar', expect: [`sobre la PQR *${cun}*`] },
    ]);
    const row = await pqrRow(cun);
    expect(row.status).toBe('recurso_interpuesto');
    expect(row.notifiedAt).toEqual(bot.clock.now());
    const conduct = row.events.filter((e) => e.action === 'notificada_por_conducta');
    expect(conduct).toHaveLength(1);
    expect(JSON.parse(conduct[0].after!).proof).toMatchObject({ by: 'conducta', channel: 'telegram', text: DISAGREE });
  });
});

describe('a reply to the decision of the recurso', () => {
  it('notifies a decision not yet proven delivered by conduct (CPACA art. 72), with the message as evidence', async () => {
    const userId = 'tg-recurso-decision-conduct';
    const conversation = bot.conversation({ channelId: 'telegram', userId });
    const cun = await fileReclamo(conversation, '3011110012');
    await answer(cun);
    bot.clock.set(NEXT_DAY);
    await bot.lifecycle.fileRecurso(cun, await bot.identities.requester({ channel: 'telegram', userId }), { kind: 'reposicion', text: 'No estoy de acuerdo' });
    await bot.lifecycle.decideRecurso(cun, { text: 'Se confirma la decisión.', outcome: 'confirma' }, 'agent:2');
    const reply = await conversation.sayText(`${DISAGREE} de la PQR ${cun}`);
    expect(reply).toContain(`Sobre la PQR *${cun}* ya no se puede presentar un recurso de reposición.`);
    const row = await pqrRow(cun);
    expect(row.decisionNotifiedAt).toEqual(bot.clock.now());
    const conduct = row.events.at(-1)!;
    expect(conduct.action).toBe('decision_notificada_por_conducta');
    expect(JSON.parse(conduct.after!).proof).toMatchObject({ by: 'conducta', channel: 'telegram', text: `${DISAGREE} de la PQR ${cun}` });
  });
});

describe('which PQR', () => {
  it('with several answered PQRs, the user chooses one by its button', async () => {
    const conversation = bot.conversation({ channelId: 'telegram', userId: 'tg-recurso-several' });
    const first = await fileReclamo(conversation, '3011110006');
    const second = await fileReclamo(conversation, '3011110006', true);
    await answer(first);
    await answer(second);
    bot.clock.set(NEXT_DAY);
    const replies = await conversation.say(DISAGREE);
    const text = textOf(replies);
    expect(text).toContain('Tienes 2 PQR con respuesta. ¿Sobre cuál quieres presentar el recurso?');
    expect(text).toContain(`• ${first} (reclamo): respuesta del 1 de diciembre de 2026`);
    expect(text).toContain(`• ${second} (reclamo): respuesta del 1 de diciembre de 2026`);
    expect(actionsOf(replies).slice(-2)).toEqual(['Otro CUN', 'Volver al menú']);
    expect([...actionsOf(replies).slice(0, 2)].sort()).toEqual([first, second].sort());

    await play(conversation, [
      { say: first, expect: [`PQR *${first}* (reclamo)`, 'hasta el 16 de diciembre de 2026'], reject: [second], actions: KINDS },
      { say: 'Solo reposición' },
      { say: 'No estoy de acuerdo.' },
      { say: 'Es todo', expect: [`• PQR: ${first}`] },
      { say: 'Sí, presentar', expect: [`sobre la PQR *${first}*`] },
    ]);
    expect((await pqrRow(first)).status).toBe('recurso_interpuesto');
    expect((await pqrRow(second)).status).toBe('respondida');

    // Only the other one is left: no question about which.
    expect(await conversation.sayText(DISAGREE)).toContain(`PQR *${second}* (reclamo)`);
  });

  it('a user whose PQR has no answer yet is told when a recurso applies', async () => {
    const conversation = bot.conversation({ channelId: 'telegram', userId: 'tg-recurso-unanswered' });
    const cun = await fileReclamo(conversation, '3011110007');
    const replies = await conversation.say(DISAGREE);
    const text = textOf(replies);
    expect(text).toContain('Ninguna de tus PQR tiene respuesta todavía: el recurso se presenta cuando recibas la respuesta');
    expect(text).toContain(`PQR *${cun}* (reclamo)`);
    expect(text).toContain('• Estado: radicada');
    expect(actionsOf(replies)).toEqual(['Otro CUN', 'Volver al menú']);
    expect(await conversation.sayText('Otro CUN')).toContain('Escribe el CUN de tu PQR');
    // Their own unanswered PQR, by CUN: the same explanation, with its due date.
    expect(await conversation.sayText(cun)).toContain(`Tu PQR *${cun}* aún no tiene respuesta (la fecha máxima es el 15 de diciembre de 2026).`);
  });

  it('a user unknown to this chat gives the CUN and the document, then proves ownership with a code to the e-mail on file', async () => {
    const owner = bot.conversation({ channelId: 'webchat', userId: 'web-recurso-owner' });
    bot.clock.set(DEFAULT_NOW);
    const filed = await play(owner, [
      { say: 'quiero solicitar una copia de mi contrato' },
      ...consent,
      ...asNonCustomer({ ...NON_CUSTOMER, document: '52123456' }),
      { say: 'necesito una copia del contrato que firmé cuando compré el equipo' },
      { say: 'Es todo' },
      { say: 'Sí' },
      { say: 'Por correo' },
      { say: 'Sí, radicar', expect: ['¡Listo! Radicamos tu petición.'] },
    ]);
    const cun = cunIn(textOf(filed.at(-1)!));
    await answer(cun);
    bot.clock.set(NEXT_DAY);

    const stranger = bot.conversation({ channelId: 'whatsapp', userId: 'wa-recurso-stranger' });
    await play(stranger, [
      { say: DISAGREE, expect: ['No encontramos PQR con respuesta radicadas desde este chat.', 'Escribe el CUN de tu PQR'] },
      { say: cun, expect: ['Para proteger tu información'] },
      { say: '79999999', expect: ['No encontramos una PQR con ese CUN a tu nombre.'], reject: ['reclamo', 'petición', ANSWER] },
    ]);

    const newSession = bot.conversation({ channelId: 'whatsapp', userId: 'wa-recurso-owner-phone' });
    await play(newSession, [
      { say: DISAGREE, expect: ['Escribe el CUN de tu PQR'] },
      { say: cun.replace(/-/g, ''), expect: ['Para proteger tu información'] },
      { say: '52.123.456', expect: [`PQR *${cun}*\n• Estado: respondida`, 'te enviamos un código de 6 dígitos a tu correo a***@correo.com'], reject: [ANSWER, '(petición)'], actions: ['Enviar código', 'Volver al menú'] },
      { say: 'Enviar código', expect: ['Te envié un código a tu correo a***@correo.com'] },
    ]);
    const code = /\b(\d{6})\b/.exec(smtp.received.at(-1)!.text)![1];
    await play(newSession, [
      { say: code, expect: ['Confirmamos que eres el titular', `PQR *${cun}* (petición)`, 'hasta el 16 de diciembre de 2026'], actions: KINDS },
      { say: 'Con apelación' },
      { say: 'Pedí la copia y me mandaron otro documento.' },
      { say: 'Es todo' },
      // The decision goes where the answer went: the e-mail given at filing, masked here.
      { say: 'Sí, presentar', expect: ['te enviaremos la respuesta en tu correo a***@correo.com'] },
    ]);
    expect(await pqrRow(cun)).toMatchObject({ status: 'recurso_interpuesto', recursoKind: 'reposicion_apelacion' });
  });
});

describe('cancelling', () => {
  it('"cancelar" in the middle of the reasons writes nothing', async () => {
    const conversation = bot.conversation({ channelId: 'telegram', userId: 'tg-recurso-cancel' });
    const cun = await fileReclamo(conversation, '3011110008');
    await answer(cun);
    const events = (await pqrRow(cun)).events.length;
    bot.clock.set(NEXT_DAY);
    await play(conversation, [
      { say: DISAGREE, actions: KINDS },
      { say: 'Con apelación' },
      { say: 'No estoy de acuerdo con nada de lo que dicen.', expect: ['¿Quieres agregar algo más?'] },
      { say: 'ayuda', expect: ['Estamos en medio de un trámite.', '¿Quieres agregar algo más?'] },
      { say: 'cancelar', expect: ['Listo, cancelé lo que estábamos haciendo.'], actions: MENU },
    ]);
    const pqr = await pqrRow(cun);
    expect(pqr.status).toBe('respondida');
    expect(pqr.recursoText).toBeNull();
    expect(pqr.events).toHaveLength(events);
    expect(await bot.db.prisma.outbox.count({ where: { pqrId: pqr.id, idempotencyKey: { contains: 'recurso' } } })).toBe(0);
  });

  it('the summary\'s "No" leaves the recurso unfiled and says until when it can be filed', async () => {
    const conversation = bot.conversation({ channelId: 'telegram', userId: 'tg-recurso-no' });
    const cun = await fileReclamo(conversation, '3011110009');
    await answer(cun);
    bot.clock.set(NEXT_DAY);
    await play(conversation, [
      { say: DISAGREE },
      { say: 'Solo reposición' },
      { say: 'No me convence la respuesta.' },
      { say: 'Es todo', actions: ['Sí, presentar', 'Cancelar'] },
      { say: 'no', expect: ['Listo, no presentamos el recurso. Si cambias de opinión, puedes presentarlo hasta el 16 de diciembre de 2026.'] },
    ]);
    expect((await pqrRow(cun)).status).toBe('respondida');
  });
});

describe('the status of an answered PQR', () => {
  it('shows the answer and the term for a recurso, then the recurso\'s decision', async () => {
    const conversation = bot.conversation({ channelId: 'telegram', userId: 'tg-recurso-status' });
    const cun = await fileReclamo(conversation, '3011110010');
    await answer(cun);
    bot.clock.set(NEXT_DAY);
    const answered = await conversation.sayText('¿cómo va mi PQR?');
    expect(answered).toContain('• Estado: respondida');
    expect(answered).toContain(`• Respuesta del 1 de diciembre de 2026: ${ANSWER}`);
    expect(answered).toContain('• Si no estás de acuerdo, puedes presentar un recurso de reposición hasta el 16 de diciembre de 2026');
    await conversation.say('menú');

    await bot.lifecycle.fileRecurso(cun, await bot.identities.requester({ channel: 'telegram', userId: 'tg-recurso-status' }), { kind: 'reposicion_apelacion', text: 'No estoy de acuerdo.' });
    bot.clock.set('2026-12-10T15:00:00Z');
    await bot.lifecycle.decideRecurso(cun, { text: 'Confirmamos: la activación salió de tu línea.', outcome: 'confirma' }, 'agent:1');
    const decided = await conversation.sayText('¿cómo va mi PQR?');
    expect(decided).toContain('• Estado: recurso de reposición decidido');
    expect(decided).toContain('• Decisión del recurso (10 de diciembre de 2026): confirmamos nuestra decisión. Confirmamos: la activación salió de tu línea.');
    expect(decided).not.toContain('puedes presentar un recurso de reposición hasta');
  });

  it('an answer not yet delivered says when the term starts', async () => {
    const conversation = bot.conversation({ channelId: 'telegram', userId: 'tg-recurso-status-2' });
    const cun = await fileReclamo(conversation, '3011110011');
    await answer(cun, { notified: false });
    expect(await conversation.sayText(`consultar ${cun}`)).toContain('• El plazo para presentar un recurso de reposición empieza cuando la respuesta te sea notificada.');
  });
});
