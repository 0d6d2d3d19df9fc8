import { loadMessages, LOCALES, type Locale } from '../i18n';

/** tinyld (~0.1 s to load) is loaded by the first message that needs it, not at start. */
let tinyld: typeof import('tinyld') | undefined;
const detectAll: typeof import('tinyld').detectAll = (...args) => (tinyld ??= require('tinyld') as typeof import('tinyld')).detectAll(...args);

/** Words that exist in one of the two languages only. Name particles (de, del, la, los, y) are left out: "María de los Ángeles" is a name in any language. */
const FUNCTION_WORDS: Record<'en' | 'es', ReadonlySet<string>> = {
  en: new Set(
    'i you my your the to want is are was were and of for with please can could would will how what this that it do does did not don didn doesn isn have has be been why where when am from on at an in so but if or all just about there any we they our get english speak understand hello hi thanks thank help yes since yet still already some than then who which only very too also after before now out up off im pls'.split(' '),
  ),
  es: new Set(
    'yo tu mi mis el que en por con para un una es son esta estoy esto eso lo le se al como pero mas ya quiero hola tengo necesito gracias ustedes usted nos donde cuando porque hablo espanol ingles hay muy tambien nada todo sin puedo pueden ayuda favor buenas buenos dias tardes noches si entiendo acepto mejor sirve funciona llegan llega acuerdo'.split(' '),
  ),
};

/** The whole message naming a language is a request for it, however short. */
const NAMED: Record<string, 'en' | 'es'> = { english: 'en', 'in english': 'en', 'english please': 'en', espanol: 'es', 'en espanol': 'es', spanish: 'es' };

/** A long message says its language in its first lines. */
const MAX_READ_CHARS = 2000;

const LOCALE_OF = { en: 'en', es: 'es-CO' } as const satisfies Record<'en' | 'es', Locale>;

function words(text: string): string[] {
  const folded = text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\S+@\S+/g, ' ');
  // "don't" → "don": the part before the apostrophe is the word that tells the language.
  return (folded.match(/[a-z]+(?:'[a-z]+)?/g) ?? []).map((w) => w.replace(/'.*$/, ''));
}

/**
 * Which of the bot's languages a message is clearly written in, or null when it does not say
 * enough ("ok", "help", "no", a name, a number, an e-mail): the conversation then keeps its language.
 *
 * tinyld, limited to English and Spanish, reads the letters; it is never sure of one word and it
 * takes Spanish names for Spanish, so it decides only a message of two words or more that also has
 * a function word of that language and no more of the other one. On test/nlu/language.jsonl that
 * gave no message in the wrong language and no ambiguous one switched, where tinyld alone switched
 * 17 of 37 (see the README).
 */
export function detectLanguage(text: string): Locale | null {
  if (typeof text !== 'string') return null;
  // A button's title comes back word for word from every user who taps it; tinyld costs ~0.5 ms a
  // message. Only the bot's own texts are remembered, never what a user typed.
  if (!botTexts().has(text)) return detect(text);
  let locale = known.get(text);
  if (locale === undefined) known.set(text, (locale = detect(text)));
  return locale;
}

/** The bot's short texts without placeholders (button titles, menu entries), in every language. */
let shortTexts: Set<string> | undefined;
const known = new Map<string, Locale | null>();

function botTexts(): Set<string> {
  shortTexts ??= new Set(LOCALES.flatMap((locale) => Object.values(loadMessages(locale))).filter((text) => text.length <= 80 && !text.includes('{')));
  return shortTexts;
}

function detect(text: string): Locale | null {
  const start = text.slice(0, MAX_READ_CHARS);
  const all = words(start);
  const named = NAMED[all.join(' ')];
  if (named) return LOCALE_OF[named];
  if (all.length < 2) return null;
  const counts = { en: all.filter((w) => FUNCTION_WORDS.en.has(w)).length, es: all.filter((w) => FUNCTION_WORDS.es.has(w)).length };
  // Without a function word of either language the answer is null whatever tinyld says: it is not asked.
  if (counts.en === 0 && counts.es === 0) return null;
  const top = detectAll(start, { only: ['en', 'es'] })[0]?.lang;
  if (top !== 'en' && top !== 'es') return null;
  const other = top === 'en' ? 'es' : 'en';
  return counts[top] >= 1 && counts[top] >= counts[other] ? LOCALE_OF[top] : null;
}
