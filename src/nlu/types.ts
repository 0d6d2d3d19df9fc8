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
}

export interface Recognizer {
  recognize(text: string, now?: Date): Recognition;
  classifyType(text: string): TypeRecognition;
}
