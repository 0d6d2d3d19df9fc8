import { actionsOf, createTestBot, play, textOf, type Step, type TestBot } from '../helpers/bot';
import { asSubscriber, CHANNEL_FACTS, consent, MENU } from './flows';
import { candidatesOf } from '../../dialogs/clarify-intent-dialog';
import { INTENT_THRESHOLD } from '../../src/nlu';

let bot: TestBot;
beforeAll(async () => {
  bot = await createTestBot();
});
afterAll(() => bot.close());

describe('greeting and menu', () => {
  it('greets a user who joins, with the menu as buttons', async () => {
    const conversation = bot.conversation();
    const replies = await conversation.send({
      type: 'conversationUpdate',
      membersAdded: [{ id: conversation.userId, name: 'Usuario' }],
    });
    expect(textOf(replies)).toBe(bot.texts()('greeting'));
    expect(textOf(replies)).toContain('Plintron Colombia');
    expect(actionsOf(replies)).toEqual(MENU);
  });

  it('greets when Web Chat connects (webchat/join event)', async () => {
    const replies = await bot.conversation().send({ type: 'event', name: 'webchat/join' });
    expect(textOf(replies)).toMatch(/^¡Hola! Soy el asistente virtual/);
    expect(actionsOf(replies)).toEqual(MENU);
  });

  const help = [/^Te ayudo con tus peticiones, quejas y reclamos/, 'escribe *cancelar*', 'CUN'];
  const channels = [/^Nuestros canales de atención/, ...CHANNEL_FACTS, 'Superintendencia de Industria y Comercio'];
  const words = [/^No recibí texto en tu mensaje\. Escríbeme en palabras qué necesitas/];
  const notUnderstood = [/^No estoy seguro de haber entendido\./];
  it.each<[string, string, (string | RegExp)[]]>([
    ['hola', 'hola', [/^¡Hola! Soy el asistente virtual de atención al cliente de Plintron Colombia/]],
    ['buenas tardes', 'buenas tardes', [/^¡Hola!/]],
    ['ayuda', 'ayuda', help],
    ['the 4th menu option', '4', help],
    ['the help button', 'Ayuda', help],
    ['canales', 'canales', channels],
    ['the 3rd menu option', '3', channels],
    ['the channels button', 'Canales de atención', channels],
    ['a request for a person', 'quiero hablar con un asesor', ['asesor de nuestro equipo', '*611', 'contacto@plintron.co']],
    ['cancelar', 'cancelar', [/^No hay nada en curso para cancelar\.\n¿Qué quieres hacer\?$/]],
    ['menú', 'menú', [/^¿Qué quieres hacer\?$/]],
    ['an empty message', '', words],
    ['blanks', '   ', words],
    ['emoji only', '😀🙏👍', words],
    ['punctuation only', '?!...', words],
    ['5,000 characters of nothing', 'a'.repeat(5000), notUnderstood],
    ['5,000 characters of filler words', 'bla '.repeat(1250), notUnderstood],
    ['gibberish', 'qwerty asdf zxcv', notUnderstood],
  ])('%s as a first message gets its answer and the menu', async (_case, say, expected) => {
    const replies = await bot.conversation().say(say);
    const text = textOf(replies);
    for (const part of expected) {
      if (typeof part === 'string') expect(text).toContain(part);
      else expect(text).toMatch(part);
    }
    expect(actionsOf(replies)).toEqual(MENU);
  });

  it('says goodbye', async () => {
    expect(await bot.conversation().sayText('gracias, chao')).toBe(bot.texts()('goodbye'));
  });

  // Words the classifier must read in context: "cancelar" with a service is a petición, another
  // company's charge is not this operator's PQR, and a thanks does not hide the question after it.
  it.each([
    ['quiero cancelar mi línea prepago, ya no la uso', '¿Autorizas el tratamiento de tus datos'],
    ['gracias. Otra pregunta: ¿cómo saco el PUK de mi sim?', '¿Autorizas el tratamiento de tus datos'],
    ['no estoy de acuerdo con el cobro del roaming', '¿Autorizas el tratamiento de tus datos'],
    ['no estoy de acuerdo con la respuesta que me dieron', 'recurso'],
    ['Netflix me cobró dos veces en la tarjeta de crédito', 'No estoy seguro de haber entendido'],
    ['¿usted es una persona o una máquina?', 'No estoy seguro de haber entendido'],
  ])('%j is routed by what it means, not by its words', async (say, expected) => {
    expect(await bot.conversation().sayText(say)).toContain(expected);
  });

  it.each([
    ['Radicar una PQR', '¿Autorizas el tratamiento de tus datos'],
    ['1', '¿Autorizas el tratamiento de tus datos'],
    ['Consultar una PQR', 'Escribe el CUN de tu PQR'],
    ['2', 'Escribe el CUN de tu PQR'],
  ])('the menu option %j starts its conversation', async (say, expected) => {
    expect(await bot.conversation().sayText(say)).toContain(expected);
  });
});

