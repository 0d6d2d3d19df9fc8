import { commandOf } from '../../dialogs/context';
import { documentNumberWith } from '../../dialogs/customer-check-dialog';
import { correctionOf } from '../../dialogs/corrections';
import { emailIn } from '../../dialogs/email-dialog';
import { isDone, isOnlyFiller, splitRequests } from '../../dialogs/free-text';
import { loadMessages } from '../../src/i18n';
import { asksToEndAService, documentTypeOf, isUpset, personName, shortReply, suggestEmail, urgencyOf } from '../../src/nlu';

const messages = loadMessages('es-CO');
const t = (key: string) => messages[key] ?? key;

describe('short replies are understood at every prompt', () => {
  it.each([
    ['sí', 'yes'], ['si', 'yes'], ['Sí.', 'yes'], ['sip', 'yes'], ['sipi', 'yes'], ['dale', 'yes'], ['listo', 'yes'], ['de una', 'yes'],
    ['ok', 'yes'], ['okey', 'yes'], ['aceto', 'yes'], ['acepto', 'yes'], ['Acepto!', 'yes'], ['claro que sí', 'yes'], ['simón', 'yes'],
    ['bueno listo', 'yes'], ['correcto', 'yes'], ['hágale', 'yes'], ['sip de andes', 'yes'], ['sí, de Vozz', 'yes'],
    ['no', 'no'], ['no gracias', 'no'], ['No, gracias', 'no'], ['nop', 'no'], ['nel', 'no'], ['mejor no', 'no'], ['no, gracias, solo quería avisar', 'no'],
    ['y eso para qué?', null], ['sí pero primero dime', null], ['ok, aunque no sé', null], ['sí? para qué?', null], ['quiero una explicación primero', null], ['no sé', null], ['sí pero no', null],
    ['acepto pero no quiero que me llamen y que me escriban mucho', null], ['', null],
  ])('%j reads as %s', (text, expected) => {
    expect(shortReply(text)).toBe(expected);
  });
});

describe('document types in every usual form', () => {
  it.each([
    ['cédula', 'CC'], ['cedula', 'CC'], ['Cedula', 'CC'], ['CC', 'CC'], ['cc', 'CC'], ['C.C.', 'CC'], ['c.c', 'CC'], ['cédula de ciudadanía', 'CC'],
    ['extranjería', 'CE'], ['cédula de extranjería', 'CE'], ['CE', 'CE'], ['C.E.', 'CE'], ['pasaporte', 'PA'], ['NIT', 'NIT'], ['nit.', 'NIT'], ['RUT', 'NIT'],
    ['no sé', null], ['la de siempre', null], ['cédula o pasaporte', null],
  ])('%j is %s', (text, expected) => {
    expect(documentTypeOf(text)).toBe(expected);
  });
});

describe('e-mail domains are checked against common typos', () => {
  it.each([
    ['ana@gmial.con', 'ana@gmail.com'], ['ana@gmail.con', 'ana@gmail.com'], ['pedro@hotmial.com', 'pedro@hotmail.com'], ['a@outlok.com', 'a@outlook.com'],
    ['t@gmai.com', 't@gmail.com'], ['ana@gmail.com', null], ['j@empresa.com.co', null], ['u@unal.edu.co', null], ['q@epm.com.co', null], ['r@gmx.com', null], ['mallory@evil.test', null], ['a@corp.io', null], ['a@x.dev', null], ['x@uni.edu', null], ['a@hotmail.cm', 'a@hotmail.com'],
    ['no es un correo', null],
  ])('%j suggests %s', (email, expected) => {
    expect(suggestEmail(email)).toBe(expected);
  });

  it.each([
    ['ana@gmail.com', 'ana@gmail.com'], ['es Ana.Perez@Gmail.com.', 'ana.perez@gmail.com'], ['mi correo: (ana@gmail.com)', 'ana@gmail.com'], ['ana arroba gmail', null], ['a@gmial.con<script>', 'a@gmial.con'], [`${'a'.repeat(300)}@gmail.com`, null],
  ])('an address is read from %j', (text, expected) => {
    expect(emailIn(text)).toBe(expected);
  });
});

describe('a name is a person’s name, not a request', () => {
  it.each([
    ['Carlos Andrés Gómez', 'Carlos Andrés Gómez'], ['mi nombre es Luisa Fernanda Ríos', 'Luisa Fernanda Ríos'], ['María de los Ángeles Páez', 'María de los Ángeles Páez'],
    ['Ferretería El Tornillo', 'Ferretería El Tornillo'], ['quiero hablar con una persona', null], ['necesito ayuda', null], ['Ana', null], ['12345', null], ['no sé', null], ['<script>alert(1)</script> Pérez', null], ['Robert"); DROP TABLE Pqr;--', null],
  ])('%j is %s', (text, expected) => {
    expect(personName(text)).toBe(expected);
  });
});

