import { actionsOf, createTestBot, play, textOf, type Step, type TestBot } from '../helpers/bot';
import { asSubscriber, CHANNEL_FACTS, consent, MENU } from './flows';

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