/**
 * The way to each step of a filing: the user's messages so far, and what the bot asked last
 * (which "ayuda" must ask again).
 */
const FILING: { step: string; path: Step[]; question: string }[] = [
  { step: 'consent', path: [{ say: 'radicar' }], question: '¿Autorizas el tratamiento de tus datos' },
  { step: 'customer question', path: [{ say: 'radicar' }, ...consent], question: '¿Eres cliente de alguna de nuestras marcas aliadas' },
  { step: 'brand', path: [{ say: 'radicar' }, ...consent, ...asSubscriber().slice(0, 1)], question: '¿De cuál marca eres cliente?' },
  { step: 'line', path: [{ say: 'radicar' }, ...consent, ...asSubscriber().slice(0, 2)], question: 'Escribe el número de tu línea móvil' },
  { step: 'description', path: [{ say: 'radicar' }, ...consent, ...asSubscriber()], question: 'Cuéntame qué pasó' },
  {
    step: 'type',
    path: [{ say: 'radicar' }, ...consent, ...asSubscriber(), { say: 'me cobraron un paquete de datos que nunca pedí' }, { say: 'Es todo' }],
    question: '¿Es correcto?',
  },
  {
    step: 'summary',
    path: [{ say: 'radicar' }, ...consent, ...asSubscriber(), { say: 'me cobraron un paquete de datos que nunca pedí' }, { say: 'Es todo' }, { say: 'Sí' }, { say: 'En este chat' }],
    question: '¿La radicamos?',
  },
];

describe('"ayuda", "cancelar" and "menú" at every step of a filing', () => {
  it.each(FILING)('"ayuda" at the $step step explains and asks the same question again', async ({ path, question }) => {
    const conversation = bot.conversation();
    await play(conversation, path);
    const text = await conversation.sayText('ayuda');
    expect(text).toContain(bot.texts()('help.inDialog'));
    expect(text).toContain(question);
  });

  it.each(FILING)('"cancelar" at the $step step stops it, files nothing and shows the menu', async ({ path }) => {
    const before = await bot.db.prisma.pqr.count();
    const conversation = bot.conversation();
    await play(conversation, path);
    const replies = await conversation.say('cancelar');
    expect(textOf(replies)).toContain('Listo, cancelé lo que estábamos haciendo. No se radicó nada.');
    expect(actionsOf(replies)).toEqual(MENU);
    expect(await bot.db.prisma.pqr.count()).toBe(before);
    // The filing is gone: the next message starts afresh.
    expect(await conversation.sayText('hola')).toMatch(/^¡Hola!/);
  });

  it.each(FILING)('"menú" at the $step step leaves it for the menu', async ({ path }) => {
    const conversation = bot.conversation();
    await play(conversation, path);
    const replies = await conversation.say('Menú');
    expect(textOf(replies)).toBe('¿Qué quieres hacer?');
    expect(actionsOf(replies)).toEqual(MENU);
    expect(await conversation.sayText('2')).toContain('Escribe el CUN de tu PQR');
  });

  it('"cancelar" in the middle of a status lookup', async () => {
    const conversation = bot.conversation();
    await play(conversation, [{ say: 'consultar mi PQR', expect: ['Escribe el CUN'] }]);
    expect(await conversation.sayText('cancelar')).toContain('Listo, cancelé lo que estábamos haciendo.');
  });
});

