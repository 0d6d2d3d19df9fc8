import type { Step } from '../helpers/bot';

/** A CUN as the user reads it: 4 digits of operator or brand, 2 of year, 10 of consecutive. */
export const CUN_PATTERN = /\d{4}-\d{2}-\d{10}/;
export const MENU = ['Radicar una PQR', 'Consultar una PQR', 'Canales de atención', 'Ayuda'];
export const CHANNEL_FACTS = ['*611', 'atencionclientes@plintron.co', 'https://www.plintron.co/contact-us/', 'contacto@plintron.co'];

export const consent: Step[] = [{ say: 'Acepto', expect: ['Guardamos tu autorización', '¿Eres cliente de alguna de nuestras marcas aliadas (Vozz Móvil, Andes Cel)?'], actions: ['Sí', 'No'] }];

/** From "¿Eres cliente?" to the description, as a subscriber of Vozz Móvil. */
export function asSubscriber(line = '3001234567'): Step[] {
  return [
    { say: 'Sí', expect: ['¿De cuál marca eres cliente?'], actions: ['Vozz Móvil', 'Andes Cel'] },
    { say: 'Vozz Móvil', expect: ['Escribe el número de tu línea móvil', '3001234567'] },
    { say: line },
  ];
}

export const NON_CUSTOMER = { name: 'Ana María Gómez', document: '1020304050', email: 'ana.gomez@correo.com' };

/** From "¿Eres cliente?" to the description (asked, or taken from the first message), as a non-customer with a cédula. */
export function asNonCustomer(person = NON_CUSTOMER): Step[] {
  return [
    { say: 'No', expect: ['Escribe tu nombre completo.'] },
    { say: person.name, expect: ['¿Qué tipo de documento de identidad tienes?'], actions: ['Cédula de ciudadanía', 'Cédula de extranjería', 'Pasaporte', 'NIT'] },
    { say: 'Cédula de ciudadanía', expect: ['Escribe el número de tu documento'] },
    { say: person.document, expect: ['Escribe tu correo electrónico'] },
    { say: person.email },
  ];
}

/** Everything after the type is settled: answer in this chat, confirm, filed. */
export const answerHereAndFile: Step[] = [
  { say: 'En este chat', expect: ['Revisa tu PQR antes de radicarla', '• Respuesta: este chat', '¿La radicamos?'], actions: ['Sí, radicar', 'Corregir un dato', 'Cancelar'] },
  { say: 'Sí, radicar', expect: ['¡Listo! Radicamos tu', CUN_PATTERN, '15 de diciembre de 2026'] },
];

/** The CUN in a "filed" reply. */
export function cunIn(text: string): string {
  const match = CUN_PATTERN.exec(text);
  if (!match) throw new Error(`No CUN in: ${text}`);
  return match[0];
}
