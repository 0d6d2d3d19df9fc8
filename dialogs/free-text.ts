import type { Translate } from '../src/i18n';
import { foldWords } from '../src/nlu';
import { fold } from './context';

/** What people write to say they have finished a text told in several messages. */
const DONE_WORDS = new Set(['es todo', 'eso es todo', 'eso seria todo', 'eso era todo', 'era todo', 'seria todo', 'listo', 'ya', 'ya esta', 'ya es todo', 'no', 'nada mas', 'no mas', 'no nada mas', 'nada', 'termine', 'ya termine', 'fin', 'eso', 'eso es', 'solo eso', 'nada mas gracias', 'no gracias', 'done', 'nothing else', 'that is all', "that's all"]);
/** What may come with "eso es todo" without adding to the description: "eso es todo, apúrele". */
const HURRY_OR_THANKS = new Set(['apurele', 'apurenle', 'apurese', 'rapido', 'rapidito', 'gracias', 'muchas gracias', 'mil gracias', 'por favor', 'porfa', 'porfavor', 'pues', 'ya', 'listo', 'ok', 'dale', 'de una', 'si', 'no', 'y ya', 'hagale', 'hagale pues', 'ahi', 'ahi esta', 'quedo atento', 'quedo atenta']);

/** True for the "Es todo" button and its spoken equivalents, with thanks or hurry around them. */
export function isDone(text: string, t: Translate): boolean {
  const folded = fold(text);
  if (DONE_WORDS.has(folded) || folded === fold(t('file.describe.done'))) return true;
  const clauses = text.split(/[,.;!¡?¿\n]+/).map(fold).filter(Boolean);
  return clauses.some((c) => DONE_WORDS.has(c)) && clauses.every((c) => DONE_WORDS.has(c) || HURRY_OR_THANKS.has(c));
}

/** Emoji or punctuation alone tell nothing. */
export function hasWords(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}

/**
 * Greetings, courtesy and the bare wish to file ("Buenas tardes, quiero poner una queja"): words
 * that never describe what happened.
 */
const FILLER = new Set(
  ('hola ola buenas buenos buen dia dias tarde tardes noche noches saludos cordial saludo señor señora señorita senor senora senorita que tal como esta estas ' +
    'quiero quisiera queria necesito deseo vengo me gustaria gustaria poner ponerles hacer presentar radicar interponer montar levantar meter dejar abrir crear registrar ' +
    'una un unas unos la el mi una nueva otra queja quejas reclamo reclamos reclamacion peticion solicitud pqr pqrs caso denuncia ' +
    'por favor porfa gracias ayuda ayudar ayudeme ayudame me pueden puede colaborar colaboracion de a con para sobre contra ustedes usted les es este esto eso ' +
    'y o pues bueno ok si no ya listo oiga oigan disculpe disculpa perdon hey ey')
    .split(' '),
);

/** True when the text tells nothing beyond a greeting or the wish to file. */
export function isOnlyFiller(text: string): boolean {
  return foldWords(text)
    .split(' ')
    .filter(Boolean)
    .every((word) => FILLER.has(word));
}

/** Where a second request starts: "…que no pedí y además quiero cambiar de plan". */
const SECOND_REQUEST = /[,.;]?\s+(?:y\s+)?(?:adem[aá]s|tambi[eé]n|aparte|otra cosa|por otro lado)[,:]?\s+(?=(?:quiero|quisiera|necesito|me gustar[ií]a|deseo|solicito|pido)\b)/i;
/** Both parts must tell something: "quiero una copia y además…" is one request cut short. */
const MIN_REQUEST_WORDS = 3;

/** A message with two requests, split at the second; null when it holds one. */
export function splitRequests(text: string): [string, string] | null {
  const match = SECOND_REQUEST.exec(text);
  if (!match) return null;
  const first = text.slice(0, match.index).trim();
  const second = text.slice(match.index + match[0].length).trim();
  const words = (s: string) => s.split(/\s+/).filter(Boolean).length;
  if (words(first) < MIN_REQUEST_WORDS || words(second) < MIN_REQUEST_WORDS || isOnlyFiller(first) || isOnlyFiller(second)) return null;
  return [first, second.charAt(0).toUpperCase() + second.slice(1)];
}
