import { startTestApp, type RunningApp } from '../helpers/app';
import { BOOTSTRAP_TOKEN, call } from '../backoffice/helpers';
import { DirectLineUser } from '../notify/directline-client';
import { MAX_DESCRIPTION_CHARS } from '../../dialogs/file-pqr-dialog';

/*
 * People who leave the happy path, each in their own web chat conversation against the real
 * server (Direct Line, real database), written as people write. Each one ends with what the
 * back office stores and the menu buttons back on screen: nothing they gave is lost.
 */

/** One message of the person, what the bot's replies to it must say, and what they must not. */
type Turn = [say: string, expect: RegExp, forbid?: RegExp];

interface StoredCase {
  type: 'peticion' | 'queja' | 'reclamo';
  fullName?: string;
  documentType?: 'CC' | 'CE' | 'PA' | 'NIT';
  documentNumber?: string;
  email?: string;
  line?: string;
  brand?: string;
  descriptionHas?: RegExp[];
  descriptionLacks?: RegExp[];
}

interface Person {
  who: string;
  turns: Turn[];
  /** Every PQR this person must end with, in filing order. */
  filed: StoredCase[];
}

const CONSENT = /autorizas/i;
const CUSTOMER = /¿Eres cliente/;
const BRAND = /¿De cuál marca/;
const LINE = /número de tu línea/;
const NAME = /nombre completo/;
const DOC_TYPE = /tipo de documento/;
const DOC_NUMBER = /número de tu documento/;
const EMAIL = /correo electrónico/;
const DESCRIBE = /Cuéntame qué pasó/;
const MORE = /algo más/;
const TYPE = /tipo \*+(petición|queja|reclamo)\*+|¿Cuál lo describe mejor/;
const NOTIFY = /¿Dónde quieres recibir la respuesta/;
const SUMMARY = /¿La radicamos\?/;
const FILED = /Radicamos tu/;
const FULL_NOTICE = /Puedes conocerlos/;

/** A non-customer's data, answered as asked. */
function nonCustomer(name: string, docType: string, docNumber: string, email: string, next: RegExp = DESCRIBE): Turn[] {
  return [
    ['no', NAME],
    [name, DOC_TYPE],
    [docType, DOC_NUMBER],
    [docNumber, EMAIL],
    [email, next],
  ];
}

/** Confirms the proposed type, the answer in this chat, and files. */
function finish(typeAnswer = 'sí'): Turn[] {
  return [
    [typeAnswer, NOTIFY],
    ['en este chat', SUMMARY],
    ['Sí, radicar', FILED],
  ];
}

