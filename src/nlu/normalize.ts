import { AggressiveTokenizerEs } from 'natural/lib/natural/tokenizers';
import { PorterStemmer, PorterStemmerEs } from 'natural/lib/natural/stemmers';
import type { Locale } from '../i18n';

/**
 * Masks are plain letters so they survive natural's tokenizer (which splits on anything that is
 * not a letter) and so a CUN or a phone number teaches the model "a CUN was here", not its digits.
 */
export const MASK = {
  cun: 'xcunx',
  email: 'xemailx',
  phone: 'xlineax',
  money: 'xplatax',
  number: 'xnumx',
} as const;

/** Chat spellings → the word they stand for. Applied per token, after accents and case are folded. */
const CHAT_SPELLINGS_ES: Record<string, string> = {
  q: 'que', k: 'que', ke: 'que', qe: 'que', qu: 'que',
  xq: 'porque', xk: 'porque', pq: 'porque', pk: 'porque', porq: 'porque', porke: 'porque', xke: 'porque', xque: 'porque', prq: 'porque',
  x: 'por', xa: 'para', pa: 'para', pra: 'para',
  d: 'de', dl: 'del', n: 'en', l: 'el',
  tb: 'tambien', tbn: 'tambien', tmb: 'tambien', tmbn: 'tambien', tambn: 'tambien',
  xfa: 'por favor', xfavor: 'por favor', porfa: 'por favor', porfis: 'por favor', plis: 'por favor', pls: 'por favor', plz: 'por favor', porfavor: 'por favor',
  msj: 'mensaje', msm: 'mensaje', sms: 'mensaje', info: 'informacion', infor: 'informacion',
  cel: 'celular', celu: 'celular', tel: 'telefono',
  nro: 'numero', num: 'numero', numer: 'numero',
  dnd: 'donde', dond: 'donde', cdo: 'cuando', cuand: 'cuando', kien: 'quien', kiero: 'quiero', qiero: 'quiero', kero: 'quiero', quero: 'quiero',
  bn: 'bien', grax: 'gracias', grac: 'gracias', gracia: 'gracias', grs: 'gracias', grcs: 'gracias', thx: 'gracias',
  ola: 'hola', hla: 'hola', holi: 'hola', holis: 'hola', buenass: 'buenas', bns: 'buenas', bnas: 'buenas',
  toy: 'estoy', tonces: 'entonces', tons: 'entonces', ps: 'pues', pues: 'pues', pss: 'pues',
  ud: 'usted', uds: 'ustedes', vd: 'usted', ak: 'aca', aki: 'aqui', aqi: 'aqui',
  wpp: 'whatsapp', wsp: 'whatsapp', wasap: 'whatsapp', guasap: 'whatsapp', whatsap: 'whatsapp', wp: 'whatsapp',
  simcard: 'sim', chip: 'sim',
  tmp: 'tampoco', nd: 'nada', nda: 'nada', tdo: 'todo', tds: 'todos',
  hp: 'groseria', hpta: 'groseria', hijueputa: 'groseria', malparidos: 'groseria', ptm: 'groseria',
  ok: 'ok', okey: 'ok', oki: 'ok', okis: 'ok', vale: 'ok',
  asesora: 'asesor', asesr: 'asesor', acesor: 'asesor', asesoor: 'asesor',
  reclamacion: 'reclamo', reclamacio: 'reclamo', reclamaciones: 'reclamos',
  pqrs: 'pqr', pqrsd: 'pqr', pqrsf: 'pqr', pqrd: 'pqr',
};

/** English chat spellings; apostrophes are gone by then, so "don't" arrives as "don t". */
const CHAT_SPELLINGS_EN: Record<string, string> = {
  u: 'you', ur: 'your', ure: 'you are', r: 'are', y: 'why', pls: 'please', plz: 'please', plis: 'please', pleas: 'please', thx: 'thanks', thnx: 'thanks', thanx: 'thanks', ty: 'thanks', tysm: 'thanks',
  wanna: 'want to', gonna: 'going to', gotta: 'have to', cant: 'can not', cannot: 'can not', dont: 'do not', didnt: 'did not', doesnt: 'does not', isnt: 'is not', wont: 'will not', im: 'i am', ive: 'i have',
  w: 'with', wo: 'without', b: 'be', bc: 'because', cuz: 'because', coz: 'because', abt: 'about', msg: 'message', msgs: 'messages', txt: 'text', sms: 'text',
  acct: 'account', acc: 'account', info: 'information', asap: 'now', rn: 'now', nvm: 'nevermind', idk: 'i do not know', pqrs: 'pqr', pqrsd: 'pqr', pqrsf: 'pqr',
  hw: 'how', wat: 'what', wut: 'what', whats: 'what is', wheres: 'where is', hows: 'how is', thats: 'that is', theres: 'there is', its: 'it is',
  ok: 'ok', okay: 'ok', okey: 'ok', k: 'ok', kk: 'ok', yeah: 'yes', yep: 'yes', yup: 'yes', nope: 'no', nah: 'no',
  chargd: 'charged', billd: 'billed', recieve: 'receive', recieved: 'received', compain: 'complain', reclamo: 'claim', queja: 'complaint', peticion: 'request', recurso: 'appeal',
  whatsap: 'whatsapp', wpp: 'whatsapp', wsp: 'whatsapp', simcard: 'sim', cel: 'phone', cellphone: 'phone', cell: 'phone', mobile: 'phone',
};