describe('when the classifier is not sure, the bot asks instead of guessing', () => {
  const titles: Record<string, string> = {
    radicar_pqr: 'Radicar una PQR',
    consultar_estado: 'Consultar una PQR',
    recurso: 'Apelar una respuesta',
    canales: 'Canales de atención',
    hablar_asesor: 'Hablar con un asesor',
    ayuda: 'Ayuda',
  };
  const firstReply: Record<string, string> = {
    radicar_pqr: '¿Autorizas el tratamiento de tus datos',
    consultar_estado: 'Escribe el CUN de tu PQR',
    recurso: 'recurso de reposición',
    canales: 'Nuestros canales de atención',
    hablar_asesor: 'asesor de nuestro equipo',
    ayuda: 'Te ayudo con tus peticiones, quejas y reclamos',
  };
  /** The first text the current model is unsure about, with two or more readings worth a button. */
  function unsureText(): { text: string; predicted: string; candidates: string[] } {
    for (const text of ['quiero información', 'es sobre lo de mi pqr y la línea', 'tengo una pregunta de mi servicio', 'necesito algo con mi cuenta']) {
      const r = bot.nlu.recognize(text);
      const candidates = candidatesOf(r);
      if (r.confidence < INTENT_THRESHOLD && candidates.length >= 2) return { text, predicted: r.intent, candidates };
    }
    throw new Error('no unsure text in the list: add one the current model hesitates on');
  }

  it('offers the likeliest readings with a definition each, and "Otra cosa"', async () => {
    const { text, candidates } = unsureText();
    const replies = await bot.conversation().say(text);
    const reply = textOf(replies);
    expect(reply).toMatch(/^No estoy seguro de haber entendido\. ¿Cuál de estas opciones se parece más a lo que necesitas\?/);
    for (const intent of candidates) expect(reply).toContain(`• *${titles[intent]}*: ${bot.texts()(`intent.${intent}.definition`)}`);
    expect(actionsOf(replies)).toEqual([...candidates.map((i) => titles[i]), 'Otra cosa']);
  });

  it('the second button routes the message as that intent and records the choice', async () => {
    const { text, predicted, candidates } = unsureText();
    const conversation = bot.conversation();
    await conversation.say(text);
    expect(await conversation.sayText(titles[candidates[1]])).toContain(firstReply[candidates[1]]);
    const [row] = await bot.db.prisma.nluCorrection.findMany({ where: { chosen: candidates[1] }, orderBy: { id: 'desc' }, take: 1 });
    expect(row).toMatchObject({ predicted, text });
    expect(row.confidence).toBeLessThan(INTENT_THRESHOLD);
  });

  it('the recorded choice keeps no line, document or e-mail', async () => {
    const said = ['necesito algo con el número 3001234567', 'tengo problemas, mi cédula es 1015123456', 'quiero información, pepe.perez@correo.com'].find((text) => {
      const r = bot.nlu.recognize(text);
      return r.confidence < INTENT_THRESHOLD && candidatesOf(r).length > 0;
    });
    if (!said) throw new Error('no unsure text with personal data in the list: add one the current model hesitates on');
    const conversation = bot.conversation();
    const [first] = candidatesOf(bot.nlu.recognize(said));
    await conversation.say(said);
    expect(await conversation.sayText(titles[first])).toContain(firstReply[first]);
    const [row] = await bot.db.prisma.nluCorrection.findMany({ where: { chosen: first }, orderBy: { id: 'desc' }, take: 1 });
    for (const personal of ['3001234567', '1015123456', 'pepe.perez@correo.com', '@']) expect(row.text).not.toContain(personal);
  });

  it('a number picks the option too', async () => {
    const { text, candidates } = unsureText();
    const conversation = bot.conversation();
    await conversation.say(text);
    expect(await conversation.sayText('1')).toContain(firstReply[candidates[0]]);
  });

  it('"Otra cosa" shows the menu and records nothing', async () => {
    const { text } = unsureText();
    const before = await bot.db.prisma.nluCorrection.count();
    const conversation = bot.conversation();
    await conversation.say(text);
    const replies = await conversation.say('Otra cosa');
    expect(textOf(replies)).toBe('¿Qué quieres hacer?');
    expect(actionsOf(replies)).toEqual(MENU);
    expect(await bot.db.prisma.nluCorrection.count()).toBe(before);
  });

  it('a new message instead of a choice is understood as itself', async () => {
    const { text } = unsureText();
    const conversation = bot.conversation();
    await conversation.say(text);
    expect(await conversation.sayText('quiero saber cómo va mi PQR')).toContain('Escribe el CUN de tu PQR');
    expect(await conversation.sayText('cancelar')).toContain('Listo, cancelé lo que estábamos haciendo.');
  });

  it('an unsure message that carries a CUN goes to that PQR\'s status, as before', async () => {
    const said = ['el asesor me dio el 0101-26-0000000042 y cual es la pagina web', 'me dieron 0101-26-0000000042 y quiero la página y el correo'].find(
      (text) => bot.nlu.recognize(text).confidence < INTENT_THRESHOLD,
    );
    if (!said) throw new Error('no unsure text with a CUN in the list: add one the current model hesitates on');
    const reply = await bot.conversation().sayText(said);
    expect(reply).not.toContain('¿Cuál de estas opciones');
    // The status lookup starts with its ownership check for that CUN.
    expect(reply).toContain('escribe el número de documento o la línea móvil con la que radicaste esa PQR');
  });

  it('text that fits nothing still gets the plain menu, with no guesses', async () => {
    const replies = await bot.conversation().say('qwerty asdf zxcv');
    expect(textOf(replies)).toMatch(/^No estoy seguro de haber entendido\. Puedo ayudarte/);
    expect(actionsOf(replies)).toEqual(MENU);
  });
});

