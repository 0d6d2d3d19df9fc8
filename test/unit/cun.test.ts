import fc from 'fast-check';
import { findCun, formatCun, normalizeCun, parseCun } from '../../src/pqr/cun';

describe('formatCun', () => {
  it('writes OOOO-YY-NNNNNNNNNN with a zero-padded consecutive', () => {
    expect(formatCun({ code: '0101', year: 2026, seq: 42 })).toBe('0101-26-0000000042');
    expect(formatCun({ code: '4321', year: 2027, seq: 1 })).toBe('4321-27-0000000001');
    expect(formatCun({ code: '4321', year: 2030, seq: 9_999_999_999 })).toBe('4321-30-9999999999');
    expect(formatCun({ code: '0101', year: 2005, seq: 7 })).toBe('0101-05-0000000007');
  });

  it.each([
    ['a 3-digit code', { code: '101', year: 2026, seq: 1 }],
    ['a code with letters', { code: '01A1', year: 2026, seq: 1 }],
    ['consecutive 0', { code: '0101', year: 2026, seq: 0 }],
    ['a negative consecutive', { code: '0101', year: 2026, seq: -5 }],
    ['a fractional consecutive', { code: '0101', year: 2026, seq: 1.5 }],
    ['an 11-digit consecutive', { code: '0101', year: 2026, seq: 10_000_000_000 }],
  ])('rejects %s', (_label, parts) => {
    expect(() => formatCun(parts)).toThrow();
  });
});

describe('normalizeCun', () => {
  it.each([
    ['0101-26-0000000042', '0101-26-0000000042'],
    ['0101260000000042', '0101-26-0000000042'],
    ['  0101-26-0000000042 ', '0101-26-0000000042'],
    ['0101 26 0000000042', '0101-26-0000000042'],
    ['0101.26.0000000042', '0101-26-0000000042'],
    ['0101-260000000042', '0101-26-0000000042'],
  ])('accepts %j', (input, cun) => {
    expect(normalizeCun(input)).toBe(cun);
  });

  it.each([
    '',
    'hola',
    '0101-26-000000042',
    '0101-26-00000000042',
    '101-26-0000000042',
    '0101-2026-0000000042',
    'A101-26-0000000042',
    '0101--26-0000000042',
    'mi cun es 0101-26-0000000042',
  ])('rejects %j', (input) => {
    expect(normalizeCun(input)).toBeNull();
  });
});

describe('parseCun', () => {
  it('splits a CUN into code, four-digit year and consecutive', () => {
    expect(parseCun('0101-26-0000000042')).toEqual({ code: '0101', year: 2026, seq: 42 });
    expect(parseCun('4321270000000001')).toEqual({ code: '4321', year: 2027, seq: 1 });
    expect(parseCun('no es un cun')).toBeNull();
  });

  it('round-trips with formatCun for every valid CUN', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 2000, max: 2099 }),
        fc.integer({ min: 1, max: 9_999_999_999 }),
        (codeNumber, year, seq) => {
          const parts = { code: String(codeNumber).padStart(4, '0'), year, seq };
          const cun = formatCun(parts);
          expect(parseCun(cun)).toEqual(parts);
          expect(parseCun(cun.replace(/-/g, ''))).toEqual(parts);
          expect(normalizeCun(cun)).toBe(cun);
        },
      ),
    );
  });
});

describe('findCun', () => {
  it.each([
    ['mi cun es 0101-26-0000000042 gracias', '0101-26-0000000042'],
    ['¿cómo va el 0101260000000042?', '0101-26-0000000042'],
    ['CUN: 0101 26 0000000042.', '0101-26-0000000042'],
    ['0101-26-0000000042', '0101-26-0000000042'],
    ['primero 0101-26-0000000042 y luego 0101-26-0000000043', '0101-26-0000000042'],
  ])('finds the CUN in %j', (text, cun) => {
    expect(findCun(text)).toBe(cun);
  });

  it.each([
    'mi número es 3001234567',
    'el 0101-26-000000042 no está completo',
    'un número más largo 00101-26-0000000042',
    'o más largo al final 0101-26-00000000421',
    '',
  ])('finds nothing in %j', (text) => {
    expect(findCun(text)).toBeNull();
  });
});
