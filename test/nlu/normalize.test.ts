import { normalize } from '../../src/nlu';

describe('normalize', () => {
  test.each([
    ['Señal PÉSIMA', 'senal pesima'],
    ['holaaaa buenasss', 'hola buenas'],
    ['q paso xq no tengo megas', 'que paso porque no tengo megas'],
    ['porfa k me ayuden x fa', 'por favor que me ayuden por fa'],
    ['xfa el cel no sirve tmb', 'por favor el celular no sirve tambien'],
    ['mi cun es 0101-26-0000000042', 'mi cun es xcunx'],
    ['mi cun es 0101260000000042', 'mi cun es xcunx'],
    ['llamen al +57 300 123 4567', 'llamen al xlineax'],
    ['escribanme a ana@correo.com', 'escribanme a xemailx'],
    ['me cobraron $20.000 y luego 15 mil', 'me cobraron xplatax y luego xplatax'],
    ['tengo 3 lineas', 'tengo xnumx lineas'],
    ['😡😡 NO SIRVEEE!!!', 'no sirve'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(normalize(input)).toBe(expected);
  });

  test('keeps the words that carry meaning here (no, sin, me, ya)', () => {
    expect(normalize('ya no me llega, sin señal')).toBe('ya no me llega sin senal');
  });
});
