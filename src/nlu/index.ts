/** The NLU's door: dialogs import from here only. */
export type { Entities, Intent, PqrType, Recognition, Recognizer, Scored, TypeRecognition } from './types';
export { INTENTS, PQR_TYPES } from './types';
export { INTENT_THRESHOLD, TYPE_THRESHOLD, createRecognizer } from './recognizer';
export { detectLanguage } from './language';
export { anonymize, extractEntities, isColombianMobile, isValidEmail, normalizeDocument, normalizeMobile, type DocumentType } from './entities';
export { normalize } from './normalize';
