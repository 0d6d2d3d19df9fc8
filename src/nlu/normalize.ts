import { AggressiveTokenizerEs } from 'natural/lib/natural/tokenizers';
import { PorterStemmerEs } from 'natural/lib/natural/stemmers';

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
const CHAT_SPELLINGS: Record<string, string> = {
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

const EMAIL_RE = /[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}/gi;
const CUN_RE = /(?<!\d)\d{4}[\s-]?\d{2}[\s-]?\d{10}(?!\d)/g;
const PHONE_RE = /(?<!\d)(?:\+?57[\s-]?)?\(?3\d{2}\)?[\s.-]?\d{3}[\s.-]?\d{2}[\s.-]?\d{2}(?!\d)/g;
const MONEY_RE = /\$\s?\d[\d.,]*(?:\s?(?:mil|k|millones?|mill?|palos?|lucas?))?|\d[\d.,]*\s?(?:mil|k|millones?|palos?|lucas?|pesos|cop)\b/gi;
const NUMBER_RE = /\d+(?:[.,]\d+)*/g;

/** Lower case, no accents (ñ folds to n, as in "senal"), masks, repeated letters squeezed, chat spellings expanded. */
export function normalize(text: string): string {
  let s = text.normalize('NFKC').toLowerCase();
  s = s
    .replace(EMAIL_RE, ` ${MASK.email} `)
    .replace(CUN_RE, ` ${MASK.cun} `)
    .replace(PHONE_RE, ` ${MASK.phone} `)
    .replace(MONEY_RE, ` ${MASK.money} `)
    .replace(NUMBER_RE, ` ${MASK.number} `);
  s = s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  // "holaaaa", "nooo", "porfaaaa": three or more of a letter are never Spanish spelling.
  s = s.replace(/([a-z])\1{2,}/g, '$1');
  const words = s.split(/[^a-z]+/).filter(Boolean);
  return words.map((w) => CHAT_SPELLINGS[w] ?? w).join(' ');
}

const tokenizer = new AggressiveTokenizerEs();

/** Words of the normalised text; stop words are kept because "no", "sin", "me", "ya" carry the meaning here. */
export function tokenize(normalized: string): string[] {
  return tokenizer.tokenize(normalized);
}

/** Stemming is most of a classification's time and chat vocabulary is small: remember the answers. */
const stems = new Map<string, string>();
const MAX_REMEMBERED_STEMS = 50_000;

export function stem(word: string): string {
  if (word.startsWith('x') && word.endsWith('x') && word.length > 3) return word;
  let s = stems.get(word);
  if (s === undefined) {
    // A flood of invented words must not grow the memory without bound.
    if (stems.size >= MAX_REMEMBERED_STEMS) stems.clear();
    s = PorterStemmerEs.stem(word) as string;
    stems.set(word, s);
  }
  return s;
}
