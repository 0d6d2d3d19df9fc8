import { anonymize, extractEntities, isColombianMobile, isValidEmail, normalizeDocument, normalizeMobile } from '../../src/nlu';

// 25 Nov 2026, 10:00 in Bogotá.
const NOW = new Date('2026-11-25T15:00:00Z');

describe('extractEntities', () => {
  test.each<[string, Record<string, unknown>]>([
    ['mi cun es 0101-26-0000000042', { cun: '0101-26-0000000042' }],
    ['cun 0101260000000042 porfa', { cun: '0101-26-0000000042' }],
    ['el radicado 0101 26 0000000042', { cun: '0101-26-0000000042' }],
    ['mi linea es 3001234567', { phone: '3001234567' }],
    ['mi numero +57 300 123 4567', { phone: '3001234567' }],
    ['573001234567', { phone: '3001234567' }],
    ['llamame al (310) 555-12-34', { phone: '3105551234' }],
    ['mi cc es 1.020.345.678', { document: '1020345678' }],
    ['cedula 52345678', { document: '52345678' }],
    ['documento numero 79 123 456', { document: '79123456' }],
    ['mi correo es Ana.Perez@Correo.com.co', { email: 'ana.perez@correo.com.co' }],
    ['me cobraron $20.000', { amount: 20000 }],
    ['me quitaron 20 mil', { amount: 20000 }],
    ['fueron $ 35,900 pesos', { amount: 35900 }],
    ['veinte mil pesos', { amount: 20000 }],
    ['ciento cincuenta mil', { amount: 150000 }],
    ['me cobraron 1,5 millones', { amount: 1500000 }],
    ['me cobraron 12.900 de mas', { amount: 12900 }],
    ['me cobraron 5000 pesos', { amount: 5000 }],
    ['paso el 15 de diciembre', { date: '2026-12-15' }],
    ['paso el 3 de enero', { date: '2026-01-03' }],
    ['el 15/12/2025', { date: '2025-12-15' }],
    ['el 2-11', { date: '2026-11-02' }],
    ['recargue ayer', { date: '2026-11-24' }],
    ['hoy no tengo señal', { date: '2026-11-25' }],
    ['desde antier', { date: '2026-11-23' }],
    ['el 31 de febrero', {}],
    ['hola', {}],
    ['', {}],
    ['😀', {}],
  ])('%j', (text, expected) => {
    expect(extractEntities(text, NOW)).toEqual(expected);
  });

  test('a line, a CUN, an amount and a document in one message are each read once', () => {
    expect(extractEntities('cun 0101-26-0000000042, linea 3001234567, cc 1020345678, me cobraron $50.000 ayer', NOW)).toEqual({
      cun: '0101-26-0000000042',
      phone: '3001234567',
      document: '1020345678',
      amount: 50000,
      date: '2026-11-24',
    });
  });

  test('a bare number of 5–10 digits that is not the line is a document', () => {
    expect(extractEntities('mi linea 3001234567 y mi documento 1020345', NOW)).toEqual({ phone: '3001234567', document: '1020345' });
    expect(extractEntities('soy 80123456', NOW)).toEqual({ document: '80123456' });
  });

  test('a 5,000-character message does not hang', () => {
    const text = `${'la señal no sirve '.repeat(280)} 3001234567`;
    expect(extractEntities(text, NOW).phone).toBe('3001234567');
  });

  test('non-strings give no entities', () => {
    expect(extractEntities(undefined as unknown as string, NOW)).toEqual({});
  });
});

describe('validators', () => {
  test.each([
    ['3001234567', '3001234567'],
    ['300 123 4567', '3001234567'],
    ['+57 300 123 4567', '3001234567'],
    ['57 3001234567', '3001234567'],
    ['(300) 123-4567', '3001234567'],
    ['0057 3001234567', '3001234567'],
    ['6011234567', null],
    ['300123456', null],
    ['30012345678', null],
    ['tres cero cero', null],
    ['300-123-456a', null],
    ['', null],
  ])('normalizeMobile(%j) = %j', (input, expected) => {
    expect(normalizeMobile(input)).toBe(expected);
    expect(isColombianMobile(input)).toBe(expected !== null);
  });

  test.each([
    ['ana@correo.com', true],
    ['ana.perez+pqr@sub.correo.com.co', true],
    ['ana@correo', false],
    ['ana@@correo.com', false],
    ['ana correo@x.com', false],
    ['ana..p@correo.com', false],
    ['@correo.com', false],
    ['', false],
  ])('isValidEmail(%j) = %j', (input, expected) => {
    expect(isValidEmail(input)).toBe(expected);
  });

  test.each([
    ['CC', '1.020.345.678', '1020345678'],
    ['CC', '12345', '12345'],
    ['cc', '52 345 678', '52345678'],
    ['CC', '1234', null],
    ['CC', '12345678901', null],
    ['CC', '0123456', null],
    ['CC', '12a456', null],
    ['CE', '123456', '123456'],
    ['CE', '12345', null],
    ['PA', 'ab 123456', 'AB123456'],
    ['PA', 'ABCDEF', null],
    ['PA', 'A1234567890123', null],
    ['NIT', '900.123.456', '900123456'],
    ['NIT', '800197268-4', '800197268-4'],
    ['NIT', '800197268-5', null],
    ['NIT', '12345', null],
    ['TI', '1020345678', null],
  ])('normalizeDocument(%j, %j) = %j', (type, input, expected) => {
    expect(normalizeDocument(type, input)).toBe(expected);
  });
});

describe('anonymize', () => {
  test('masks everything that identifies a person and keeps the words', () => {
    const text = 'Hola, me llamo Ana María Gómez y mi cc es 1020345678, linea +57 300 123 4567, ana@x.co, me cobraron $20.000 (cun 0101-26-0000000042)';
    expect(anonymize(text)).toBe('Hola, me llamo <nombre> y mi cc es <documento>, linea <linea>, <email>, me cobraron <monto> (cun <cun>)');
  });

  test('"soy" masks a capitalised name but not "soy cliente"', () => {
    expect(anonymize('Soy Pedro Pérez y tengo un problema')).toBe('Soy <nombre> y tengo un problema');
    expect(anonymize('soy cliente prepago')).toBe('soy cliente prepago');
  });

  test('a bare long number is masked too', () => {
    expect(anonymize('mi numero de contrato 99887766')).toBe('mi numero de contrato <numero>');
  });
});