const people: Person[] = [
  {
    who: 'opens with only an intent and is asked what happened instead of having the greeting taken as the description',
    turns: [
      ['Buenas tardes, quiero poner una queja', CONSENT],
      ['Acepto', CUSTOMER],
      ...nonCustomer('Marta Lucía Rojas', 'cédula', '52123456', 'marta.rojas@gmail.com'),
      ['La señal en mi barrio se cae todas las noches desde hace un mes y no puedo llamar', MORE],
      ['eso es todo', TYPE],
      ...finish(),
    ],
    filed: [{ type: 'queja', fullName: 'Marta Lucía Rojas', documentType: 'CC', email: 'marta.rojas@gmail.com', descriptionHas: [/señal/], descriptionLacks: [/Buenas tardes/i, /quiero poner una queja/i] }],
  },
  {
    who: 'answers the description question with a greeting and is asked again',
    turns: [
      ['quiero radicar una pqr', CONSENT],
      ['si acepto', CUSTOMER],
      ...nonCustomer('Jorge Eliécer Mora', 'cedula', '79555111', 'jorge.mora@hotmail.com'),
      ['hola buenas', /Cuéntame/, MORE],
      ['Me cobraron dos veces la recarga de 20 mil pesos en octubre', MORE],
      ['no, nada más', TYPE],
      ...finish(),
    ],
    filed: [{ type: 'reclamo', fullName: 'Jorge Eliécer Mora', documentType: 'CC', descriptionHas: [/dos veces la recarga/], descriptionLacks: [/hola buenas/i, /nada más/i] }],
  },
  {
    who: 'asks about cancelling the line at the summary and keeps the reclamo, then files the cancellation as its own petición',
    turns: [
      ['me cobraron un paquete de datos que no pedí', CONSENT],
      ['acepto', CUSTOMER],
      ['sí', BRAND],
      ['Vozz', LINE],
      ['3001112233', MORE],
      ['es todo', TYPE],
      ['sí', NOTIFY],
      ['en este chat', SUMMARY],
      ['y lo de cancelar la línea qué? quiero cancelarla ya', /petición aparte|otra PQR/, /No se radicó nada/],
      ['Sí, radicar', FILED],
      ['sí', SUMMARY],
      ['Sí, radicar', FILED],
    ],
    filed: [
      { type: 'reclamo', line: '3001112233', brand: 'vozz', descriptionHas: [/paquete de datos/] },
      { type: 'peticion', line: '3001112233', brand: 'vozz', descriptionHas: [/cancelar la línea|cancelarla/] },
    ],
  },
  {
    who: 'notices the e-mail is wrong at the summary and corrects it in a sentence',
    turns: [
      ['Radicar una PQR', CONSENT],
      ['Acepto', CUSTOMER],
      ...nonCustomer('Ana Pérez', 'CC', '1020304050', 'ana.perez@yahoo.com'),
      ['Quiero una copia de mi contrato', MORE],
      ['Es todo', TYPE],
      ['sí', NOTIFY],
      ['Por correo', SUMMARY],
      ['uy no, el correo quedó mal, es ana.perez@gmail.com', /ana\.perez@gmail\.com[^]*¿La radicamos\?/, /No se radicó nada/],
      ['Sí, radicar', FILED],
    ],
    filed: [{ type: 'peticion', fullName: 'Ana Pérez', email: 'ana.perez@gmail.com', descriptionHas: [/copia de mi contrato/] }],
  },
  {
    who: 'uses the "Corregir un dato" button to fix the name',
    turns: [
      ['Radicar una PQR', CONSENT],
      ['Acepto', CUSTOMER],
      ...nonCustomer('Ana Maria Perez', 'C.C.', '1019876543', 'anamaria@gmail.com'),
      ['El asesor de la tienda de Chapinero me trató muy mal cuando fui a pedir ayuda', MORE],
      ['Es todo', TYPE],
      ...finish().slice(0, 2),
      ['Corregir un dato', /¿Qué dato/],
      ['Nombre', NAME],
      ['Ana María Pérez Gómez', /Ana María Pérez Gómez[^]*¿La radicamos\?/],
      ['Sí, radicar', FILED],
    ],
    filed: [{ type: 'queja', fullName: 'Ana María Pérez Gómez', documentType: 'CC', descriptionHas: [/me trató muy mal/] }],
  },
  {
    who: 'fixes the document with "Corregir un dato" and types type and number together: "cedula 1.020.304.050"',
    turns: [
      ['Radicar una PQR', CONSENT],
      ['Acepto', CUSTOMER],
      ...nonCustomer('Camilo Ortiz', 'CE', '4455667', 'camilo.ortiz@gmail.com'),
      ['Quiero una copia de la factura de septiembre', MORE],
      ['Es todo', TYPE],
      ...finish().slice(0, 2),
      ['Corregir un dato', /¿Qué dato/],
      ['Documento', DOC_TYPE],
      ['cedula 1.020.304.050', /1020304050[^]*¿La radicamos\?/],
      ['Sí, radicar', FILED],
    ],
    filed: [{ type: 'peticion', fullName: 'Camilo Ortiz', documentType: 'CC', documentNumber: '1020304050' }],
  },
  {
    who: 'corrects the name at the summary in free text',
    turns: [
      ['Radicar una PQR', CONSENT],
      ['dale', CUSTOMER],
      ...nonCustomer('Luisa Rios', 'cédula de ciudadanía', '43111222', 'luisa.rios@gmail.com'),
      ['Necesito saber qué es un cobro de 15.000 que aparece en mi factura', MORE],
      ['listo, eso es todo', TYPE],
      ...finish().slice(0, 2),
      ['mi nombre está mal, es Luisa Fernanda Ríos', /Luisa Fernanda Ríos[^]*¿La radicamos\?/],
      ['Sí, radicar', FILED],
    ],
    filed: [{ type: 'peticion', fullName: 'Luisa Fernanda Ríos', documentType: 'CC', descriptionHas: [/15\.000/] }],
  },
  {
    who: 'answers the name question with a request to talk to a person and gets the contact channels, then gives the name',
    turns: [
      ['Radicar una PQR', CONSENT],
      ['acepto', CUSTOMER],
      ['no', NAME],
      ['quiero hablar con una persona', /asesor|persona/, DOC_TYPE],
      ['Carlos Andrés Gómez', DOC_TYPE],
      ['CC', DOC_NUMBER],
      ['80123456', EMAIL],
      ['carlos.gomez@outlook.com', DESCRIBE],
      ['Pedí la portabilidad a otro operador hace 10 días y no me la han hecho', MORE],
      ['Es todo', TYPE],
      ...finish(),
    ],
    filed: [{ type: 'reclamo', fullName: 'Carlos Andrés Gómez', documentType: 'CC', email: 'carlos.gomez@outlook.com', descriptionLacks: [/hablar con una persona/] }],
  },
  {
    who: 'asks for a person at the description question, hears how to reach one, and then tells what happened',
    turns: [
      ['Radicar una PQR', CONSENT],
      ['Acepto', CUSTOMER],
      ...nonCustomer('Beatriz Helena Ruiz', 'CC', '41222333', 'beatriz.ruiz@gmail.com'),
      ['mejor quiero hablar con un asesor', /\*611[^]*Cuéntame/, MORE],
      ['Me llegó una factura de un plan que cancelé en agosto', MORE],
      ['Es todo', TYPE],
      ...finish(),
    ],
    filed: [{ type: 'reclamo', fullName: 'Beatriz Helena Ruiz', descriptionHas: [/factura de un plan/], descriptionLacks: [/asesor/] }],
  },
  {
    who: 'is a foreigner who writes "extranjería" for the document type',
    turns: [
      ['Radicar una PQR', CONSENT],
      ['Acepto', CUSTOMER],
      ...nonCustomer('Andreína Salazar', 'extranjería', '1234567', 'andreina.s@gmail.com'),
      ['Quiero saber cómo activo el roaming internacional para viajar a Venezuela', MORE],
      ['Es todo', TYPE],
      ...finish(),
    ],
    filed: [{ type: 'peticion', fullName: 'Andreína Salazar', documentType: 'CE', documentNumber: '1234567' }],
  },
  {
    who: 'is a tourist with a passport',
    turns: [
      ['Radicar una PQR', CONSENT],
      ['ok', CUSTOMER],
      ...nonCustomer('John Smith', 'pasaporte', 'AB123456', 'john.smith@gmail.com'),
      ['Me vendieron una SIM que nunca funcionó en el aeropuerto', MORE],
      ['Es todo', TYPE],
      ...finish(),
    ],
    filed: [{ type: 'reclamo', fullName: 'John Smith', documentType: 'PA', documentNumber: 'AB123456' }],
  },
  {
    who: 'files for a small shop with its NIT',
    turns: [
      ['Radicar una PQR', CONSENT],
      ['Acepto', CUSTOMER],
      ...nonCustomer('Ferretería El Tornillo', 'NIT', '900123456-8', 'tornillo@gmail.com'),
      ['Solicito la copia de las facturas de los últimos seis meses', MORE],
      ['Es todo', TYPE],
      ...finish(),
    ],
    filed: [{ type: 'peticion', documentType: 'NIT', email: 'tornillo@gmail.com' }],
  },
  {
    who: 'writes "ana@gmial.con" and accepts the suggested gmail.com',
    turns: [
      ['Radicar una PQR', CONSENT],
      ['Acepto', CUSTOMER],
      ['no', NAME],
      ['Ana Torres', DOC_TYPE],
      ['cc', DOC_NUMBER],
      ['1012345678', EMAIL],
      ['ana@gmial.con', /¿Quisiste decir[^]*gmail\.com/],
      ['sí', DESCRIBE],
      ['Quiero cambiar mi plan a uno más barato', MORE],
      ['Es todo', TYPE],
      ...finish(),
    ],
    filed: [{ type: 'peticion', fullName: 'Ana Torres', email: 'ana@gmail.com' }],
  },
  {
    who: 'is told of a likely e-mail typo, says it is right, and keeps the address as written',
    turns: [
      ['Radicar una PQR', CONSENT],
      ['Acepto', CUSTOMER],
      ['no', NAME],
      ['Pedro Nel Ospina', DOC_TYPE],
      ['Cédula', DOC_NUMBER],
      ['71222333', EMAIL],
      ['pedro@hotmial.com', /¿Quisiste decir[^]*hotmail\.com/],
      ['no, está bien así', DESCRIBE],
      ['Quiero saber el PUK de mi SIM', MORE],
      ['Es todo', TYPE],
      ...finish(),
    ],
    filed: [{ type: 'peticion', email: 'pedro@hotmial.com' }],
  },
  {
    who: 'writes the line with +57 and spaces',
    turns: [
      ['me suspendieron la línea sin razón', CONSENT],
      ['Acepto', CUSTOMER],
      ['sí', BRAND],
      ['Andes Cel', LINE],
      ['+57 300 123 4567', MORE],
      ['Es todo', TYPE],
      ...finish(),
    ],
    filed: [{ type: 'reclamo', line: '3001234567', brand: 'andes', descriptionHas: [/suspendieron/] }],
  },
  {
    who: 'writes the line with dashes',
    turns: [
      ['el internet está lentísimo desde la semana pasada', CONSENT],
      ['Acepto', CUSTOMER],
      ['si', BRAND],
      ['vozz', LINE],
      ['310-555-1234', MORE],
      ['Es todo', TYPE],
      ...finish(),
    ],
    filed: [{ type: 'queja', line: '3105551234', brand: 'vozz' }],
  },
  {
    who: 'answers "sip de andes" to the customer question and is asked the line directly',
    turns: [
      ['me descontaron saldo sin usar nada', CONSENT],
      ['acepto', CUSTOMER],
      ['sip de andes', LINE],
      ['3209876543', MORE],
      ['Es todo', TYPE],
      ...finish(),
    ],
    filed: [{ type: 'reclamo', line: '3209876543', brand: 'andes' }],
  },
  {
    who: 'misspells the consent as "aceto"',
    turns: [
      ['me activaron un servicio que no pedí', CONSENT],
      ['aceto', CUSTOMER],
      ['si', BRAND],
      ['Vozz Móvil', LINE],
      ['3001231234', MORE],
      ['Es todo', TYPE],
      ...finish(),
    ],
    filed: [{ type: 'reclamo', line: '3001231234' }],
  },
  {
    who: 'consents with "de una"',
    turns: [
      ['Radicar una PQR', CONSENT],
      ['de una', CUSTOMER],
      ...nonCustomer('Yeison Castaño', 'cedula', '1098765432', 'yeison.c@gmail.com'),
      ['Pido que me expliquen el cobro de reconexión', MORE],
      ['ya', TYPE],
      ...finish(),
    ],
    filed: [{ type: 'peticion', fullName: 'Yeison Castaño', descriptionLacks: [/^ya$/m] }],
  },
  {
    who: 'declines with "no gracias", learns the other channels and gets the menu back',
    turns: [
      ['Radicar una PQR', CONSENT],
      ['no gracias', /Respetamos tu decisión/],
    ],
    filed: [],
  },
  {
    who: 'answers the consent with a question and gets a short re-ask, not the whole notice again',
    turns: [
      ['Radicar una PQR', CONSENT],
      ['y eso para qué?', /autoriza|Acepto/i, FULL_NOTICE],
      ['bueno listo', CUSTOMER],
      ...nonCustomer('Diana Patiño', 'CC', '52999888', 'diana.patino@gmail.com'),
      ['Quiero pasarme de prepago a pospago', MORE],
      ['Es todo', TYPE],
      ...finish(),
    ],
    filed: [{ type: 'peticion', fullName: 'Diana Patiño' }],
  },
  {
    who: 'ends the description with "eso es todo, apúrele"',
    turns: [
      ['me cobraron la factura dos veces este mes', CONSENT],
      ['Acepto', CUSTOMER],
      ['sí', BRAND],
      ['Vozz', LINE],
      ['3004445566', MORE],
      ['eso es todo, apúrele', TYPE],
      ...finish(),
    ],
    filed: [{ type: 'reclamo', descriptionHas: [/dos veces/], descriptionLacks: [/apúrele/i] }],
  },
  {
    who: 'says "mejor no, cancelar" at the summary and nothing is filed, with the menu back',
    turns: [
      ['Radicar una PQR', CONSENT],
      ['Acepto', CUSTOMER],
      ...nonCustomer('Sofía Herrera', 'CC', '1001002003', 'sofia.h@gmail.com'),
      ['Quiero saber cuánto cuesta el plan de 30 gigas', MORE],
      ['Es todo', TYPE],
      ...finish().slice(0, 2),
      ['mejor no, cancelar', /No se radicó nada/],
    ],
    filed: [],
  },
  {
    who: 'answers the yes/no question "¿eres cliente?" with "no, ya no quiero, mejor cancelar todo": nothing is filed, nothing is taken as "no"',
    turns: [
      ['Radicar una PQR', CONSENT],
      ['Acepto', CUSTOMER],
      ['no, ya no quiero, mejor cancelar todo', /No se radicó nada/],
    ],
    filed: [],
  },
  {
    who: 'types "cédula 52.123.456" when asked for the type of document: the number is kept, not asked again',
    turns: [
      ['quiero saber si tienen planes para empresas', CONSENT],
      ['Acepto', CUSTOMER],
      ['no', NAME],
      ['Gloria Inés Cárdenas', DOC_TYPE],
      ['cedula 52.123.456', EMAIL],
      ['gloria.cardenas@gmail.com', MORE],
      ['Es todo', TYPE],
      ...finish(),
    ],
    filed: [{ type: 'peticion', fullName: 'Gloria Inés Cárdenas', documentType: 'CC', documentNumber: '52123456', email: 'gloria.cardenas@gmail.com' }],
  },
  {
    who: 'corrects the e-mail when asked where to receive the answer: "el correo esta mal, es …" is the address used, not dropped',
    turns: [
      ['Radicar una PQR', CONSENT],
      ['Acepto', CUSTOMER],
      ...nonCustomer('Sofía Herrera', 'CC', '1001002003', 'sofia.h@gmail.com'),
      ['Quiero saber cuánto cuesta el plan de 30 gigas', MORE],
      ['Es todo', TYPE],
      ['sí', NOTIFY],
      ['el correo esta mal, es sofia.herrera@gmail.com', /sofia\.herrera@gmail\.com[\s\S]*¿La radicamos\?/, /sofia\.h@gmail\.com/],
      ['Sí, radicar', FILED],
    ],
    filed: [{ type: 'peticion', fullName: 'Sofía Herrera', email: 'sofia.herrera@gmail.com' }],
  },
  {
    who: 'writes "never mind, cancel" in English when asked for anything more: nothing is filed',
    turns: [
      ['me cobraron dos veces la recarga de octubre', CONSENT],
      ['Acepto', CUSTOMER],
      ['sí', BRAND],
      ['Vozz', LINE],
      ['3004445566', MORE],
      ['never mind, cancel', /(No se radicó nada|Nothing was filed)/],
    ],
    filed: [],
  },
  {
    who: 'files in English and, at "anything else?", writes "ugh, never mind, please cancel this": nothing is filed and the sentence is not kept as a description',
    turns: [
      ['I want to file a complaint, I was charged twice for my top-up', /(authori[sz]e|Autorizas)/i],
      ['I accept', /(customer|cliente)/i],
      ['yes', /(brand|marca)/i],
      ['Vozz', /(line|línea)/i],
      ['3004445577', /(anything else|algo más)/i],
      ['ugh, never mind, please cancel this', /(No se radicó nada|Nothing was filed)/],
    ],
    filed: [],
  },
  {
    who: 'types only "cancelar" at the line question, then starts again and files',
    turns: [
      ['me cobraron un roaming que no usé', CONSENT],
      ['Acepto', CUSTOMER],
      ['sí', BRAND],
      ['Vozz', LINE],
      ['cancelar', /No se radicó nada/],
      ['Radicar una PQR', CUSTOMER, CONSENT],
      ['sí', BRAND],
      ['Vozz', LINE],
      ['3007778899', DESCRIBE],
      ['Me cobraron un roaming que no usé en diciembre', MORE],
      ['Es todo', TYPE],
      ...finish(),
    ],
    filed: [{ type: 'reclamo', line: '3007778899', descriptionHas: [/roaming/] }],
  },
  {
    who: 'mentions "cancelar" inside a sentence at the e-mail question and is asked what they mean instead of losing everything',
    turns: [
      ['Radicar una PQR', CONSENT],
      ['Acepto', CUSTOMER],
      ['no', NAME],
      ['Camila Vargas', DOC_TYPE],
      ['CC', DOC_NUMBER],
      ['1033444555', EMAIL],
      ['no tengo correo, toca cancelar o qué?', /correo/, /No se radicó nada/],
      ['camila.vargas@gmail.com', DESCRIBE],
      ['Quiero cancelar un servicio de mensajes que tengo activo', MORE],
      ['Es todo', TYPE],
      ...finish(),
    ],
    filed: [{ type: 'peticion', fullName: 'Camila Vargas', email: 'camila.vargas@gmail.com' }],
  },
  {
    who: 'fails the line three times, gets help without losing anything, and the next valid line is understood',
    turns: [
      ['me quitaron los minutos que tenía', CONSENT],
      ['Acepto', CUSTOMER],
      ['sí', BRAND],
      ['Vozz', LINE],
      ['no sé', /línea/],
      ['123', /línea/],
      ['mi número de siempre', /asesor|\*611/],
      ['3012223344', MORE],
      ['Es todo', TYPE],
      ...finish(),
    ],
    filed: [{ type: 'reclamo', line: '3012223344', descriptionHas: [/minutos/] }],
  },
  {
    who: 'fails the e-mail three times and then writes it right, keeping the name and document',
    turns: [
      ['Radicar una PQR', CONSENT],
      ['Acepto', CUSTOMER],
      ...nonCustomer('Esteban Quintero', 'CC', '1144556677', 'esteban').slice(0, 4),
      ['esteban', /correo/],
      ['esteban arroba gmail', /correo/],
      ['no me acuerdo', /asesor|otra forma|\*611|ayuda/i],
      ['esteban.quintero@gmail.com', DESCRIBE],
      ['Quiero la portabilidad de mi número a esta compañía', MORE],
      ['Es todo', TYPE],
      ...finish(),
    ],
    filed: [{ type: 'peticion', fullName: 'Esteban Quintero', documentType: 'CC', email: 'esteban.quintero@gmail.com' }],
  },
  {
    who: 'is upset and gets one line of acknowledgement before the notice',
    turns: [
      ['estoy mamado de ustedes, otra vez me cobraron un paquete que no pedí', /(Entiendo|Lamentamos|Siento)[^]*autorizas/i],
      ['acepto', CUSTOMER],
      ['sí', BRAND],
      ['Vozz', LINE],
      ['3005556677', MORE],
      ['Es todo', TYPE],
      ...finish(),
    ],
    filed: [{ type: 'reclamo', descriptionHas: [/cobraron un paquete/] }],
  },
  {
    who: 'had the phone stolen and first learns how to block the line, then files',
    turns: [
      ['me robaron el celular', /\*611[^]*(bloque)|bloque[^]*\*611/i],
      ['sí', CONSENT],
      ['acepto', CUSTOMER],
      ['sí', BRAND],
      ['Vozz', LINE],
      ['3006667788', MORE],
      ['necesito que bloqueen la línea y me den una SIM nueva con el mismo número', MORE],
      ['Es todo', TYPE],
      ...finish(),
    ],
    filed: [{ type: 'peticion', line: '3006667788', descriptionHas: [/robaron/, /SIM nueva/] }],
  },
  {
    who: 'suspects fraud and first gets the immediate action',
    turns: [
      ['creo que me hicieron fraude, me están llamando a nombre de ustedes pidiendo claves', /\*611/, CONSENT],
      ['no, gracias, solo quería avisar', /¿Qué quieres hacer|Gracias/],
    ],
    filed: [],
  },
  {
    who: 'asks two things in one message, files the first and is offered the second as its own PQR',
    turns: [
      ['me cobraron un paquete que no pedí y además quiero cambiar de plan', CONSENT],
      ['Acepto', CUSTOMER],
      ['sí', BRAND],
      ['Vozz', LINE],
      ['3008889900', MORE],
      ['Es todo', TYPE],
      ['sí', NOTIFY],
      ['en este chat', SUMMARY],
      ['Sí, radicar', /Radicamos tu reclamo[^]*cambiar de plan/],
      ['sí', SUMMARY],
      ['Sí, radicar', FILED],
    ],
    filed: [
      { type: 'reclamo', descriptionHas: [/paquete/], descriptionLacks: [/cambiar de plan/] },
      { type: 'peticion', descriptionHas: [/cambiar de plan/] },
    ],
  },
  {
    who: 'taps "Ayuda" in the clarification question and gets help',
    turns: [
      ['quiero saber qué hago', /¿Cuál de estas opciones/],
      ['Ayuda', /Te ayudo con tus peticiones/, /Estamos en medio de un trámite/],
    ],
    filed: [],
  },
  {
    who: 'does not remember the CUN and is never asked for it a third time',
    turns: [
      ['¿cómo va mi PQR?', /CUN/],
      ['no me acuerdo del número… ¿no la pueden buscar con mi cédula?', /./],
      ['no lo tengo', /./, /Escribe el CUN|Ese no parece un CUN/],
    ],
    filed: [],
  },
  {
    who: 'corrects the type at the proposal and the answer channel at the summary',
    turns: [
      ['Radicar una PQR', CONSENT],
      ['Acepto', CUSTOMER],
      ...nonCustomer('Gloria Inés Cárdenas', 'CC', '41555666', 'gloria.cardenas@gmail.com'),
      ['Llevo tres días sin señal en la casa', MORE],
      ['Es todo', TYPE],
      ['no, es un reclamo', NOTIFY],
      ['en este chat', SUMMARY],
      ['mejor que la respuesta me llegue por correo', /gloria\.cardenas@gmail\.com[^]*¿La radicamos\?/],
      ['Sí, radicar', FILED],
    ],
    filed: [{ type: 'reclamo', fullName: 'Gloria Inés Cárdenas', email: 'gloria.cardenas@gmail.com' }],
  },
  {
    who: 'writes "sí" in many ways along the filing',
    turns: [
      ['me cobraron un mes que ya había pagado', CONSENT],
      ['Sí', CUSTOMER],
      ['simón', BRAND],
      ['Vozz', LINE],
      ['3011112222', MORE],
      ['nada más', TYPE],
      ['correcto', NOTIFY],
      ['aquí mismo', SUMMARY],
      ['dale', FILED],
    ],
    filed: [{ type: 'reclamo', line: '3011112222' }],
  },
  {
    who: 'replaces the description at the summary with a pasted wall of text, shown as an excerpt and stored whole',
    turns: [
      ['Radicar una PQR', CONSENT],
      ['Acepto', CUSTOMER],
      ...nonCustomer('Hernán Darío Peña', 'CC', '98765432', 'hernan.pena@gmail.com'),
      ['Quiero la copia del contrato', MORE],
      ['Es todo', TYPE],
      ...finish().slice(0, 2),
      ['la descripción quedó mal', /descripción completa/],
      // Just under the web chat's limit for one message (test/channels covers what is above it).
      ['copia '.repeat(665), /…[^]*¿La radicamos\?/],
      ['Sí, radicar', FILED],
    ],
    filed: [{ type: 'peticion', fullName: 'Hernán Darío Peña', descriptionHas: [/^(copia ){664}copia$/], descriptionLacks: [/contrato/] }],
  },
  {
    who: 'types a summary button at the name question and is asked for the name again',
    turns: [
      ['Radicar una PQR', CONSENT],
      ['Acepto', CUSTOMER],
      ['no', NAME],
      ['Sí, radicar', /nombre y apellido/, FILED],
      ['Rosa Elvira Cárdenas', DOC_TYPE],
      ['menú', /¿Qué quieres hacer/],
    ],
    filed: [],
  },
  {
    who: 'cancels and then types "Sí, radicar" as if the summary were still there: nothing is filed without a new summary',
    turns: [
      ['Radicar una PQR', CONSENT],
      ['Acepto', CUSTOMER],
      ...nonCustomer('Mauricio Lara', 'CC', '80999111', 'mauricio.lara@gmail.com'),
      ['Quiero saber el saldo de mi cuenta', MORE],
      ['Es todo', TYPE],
      ...finish().slice(0, 2),
      ['cancelar', /No se radicó nada/],
      ['Sí, radicar', /./, FILED],
      ['menú', /¿Qué quieres hacer/],
    ],
    filed: [],
  },
  {
    who: 'says "menú" in the middle of a filing and can start over',
    turns: [
      ['Radicar una PQR', CONSENT],
      ['Acepto', CUSTOMER],
      ['no', NAME],
      ['menú', /¿Qué quieres hacer/],
    ],
    filed: [],
  },
];

