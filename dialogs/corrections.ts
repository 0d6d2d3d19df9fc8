import { extractEntities, foldWords, normalizeMobile, personName } from '../src/nlu';
import { PQR_TYPES, type Customer, type PqrType } from '../src/pqr';
import { emailIn } from './email-dialog';

/** The data of the summary the person may correct. */
export const FIELDS = ['name', 'document', 'email', 'line', 'description', 'type', 'notify'] as const;
export type Field = (typeof FIELDS)[number];

/** The fields a summary shows, in the order of the "Corregir un dato" buttons. */
export function correctableFields(customer: Customer): Field[] {
  return customer.kind === 'subscriber' ? ['line', 'description', 'type', 'notify'] : ['name', 'document', 'email', 'description', 'type', 'notify'];
}

/** A new value for a field: a string, a document, a type, or where to answer. */
export type Correction =
  | { field: 'name' | 'email' | 'line' | 'description'; value: string }
  | { field: 'document'; value: { type: string; number: string } }
  | { field: 'type'; value: PqrType }
  | { field: 'notify'; value: { channel: 'chat' } | { channel: 'email'; email?: string } };

/** What a correction in free text names, with its new value when the text carries one. */
export interface CorrectionRequest {
  field: Field;
  correction?: Correction;
}

/** Words that say something is to be changed: "quedó mal", "corrige", "no es…, es…". */
const CHANGE_CUE = /\b(mal|malo|mala|error|errado|errada|equivoque|equivocado|equivocada|corregir|corrige|corrijan|corrija|cambiar|cambia|cambien|cambie|en vez de|en lugar de|no es|es|era|mejor|perdon|uy|ups|quedo|falto|falta|actualizar)\b/;
const FIELD_WORDS: [Field, RegExp][] = [
  ['notify', /\b(respuesta|respondan|responda|me llegue|llegue|notifiquen|notificacion|avisen)\b/],
  ['email', /\b(correo|email|e mail|mail|gmail|hotmail|outlook)\b/],
  ['name', /\b(nombre|apellido|me llamo)\b/],
  ['document', /\b(documento|cedula|cc|nit|pasaporte|identificacion)\b/],
  ['line', /\b(linea|numero de celular|celular|mi numero|el numero)\b/],
  ['description', /\b(descripcion|lo que paso|lo que escribi|el detalle|detalles)\b/],
  ['type', /\b(tipo|es una queja|es un reclamo|es una peticion|no es queja|no es reclamo|no es peticion)\b/],
];
const TYPE_WORDS: Record<string, PqrType> = { queja: 'queja', reclamo: 'reclamo', peticion: 'peticion', solicitud: 'peticion' };

/**
 * A correction at the summary written as people write it: "el correo quedó mal, es
 * ana@gmail.com", "mi nombre está mal, es Luisa Fernanda Ríos", "mejor que la respuesta me llegue
 * por correo". Null when the text corrects nothing.
 */
export function correctionOf(text: string): CorrectionRequest | null {
  const folded = foldWords(text);
  if (!CHANGE_CUE.test(folded)) return null;
  const field = FIELD_WORDS.find(([, words]) => words.test(folded))?.[0];
  if (!field) return null;
  return { field, correction: valueOf(field, text, folded) };
}

/** The value after the last "es" / ":" of the text, as the person wrote it. */
function tail(text: string): string {
  const m = /(?:^|\s|,)(?:es|son|era|:)\s+([^,:]+?)\s*[.!]*$/i.exec(text) ?? /:\s*(.+)$/.exec(text);
  return m ? m[1].trim() : '';
}

function valueOf(field: Field, text: string, folded: string): Correction | undefined {
  switch (field) {
    case 'email': {
      const email = emailIn(text);
      return email ? { field, value: email } : undefined;
    }
    case 'name': {
      const name = personName(tail(text));
      return name ? { field, value: name } : undefined;
    }
    case 'line': {
      const phone = extractEntities(text, new Date()).phone;
      const line = phone ? normalizeMobile(phone) : null;
      return line ? { field, value: line } : undefined;
    }
    case 'type': {
      const named = Object.entries(TYPE_WORDS).filter(([word]) => new RegExp(`\\bes (una |un )?${word}\\b`).test(folded));
      const type = named.length === 1 ? named[0][1] : undefined;
      return type && PQR_TYPES.includes(type) ? { field, value: type } : undefined;
    }
    case 'notify': {
      if (/\b(correo|email|mail)\b/.test(folded)) {
        return { field, value: { channel: 'email', email: emailIn(text) ?? undefined } };
      }
      return /\b(chat|aqui|aca|whatsapp|telegram)\b/.test(folded) ? { field, value: { channel: 'chat' } } : undefined;
    }
    default:
      return undefined;
  }
}