describe('an option is chosen by its words or by its number alone, never by a number inside a sentence', () => {
  it('"Radicar una PQR" at the consent question is not "Acepto"', async () => {
    const conversation = bot.conversation();
    await play(conversation, [
      { say: 'radicar', expect: ['¿Autorizas el tratamiento de tus datos'] },
      { say: 'Radicar una PQR', expect: ['Por favor elige una de las opciones'], reject: ['Guardamos tu autorización'] },
      { say: 'quiero una explicación primero', expect: ['Por favor elige una de las opciones'], reject: ['Guardamos tu autorización'] },
    ]);
    const user = { channel: conversation.channelId, userId: conversation.userId };
    expect(await bot.identities.hasConsent(user)).toBe(false);
    expect(await conversation.sayText('la 1')).toContain('Guardamos tu autorización');
    expect(await bot.identities.hasConsent(user)).toBe(true);
  });

  it.each(['1', 'el primero', 'opción 1', 'Uno'])('%j picks the first option', async (say) => {
    const conversation = bot.conversation();
    await conversation.say('radicar');
    expect(await conversation.sayText(say)).toContain('Guardamos tu autorización');
  });
});

describe('consent counts only when the answer says so', () => {
  const user = (conversation: { channelId: string; userId: string }) => ({ channel: conversation.channelId, userId: conversation.userId });

  it.each(['no entiendo, ¿qué datos me van a pedir?', 'acepto pero no quiero que me llamen', 'ok pero primero dime para qué los usan'])(
    '%j asks again instead of accepting or declining',
    async (say) => {
      const conversation = bot.conversation();
      await conversation.say('radicar');
      const reply = await conversation.sayText(say);
      expect(reply).toContain('Por favor elige una de las opciones');
      expect(reply).not.toContain('Respetamos tu decisión');
      expect(await bot.identities.hasConsent(user(conversation))).toBe(false);
    },
  );

  it.each([
    ['Sí, acepto el tratamiento de mis datos', true],
    ['de acuerdo, adelante', true],
    ['sí', true],
    ['no', false],
    ['No acepto que guarden mis datos', false],
    ['no, gracias', false],
  ])('%j is an answer (accepts: %s)', async (say, accepts) => {
    const conversation = bot.conversation();
    await conversation.say('radicar');
    expect(await conversation.sayText(say)).toContain(accepts ? 'Guardamos tu autorización' : 'Respetamos tu decisión');
    expect(await bot.identities.hasConsent(user(conversation))).toBe(accepts);
  });
});
