import { actionsOf, createTestBot, textOf, type TestBot } from '../helpers/bot';

let bot: TestBot;
beforeAll(async () => {
  bot = await createTestBot({ locale: 'es-CO' });
});
afterAll(() => bot.close());

const MENU_EN = ['File a PQR', 'Check a PQR', 'Contact channels', 'Help'];

describe('the conversation follows the language the user writes in', () => {
  it('English in the middle of a Spanish question re-asks it in English, with English buttons that work', async () => {
    const conversation = bot.conversation({ locale: 'es-CO' });
    expect(await conversation.sayText('quiero poner un reclamo')).toContain('¿Autorizas el tratamiento de tus datos?');
    const reasked = await conversation.say("Sorry, I don't speak Spanish. Can you help me in English?");
    // The short re-ask of the consent question, in English.
    expect(textOf(reasked)).toContain("Tap «I accept» or «I don't accept»");
    expect(textOf(reasked)).not.toMatch(/Autorizas|Para radicar|Toca/);
    expect(actionsOf(reasked)).toEqual(['I accept', "I don't accept"]);
    expect(await conversation.sayText('I accept')).toContain('Thank you. We have saved your authorisation');
  });

  it.each(['ok', 'sí', 'no', 'help', 'John Smith', 'María de los Ángeles Gómez', '3001234567', 'ana@example.com', '1'])(
    '%j in an English conversation on a Spanish channel keeps English',
    async (say) => {
      const conversation = bot.conversation({ locale: 'es-CO' });
      expect(await conversation.sayText('Hello, do you speak English?')).toMatch(/^Hi! I'm/);
      expect(await conversation.sayText(say)).not.toMatch(/[¿¡]|Hola|Escribe|Elige/);
    },
  );

  it('a clearly Spanish message in an English conversation switches back, also in the middle of a question', async () => {
    const conversation = bot.conversation({ locale: 'en-US' });
    expect(await conversation.sayText('File a PQR')).toContain('Do you authorise the processing of your data?');
    const reasked = await conversation.say('perdón, no entiendo inglés, ¿me puede atender en español?');
    expect(textOf(reasked)).toContain('Toca «Acepto» o «No acepto»');
    expect(actionsOf(reasked)).toEqual(['Acepto', 'No acepto']);
    expect(await conversation.sayText('acepto')).toContain('Gracias. Guardamos tu autorización');
  });

  it('a Spanish user who writes only Spanish is never switched', async () => {
    const conversation = bot.conversation({ locale: 'es-CO' });
    for (const say of ['hola', 'ok', 'menu', 'help', 'gracias']) expect(await conversation.sayText(say)).not.toMatch(/^(Hi!|I'm|Our|I can)/);
    const replies = await conversation.say('ayuda');
    expect(actionsOf(replies)).not.toEqual(MENU_EN);
  });
});