describe('"eso es todo" in any form ends the description, and filler never starts one', () => {
  it.each(['Es todo', 'eso es todo', 'eso es todo, apúrele', 'listo, eso es todo', 'no, nada más', 'ya', 'nada más, gracias', 'Eso sería todo.'])('%j ends it', (text) => {
    expect(isDone(text, t)).toBe(true);
  });
  it.each(['también me cobraron otro mes', 'eso es todo lo que pasó con la factura de octubre'])('%j adds to it', (text) => {
    expect(isDone(text, t)).toBe(false);
  });
  it.each([['Buenas tardes, quiero poner una queja', true], ['hola buenas', true], ['quiero radicar una pqr por favor', true], ['me robaron el celular', false], ['La señal se cae', false]])(
    '%j is only filler: %s',
    (text, expected) => {
      expect(isOnlyFiller(text)).toBe(expected);
    },
  );
});

describe('commands only when they are the whole message', () => {
  it.each([
    ['cancelar', 'cancel'], ['Cancelar', 'cancel'], ['mejor no, cancelar', 'cancel'], ['cancelar todo', 'cancel'], ['no, cancelar', 'cancel'], ['menú', 'menu'], ['ayuda', 'help'],
    ['y lo de cancelar la línea qué? quiero cancelarla ya', null], ['no tengo correo, toca cancelar o qué?', null], ['quiero cancelar mi plan', null],
    ['no, ya no quiero, mejor cancelar todo', 'cancel'], ['ya no quiero, cancelar', 'cancel'], ['uy no, no quiero seguir, salir', 'cancel'], ['no quiero esto mejor cancelar', 'cancel'],
    ['no quiero seguir con esto, mejor cancelar', 'cancel'], ['ya no quiero hacer esto, salir', 'cancel'], ['no quiero nada, cancela', 'cancel'],
    ['never mind, cancel', 'cancel'], ['no, cancel please', 'cancel'], ['cancel everything', 'cancel'], ['cancel my plan', null],
    ['ya no quiero cancelar', null], ['no quiero cancelar, sigamos', null], ['ya no quiero, mejor cancelar la línea', null],
  ])('%j is %s', (text, expected) => {
    expect(commandOf(text)).toBe(expected);
  });

  it('a request to end a service is told apart from "stop"', () => {
    expect(asksToEndAService('y lo de cancelar la línea qué? quiero cancelarla ya')).toBe(true);
    expect(asksToEndAService('mejor no, cancelar')).toBe(false);
  });
});

describe('corrections at the summary written as people write them', () => {
  it.each([
    ['uy no, el correo quedó mal, es ana.perez@gmail.com', { field: 'email', correction: { field: 'email', value: 'ana.perez@gmail.com' } }],
    ['mi nombre está mal, es Luisa Fernanda Ríos', { field: 'name', correction: { field: 'name', value: 'Luisa Fernanda Ríos' } }],
    ['mejor que la respuesta me llegue por correo', { field: 'notify', correction: { field: 'notify', value: { channel: 'email' } } }],
    ['me equivoqué en la línea, es 300 123 4567', { field: 'line', correction: { field: 'line', value: '3001234567' } }],
    ['no es un reclamo, es una queja', { field: 'type' }],
    ['el documento quedó mal', { field: 'document' }],
    ['sí, radicar', null],
    ['gracias', null],
  ])('%j', (text, expected) => {
    const found = correctionOf(text);
    if (expected === null) expect(found).toBeNull();
    else expect(found).toMatchObject(expected);
  });
});

describe('two requests, urgency and tone', () => {
  it('splits two requests at "y además"', () => {
    expect(splitRequests('me cobraron un paquete que no pedí y además quiero cambiar de plan')).toEqual(['me cobraron un paquete que no pedí', 'Quiero cambiar de plan']);
    expect(splitRequests('me cobraron un paquete que no pedí y quiero que me devuelvan la plata')).toBeNull();
  });

  it.each([
    ['me robaron el celular', 'stolen'], ['perdí mi celular', 'stolen'], ['se me perdió el teléfono ayer', 'stolen'], ['me raponearon el cel', 'stolen'],
    ['creo que es fraude', 'fraud'], ['me están llamando pidiendo claves', 'fraud'], ['me quitaron los minutos que tenía', null], ['me robaron la plata con cobros', null],
  ])('%j is urgent: %s', (text, expected) => {
    expect(urgencyOf(text)).toBe(expected);
  });

  it.each([['estoy mamado de ustedes', true], ['estoy harta de llamar', true], ['son unos ladrones', true], ['me cobraron un paquete', false], ['gracias por la ayuda', false]])(
    '%j is upset: %s',
    (text, expected) => {
      expect(isUpset(text)).toBe(expected);
    },
  );
});

describe('a document number typed with its type', () => {
  it.each([
    ['CC', 'cedula 52.123.456', '52123456'],
    ['CC', 'cc 52 123 456', '52123456'],
    ['CC', 'Cédula número 1020304050', '1020304050'],
    ['PA', 'pasaporte AB123456', 'AB123456'],
    ['CC', 'Cédula de ciudadanía', null],
    ['CC', 'CC', null],
    ['CC', 'cédula 123', null],
    ['CE', 'extranjería', null],
  ])('%s in %j is %j', (type, text, expected) => {
    expect(documentNumberWith(type, text)).toBe(expected);
  });
});
