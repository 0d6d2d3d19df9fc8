import type { Locale } from '../i18n';

/**
 * What each intent means, so a new corpus line or an evaluation label has one defensible answer.
 * - radicar_pqr: the user wants to file a PQR, describes a problem or request for the operator
 *   (that description is the PQR), or asks how to file one ("cómo pongo un reclamo"). Complaints
 *   about the operator's staff or channels ("el chat de la página nunca responde") are quejas here,
 *   not `canales`; ending a service ("quiero cancelar mi línea") is a petición, not `cancelar`.
 * - consultar_estado: asks about the user's own PQR already filed: status, answer, time left.
 * - recurso: disagrees with an answer received and wants to appeal it, or asks how long they have
 *   to appeal their answer.
 * - saludo / despedida: only greets, or only closes or thanks.
 * - hablar_asesor: wants a human now.
 * - canales: asks for the operator's other contact points (lines, offices, web, e-mail, hours, cost
 *   of calling them).
 * - ayuda: asks about this bot or the PQR process itself, not to do anything ("¿qué necesito para
 *   poner una queja?" is ayuda, "¿cómo pongo una queja?" is radicar_pqr): the menu, going back,
 *   what a term means (CUN, queja vs reclamo, recurso, silencio administrativo), the legal terms in
 *   general, what filing requires or costs.
 * - cancelar: stop the conversation's current flow.
 * - fuera_de_alcance: anything not about the operator's services or this bot, including questions
 *   about the bot itself as a person ("¿eres humano?"), another company's product or bill ("Netflix
 *   me cobró dos veces", even with words like cobro or reclamo) and a bare "ok" or "sí" with
 *   nothing to go on.
 */
export const INTENTS = [
  'radicar_pqr',
  'consultar_estado',
  'recurso',
  'saludo',
  'despedida',
  'hablar_asesor',
  'canales',
  'ayuda',
  'cancelar',
  'fuera_de_alcance',
] as const;
export type Intent = (typeof INTENTS)[number];

export const PQR_TYPES = ['peticion', 'queja', 'reclamo'] as const;
export type PqrType = (typeof PQR_TYPES)[number];

export interface Entities {
  cun?: string;
  phone?: string;
  document?: string;
  email?: string;
  amount?: number;
  date?: string;
}

export interface Scored<T> {
  label: T;
  score: number;
}

export interface TypeRecognition {
  label: PqrType;
  confidence: number;
  ranking: Scored<PqrType>[];
}

export interface Recognition {
  intent: Intent;
  confidence: number;
  intents: Scored<Intent>[];
  /** Set when the top intent is radicar_pqr. */
  type: TypeRecognition | null;
  entities: Entities;
  /** Nothing to understand: empty, only emojis or punctuation. */
  empty: boolean;
  /** The language the text was read in. */
  locale: Locale;
}

export interface Recognizer {
  /** `locale` is the conversation's language, used when the text itself does not say which it is. */
  recognize(text: string, now?: Date, locale?: Locale): Recognition;
  classifyType(text: string, locale?: Locale): TypeRecognition;
}