/** English contractions spelled out before the apostrophes go: "doesn't" and "does not" are one thing to learn. */
const CONTRACTIONS: [RegExp, string][] = [
  [/\b(can)['’]t\b/g, '$1 not'],
  [/\bwon['’]t\b/g, 'will not'],
  [/n['’]t\b/g, ' not'],
  [/['’]m\b/g, ' am'],
  [/['’]re\b/g, ' are'],
  [/['’]ve\b/g, ' have'],
  [/['’]ll\b/g, ' will'],
  [/['’]d\b/g, ' would'],
  [/['’]s\b/g, ' is'],
];

const CHAT_SPELLINGS: Record<Locale, Record<string, string>> = { 'es-CO': CHAT_SPELLINGS_ES, en: CHAT_SPELLINGS_EN };

const EMAIL_RE = /[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}/gi;
const CUN_RE = /(?<!\d)\d{4}[\s-]?\d{2}[\s-]?\d{10}(?!\d)/g;
const PHONE_RE = /(?<!\d)(?:\+?57[\s-]?)?\(?3\d{2}\)?[\s.-]?\d{3}[\s.-]?\d{2}[\s.-]?\d{2}(?!\d)/g;
const MONEY_RE = /\$\s?\d[\d.,]*(?:\s?(?:mil|k|millones?|mill?|palos?|lucas?))?|\d[\d.,]*\s?(?:mil|k|millones?|palos?|lucas?|pesos|cop)\b/gi;
const NUMBER_RE = /\d+(?:[.,]\d+)*/g;

/** Lower case, no accents (ñ folds to n, as in "senal"), masks, repeated letters squeezed, chat spellings of the language expanded. */
export function normalize(text: string, locale: Locale = 'es-CO'): string {
  let s = text.normalize('NFKC').toLowerCase();
  if (locale === 'en') for (const [re, full] of CONTRACTIONS) s = s.replace(re, full);
  s = s
    .replace(EMAIL_RE, ` ${MASK.email} `)
    .replace(CUN_RE, ` ${MASK.cun} `)
    .replace(PHONE_RE, ` ${MASK.phone} `)
    .replace(MONEY_RE, ` ${MASK.money} `)
    .replace(NUMBER_RE, ` ${MASK.number} `);
  s = s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  // "holaaaa", "nooo", "pleeease": three or more of a letter are never Spanish or English spelling.
  s = s.replace(/([a-z])\1{2,}/g, '$1');
  const words = s.split(/[^a-z]+/).filter(Boolean);
  const spellings = CHAT_SPELLINGS[locale];
  return words.map((w) => spellings[w] ?? w).join(' ');
}

const tokenizer = new AggressiveTokenizerEs();

/** Words of the normalised text; stop words are kept because "no", "sin", "me", "ya" carry the meaning here. */
export function tokenize(normalized: string): string[] {
  return tokenizer.tokenize(normalized);
}

const STEMMERS: Record<Locale, { stem(word: string): string }> = { 'es-CO': PorterStemmerEs, en: PorterStemmer };

/** Stemming is most of a classification's time and chat vocabulary is small: remember the answers. */
const stems: Record<Locale, Map<string, string>> = { 'es-CO': new Map(), en: new Map() };
const MAX_REMEMBERED_STEMS = 50_000;

export function stem(word: string, locale: Locale = 'es-CO'): string {
  if (word.startsWith('x') && word.endsWith('x') && word.length > 3) return word;
  const known = stems[locale];
  let s = known.get(word);
  if (s === undefined) {
    // A flood of invented words must not grow the memory without bound.
    if (known.size >= MAX_REMEMBERED_STEMS) known.clear();
    s = STEMMERS[locale].stem(word);
    known.set(word, s);
  }
  return s;
}
