import { createTestBot, play, textOf, type Step, type TestBot } from '../helpers/bot';
import { answerHereAndFile, asNonCustomer, asSubscriber, CHANNEL_FACTS, consent, NON_CUSTOMER } from './flows';

let bot: TestBot;
beforeAll(async () => {
  bot = await createTestBot();
});
afterAll(() => bot.close());

/** After three unusable answers: what was given is kept, with help, another way and a person; the question stays. */
const STUCK = ['lo que ya me diste sigue guardado', 'escribir *ayuda*', 'hablar con una persona', ...CHANNEL_FACTS];
const subscriberSteps = asSubscriber();
const nonCustomerSteps = asNonCustomer();

/** For each field: how to reach its question, three bad answers, the re-ask (with its example), and a good answer. */
const FIELDS: { field: string; reach: Step[]; bad: string[]; reask: (string | RegExp)[]; good: string; next: string }[] = [
  {
    field: 'mobile line',
    reach: [{ say: 'radicar' }, ...consent, ...subscriberSteps.slice(0, 2)],
    bad: ['123', '2001234567', 'mi número es el de siempre'],
    reask: ['Ese número no parece una línea móvil colombiana', 'por ejemplo 3001234567'],
    good: '3001234567',
    next: 'Cuéntame qué pasó',
  },
  {
    field: 'full name',
    reach: [{ say: 'radicar' }, ...consent, ...nonCustomerSteps.slice(0, 1)],
    bad: ['Ana', '12345', '@@@ ###'],
    reask: ['Escribe tu nombre y apellido', 'por ejemplo: María Pérez'],
    good: NON_CUSTOMER.name,
    next: '¿Qué tipo de documento',
  },
  {
    field: 'document number (too short)',
    reach: [{ say: 'radicar' }, ...consent, ...nonCustomerSteps.slice(0, 3)],
    bad: ['12', '1', '99'],
    reask: ['Ese número de documento no es válido', 'por ejemplo 1020304050'],
    good: NON_CUSTOMER.document,
    next: 'Escribe tu correo electrónico',
  },
  {
    field: 'document number (letters in a cédula)',
    reach: [{ say: 'radicar' }, ...consent, ...nonCustomerSteps.slice(0, 3)],
    bad: ['ABCDEF', 'ABCDEFG', 'ABCDEFGH'],
    reask: ['Ese número de documento no es válido', 'por ejemplo 1020304050'],
    good: NON_CUSTOMER.document,
    next: 'Escribe tu correo electrónico',
  },
  {
    // Alternating the two kinds of bad answer still counts as three misses.
    field: 'document number (mixed mistakes)',
    reach: [{ say: 'radicar' }, ...consent, ...nonCustomerSteps.slice(0, 3)],
    bad: ['12', 'ABCDEF', '12'],
    reask: ['Ese número de documento no es válido', 'por ejemplo 1020304050'],
    good: NON_CUSTOMER.document,
    next: 'Escribe tu correo electrónico',
  },
  {
    field: 'e-mail',
    reach: [{ say: 'radicar' }, ...consent, ...nonCustomerSteps.slice(0, 4)],
    bad: ['ana@correo', 'ana.correo.com', 'no tengo correo'],
    reask: ['Ese correo no parece válido', 'por ejemplo nombre@correo.com'],
    good: NON_CUSTOMER.email,
    next: 'Cuéntame qué pasó',
  },
];

describe('invalid answers to the customer questions', () => {
  it.each(FIELDS)('an invalid $field is asked again with an example; after three tries, help, another way and a person, and the next valid answer goes on', async ({ reach, bad, reask, good, next }) => {
    const before = await bot.db.prisma.pqr.count();
    const conversation = bot.conversation();
    await play(conversation, reach);
    await play(conversation, [
      { say: bad[0], expect: reask, reject: STUCK.slice(0, 1) },
      { say: bad[1], expect: reask, reject: STUCK.slice(0, 1) },
      { say: bad[2], expect: [...STUCK, ...reask] },
      // Nothing was lost: the filing is still there, and a good answer takes it on.
      { say: good, expect: [next], reject: ['¿Autorizas', '¿Eres cliente'] },
    ]);
    expect(await bot.db.prisma.pqr.count()).toBe(before);
    expect(await bot.db.prisma.nonCustomer.count({ where: { fullName: 'Ana María Gómez', email: 'ana@correo' } })).toBe(0);
  });

  it.each([
    ['3001234567', '4567'],
    ['300 123 4567', '4567'],
    ['+57 315 765 4321', '4321'],
    ['(+57) 320-111-2233', '2233'],
  ])('the line %j is accepted and stored as 10 digits', async (line, lastDigits) => {
    const conversation = bot.conversation();
    await play(conversation, [
      { say: 'radicar' },
      ...consent,
      ...subscriberSteps.slice(0, 2),
      { say: line, expect: ['Cuéntame qué pasó'] },
      { say: 'me cobraron un paquete que no pedí' },
      { say: 'Es todo' },
      { say: 'Sí' },
      { say: 'En este chat', expect: [`línea terminada en ${lastDigits}`] },
    ]);
  });

  it.each([
    ['Pasaporte', 'AB123456', 'PA', 'AB123456'],
    ['Cédula de extranjería', '654321', 'CE', '654321'],
    ['cc', '1.020.304.050', 'CC', '1020304050'],
  ])('the document %s %j is stored as %s %s', async (docType, number, storedType, storedNumber) => {
    const conversation = bot.conversation();
    const email = `doc-${storedType.toLowerCase()}@correo.com`;
    await play(conversation, [
      { say: 'radicar' },
      ...consent,
      { say: 'No' },
      { say: 'Pedro Páez', expect: ['¿Qué tipo de documento'] },
      { say: docType, expect: ['Escribe el número de tu documento'] },
      { say: number, expect: ['Escribe tu correo electrónico'] },
      { say: email, expect: ['Cuéntame qué pasó'] },
      { say: 'quiero saber cuánto cuesta pasarme a un plan pospago' },
      { say: 'Es todo' },
      { say: 'Sí' },
      ...answerHereAndFile,
    ]);
    const owner = await bot.db.prisma.nonCustomer.findFirst({ where: { email } });
    expect(owner).toMatchObject({ fullName: 'Pedro Páez', documentType: storedType, documentNumber: storedNumber });
  });
});

describe('a known user', () => {
  it('who says the details on record are not for this PQR is asked again', async () => {
    const conversation = bot.conversation();
    await play(conversation, [
      { say: 'radicar' },
      ...consent,
      ...asNonCustomer(),
      { say: 'quiero la copia de mi factura de octubre' },
      { say: 'Es todo' },
      { say: 'Sí' },
      ...answerHereAndFile,
    ]);
    const turns = await play(conversation, [
      { say: 'radicar', expect: [`Tenemos tus datos a nombre de ${NON_CUSTOMER.name}. ¿Radicamos la PQR con esos datos?`], reject: ['¿Autorizas'] },
      { say: 'No', expect: ['¿Eres cliente de alguna de nuestras marcas aliadas'] },
    ]);
    expect(textOf(turns[1])).not.toContain(NON_CUSTOMER.document);
  });
});
