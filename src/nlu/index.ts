/** The NLU's door: dialogs import from here only. */
export type { Entities, Intent, PqrType, Recognition, Recognizer, Scored, TypeRecognition } from './types';
export { INTENTS, PQR_TYPES } from './types';
export { INTENT_THRESHOLD, TYPE_THRESHOLD, createRecognizer } from './recognizer';
export { anonymize, documentTypeOf, extractEntities, isColombianMobile, isValidEmail, normalizeDocument, normalizeMobile, personName, suggestEmail, type DocumentType } from './entities';
export { asksToEndAService, foldWords, isUpset, shortReply, urgencyOf, URGENCIES, type Urgency } from './lexicon';
export { detectLanguage } from './language';
export { normalize } from './normalize';