describe('people who leave the happy path, over the web chat against the real server', () => {
  let running: RunningApp;

  beforeAll(async () => {
    // People here type faster than people do, from one address; the web chat's limits are tested in test/channels.
    running = await startTestApp({
      BACKOFFICE_TOKEN: BOOTSTRAP_TOKEN,
      WEBCHAT_NEW_CONVERSATIONS_PER_SECOND: '1000',
      WEBCHAT_NEW_CONVERSATIONS_BURST: '1000',
      WEBCHAT_MESSAGES_PER_SECOND: '1000',
      WEBCHAT_MESSAGES_BURST: '1000',
    });
  });
  afterAll(() => running?.close());

  it('reaches a CUN on the happy path in no more turns than before the conversation work (9 user messages, 10 bot messages)', async () => {
    const user = await DirectLineUser.connect(running.url);
    const happy: Turn[] = [
      ['me cobraron un paquete que no pedí', CONSENT],
      ['Acepto', CUSTOMER],
      ['Sí', BRAND],
      ['Vozz Móvil', LINE],
      ['3001234567', MORE],
      ['Es todo', TYPE],
      ['Sí, es reclamo', NOTIFY],
      ['En este chat', SUMMARY],
      ['Sí, radicar', FILED],
    ];
    for (const [say, expected] of happy) {
      await user.say(say);
      await running.app.webchat.idle();
      await user.waitForBot(expected);
    }
    const activities = (await user.activities()).filter((a) => a.type === 'message');
    const turns = { user: activities.filter((a) => a.from.role !== 'bot').length, bot: activities.filter((a) => a.from.role === 'bot').length };
    expect(turns.user).toBeLessThanOrEqual(9);
    expect(turns.bot).toBeLessThanOrEqual(10);
  });

  it('has at least 30 people', () => {
    expect(people.length).toBeGreaterThanOrEqual(30);
  });

  it.each(people.map((person) => [person.who, person] as const))('%s', async (_who, person) => {
    const user = await DirectLineUser.connect(running.url);
    const transcript: string[] = [];
    for (const [say, expected, forbidden] of person.turns) {
      const before = (await user.botTexts()).length;
      await user.say(say);
      await running.app.webchat.idle();
      const replies = (await user.botTexts()).slice(before);
      transcript.push(`> ${say}`, ...replies.map((r) => `< ${r}`));
      const joined = replies.join('\n');
      if (!expected.test(joined) || (forbidden && forbidden.test(joined))) {
        throw new Error(`after «${say}» expected ${expected}${forbidden ? ` and not ${forbidden}` : ''}; transcript:\n${transcript.join('\n')}`);
      }
    }

    const cuns = (await user.botTexts()).filter((text) => FILED.test(text)).flatMap((text) => text.match(/\d{4}-\d{2}-\d{10}/g) ?? []);
    const stored = await running.app.db.prisma.pqr.findMany({ where: { identity: { channel: 'webchat', userId: user.userId } }, orderBy: { id: 'asc' }, select: { cun: true } });
    expect(stored.map((p) => p.cun)).toEqual([...new Set(cuns)]);
    expect(stored).toHaveLength(person.filed.length);

    for (const [index, expected] of person.filed.entries()) {
      const { status, body } = await call(running.url, 'GET', `/pqrs/${stored[index].cun}`, { token: BOOTSTRAP_TOKEN });
      expect(status).toBe(200);
      expect(body.type).toBe(expected.type);
      expect(body.description.length).toBeLessThanOrEqual(MAX_DESCRIPTION_CHARS);
      const owner = body.owner ?? {};
      if (expected.fullName) expect(owner.fullName).toBe(expected.fullName);
      if (expected.documentType) expect(owner.documentType).toBe(expected.documentType);
      if (expected.documentNumber) expect(owner.documentNumber).toBe(expected.documentNumber);
      if (expected.email) expect(owner.email).toBe(expected.email);
      if (expected.line) expect(owner.line).toBe(expected.line);
      if (expected.brand) expect(body.brand).toBe(expected.brand);
      for (const pattern of expected.descriptionHas ?? []) expect(body.description).toMatch(pattern);
      for (const pattern of expected.descriptionLacks ?? []) expect(body.description).not.toMatch(pattern);
    }

    // A way out, always: whatever happened, the menu is on screen at the end.
    // (In the language the person last wrote in.)
    const buttons = await user.lastButtons();
    expect(buttons).toEqual(expect.arrayContaining(buttons.includes('File a PQR') ? ['File a PQR', 'Check a PQR'] : ['Radicar una PQR', 'Consultar una PQR']));
  });
});
