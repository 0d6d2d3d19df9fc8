import emailSpellChecker from '@zootools/email-spell-checker';
import { findCun, normalizeCun } from '../pqr/cun';
import type { Entities } from './types';

export type DocumentType = 'CC' | 'CE' | 'PA' | 'NIT';

const TIME_ZONE = 'America/Bogota';
/** Entities are looked for in the first part of very long messages only. */
const MAX_SCANNED_CHARS = 10_000;

const EMAIL = /[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/gi;
const CUN_LOOSE = /(?<!\d)\d{4}[\s.-]?\d{2}[\s.-]?\d{10}(?!\d)/g;
const PHONE = /(?<![\d+])(?:(?:\+|00)?\s?57[\s.-]?)?\(?(3\d{2})\)?[\s.-]?(\d{3})[\s.-]?(\d{2})[\s.-]?(\d{2})(?!\d)/g;
const NUM = String.raw`\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?`;
const MONEY_SYMBOL = new RegExp(String.raw`\$\s?(${NUM})(?:\s*(mil|millones?|millon|k|lucas?|palos?|thousand|millions?)\b)?`, 'gi');
const MONEY_SUFFIX = new RegExp(String.raw`(?<![\d.,])(${NUM})\s*(mil|millones?|millon|k|lucas?|palos?|thousand|millions?|pesos|cop)\b`, 'gi');
const DOC_KEYWORD = /\b(?:c\.?\s?c\.?|cedula|c[eé]dula|documento?|doc|identificaci[oó]n|identification|id(?:\s+card)?|nit|c\.?\s?e\.?|pasaporte|passport|ti|tarjeta de identidad)\s*(?:de\s+)?(?:n[uú]mero|number|no\.?|nro\.?|#)?\s*(?:es\s+|is\s+)?[:#]?\s*(\d[\d.\s-]{3,14}\d)/gi;
const BARE_DOC = /(?<![\d.,$])\d{5,10}(?![\d.,])/g;
const DOTTED = /(?<![\d.,$])\d{1,3}(?:\.\d{3}){1,3}(?![\d,]|\.\d)/g;

const MONTHS = ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'];
const DATE_WORDS = new RegExp(String.raw`\b(\d{1,2})\s*(?:de\s+)?(${MONTHS.join('|')}|setiembre)(?:\s*(?:de|del)?\s*(\d{4}))?\b`, 'i');
const DATE_NUMERIC = /(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?(?![\d/.-])/;
const DATE_RELATIVE = /\b(hoy|ayer|antier|anteayer|antes de ayer|trasanteayer)\b/i;

/** Replaces matches with spaces, so one number is never read as two entities. */
function blank(s: string, start: number, end: number): string {
  return s.slice(0, start) + ' '.repeat(end - start) + s.slice(end);
}

function takeFirst(s: string, re: RegExp): { match: RegExpExecArray; rest: string } | null {
  re.lastIndex = 0;
  const m = re.exec(s);
  re.lastIndex = 0;
  if (!m) return null;
  return { match: m, rest: blank(s, m.index, m.index + m[0].length) };
}

function blankAll(s: string, re: RegExp): string {
  return s.replace(re, (m) => ' '.repeat(m.length));
}

/** "20.000" / "20,000" → 20000; "1,5" / "1.5" → 1.5; "20.000,50" → 20000.5. */
export function parseNumber(raw: string): number {
  const s = raw.replace(/\s/g, '');
  const thousands = /^\d{1,3}(?:[.,]\d{3})+$/.test(s);
  if (thousands) return Number(s.replace(/[.,]/g, ''));
  const m = /^(.*?)[.,](\d{1,2})$/.exec(s);
  if (m) return Number(`${m[1].replace(/[.,]/g, '')}.${m[2]}`);
  return Number(s.replace(/[.,]/g, ''));
}

const MULTIPLIER: Record<string, number> = { mil: 1e3, k: 1e3, luca: 1e3, lucas: 1e3, millon: 1e6, millones: 1e6, palo: 1e6, palos: 1e6, thousand: 1e3, million: 1e6, millions: 1e6 };

const UNITS: Record<string, number> = {
  un: 1, uno: 1, una: 1, dos: 2, tres: 3, cuatro: 4, cinco: 5, seis: 6, siete: 7, ocho: 8, nueve: 9, diez: 10,
  once: 11, doce: 12, trece: 13, catorce: 14, quince: 15, dieciseis: 16, diecisiete: 17, dieciocho: 18, diecinueve: 19,
  veinte: 20, veintiun: 21, veintiuno: 21, veintiuna: 21, veintidos: 22, veintitres: 23, veinticuatro: 24, veinticinco: 25,
  veintiseis: 26, veintisiete: 27, veintiocho: 28, veintinueve: 29, treinta: 30, cuarenta: 40, cincuenta: 50, sesenta: 60,
  setenta: 70, ochenta: 80, noventa: 90, cien: 100, ciento: 100, doscientos: 200, trescientos: 300, cuatrocientos: 400,
  quinientos: 500, seiscientos: 600, setecientos: 700, ochocientos: 800, novecientos: 900,
};

const fold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

/** "veinte mil pesos", "ciento cincuenta mil", "dos millones": spelled-out amounts, which need "mil", "millones" or "pesos" after them. */
function spelledAmount(text: string): { value: number; start: number; end: number } | null {
  const words = [...fold(text).matchAll(/[a-z]+/g)];
  for (let i = 0; i < words.length; i++) {
    if (!(words[i][0] in UNITS) && words[i][0] !== 'mil') continue;
    let total = 0;
    let group = 0;
    let sawScale = false;
    let j = i;
    for (; j < words.length; j++) {
      const w = words[j][0];
      if (w in UNITS) group += UNITS[w];
      else if (w === 'y' && group > 0) continue;
      else if (w === 'mil') {
        total += (group || 1) * 1e3;
        group = 0;
        sawScale = true;
      } else if (w === 'millon' || w === 'millones') {
        total = (total + (group || 1)) * 1e6;
        group = 0;
        sawScale = true;
      } else break;
    }
    const isPesos = j < words.length && words[j][0] === 'pesos';
    if (sawScale || isPesos) {
      const value = total + group;
      const last = isPesos ? words[j] : words[j - 1];
      if (value > 0) return { value, start: words[i].index ?? 0, end: (last.index ?? 0) + last[0].length };
    }
    i = Math.max(i, j - 1);
  }
  return null;
}

function bogotaToday(now: Date): { y: number; m: number; d: number } {
  const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(now)
    .split('-')
    .map(Number);
  return { y, m, d };
}

function iso(y: number, m: number, d: number): string | null {
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return null;
  return dt.toISOString().slice(0, 10);
}

/**
 * Without a year, a date is taken in the current year unless that would put it more than a month
 * ahead: people filing a PQR mostly talk about what already happened ("el 15 de diciembre" said in January).
 */
function withYear(day: number, month: number, year: string | undefined, now: Date): string | null {
  const today = bogotaToday(now);
  if (year) return iso(year.length === 2 ? 2000 + Number(year) : Number(year), month, day);
  const candidate = iso(today.y, month, day);
  if (!candidate) return null;
  const ahead = (Date.parse(candidate) - Date.UTC(today.y, today.m - 1, today.d)) / 86_400_000;
  return ahead > 31 ? iso(today.y - 1, month, day) : candidate;
}

function findDate(text: string, now: Date): { date: string; start: number; end: number } | null {
  const folded = fold(text);
  const words = DATE_WORDS.exec(folded);
  if (words) {
    const month = words[2] === 'setiembre' ? 9 : MONTHS.indexOf(words[2]) + 1;
    const date = withYear(Number(words[1]), month, words[3], now);
    if (date) return { date, start: words.index, end: words.index + words[0].length };
  }
  const numeric = DATE_NUMERIC.exec(folded);
  if (numeric) {
    const date = withYear(Number(numeric[1]), Number(numeric[2]), numeric[3], now);
    if (date) return { date, start: numeric.index, end: numeric.index + numeric[0].length };
  }
  const rel = DATE_RELATIVE.exec(folded);
  if (rel) {
    const back = { hoy: 0, ayer: 1, antier: 2, anteayer: 2, 'antes de ayer': 2, trasanteayer: 3 }[rel[1]] ?? 0;
    const t = bogotaToday(now);
    const date = new Date(Date.UTC(t.y, t.m - 1, t.d - back)).toISOString().slice(0, 10);
    return { date, start: rel.index, end: rel.index + rel[0].length };
  }
  return null;
}

function findAmount(text: string): { value: number; rest: string } | null {
  for (const re of [MONEY_SYMBOL, MONEY_SUFFIX]) {
    const hit = takeFirst(text, re);
    if (hit) {
      const unit = (hit.match[2] ?? '').toLowerCase();
      return { value: Math.round(parseNumber(hit.match[1]) * (MULTIPLIER[unit] ?? 1) * 100) / 100, rest: hit.rest };
    }
  }
  const spelled = spelledAmount(text);
  if (spelled) return { value: spelled.value, rest: blank(text, spelled.start, spelled.end) };
  // "me cobraron 20.000": a bare number with thousands dots is money here, unless it is as large as a cédula.
  const dotted = takeFirst(text, DOTTED);
  if (dotted && parseNumber(dotted.match[0]) < 10_000_000) return { value: parseNumber(dotted.match[0]), rest: dotted.rest };
  return null;
}

export function extractEntities(text: string, now: Date = new Date()): Entities {
  const entities: Entities = {};
  if (typeof text !== 'string' || !text) return entities;
  // Same length as the input, so indices found in the folded copy are valid here too.
  let s = text.slice(0, MAX_SCANNED_CHARS).replace(/[^\x00-\x7f]/g, (c) => fold(c).slice(0, 1) || ' ');

  const email = takeFirst(s, EMAIL);
  if (email) {
    entities.email = email.match[0].toLowerCase();
    s = email.rest;
  }
  s = blankAll(s, EMAIL);

  const cun = findCun(s);
  if (cun) entities.cun = normalizeCun(cun) ?? cun;
  s = blankAll(s, CUN_LOOSE);

  const date = findDate(s, now);
  if (date) {
    entities.date = date.date;
    s = blank(s, date.start, date.end);
  }

  const phone = takeFirst(s, PHONE);
  if (phone) {
    entities.phone = phone.match.slice(1, 5).join('');
    s = phone.rest;
  }

  const keyed = takeFirst(s, DOC_KEYWORD);
  if (keyed) {
    const digits = keyed.match[1].replace(/\D/g, '');
    if (digits.length >= 5 && digits.length <= 11) {
      entities.document = digits;
      s = keyed.rest;
    }
  }

  const amount = findAmount(s);
  if (amount) {
    entities.amount = amount.value;
    s = amount.rest;
  }

  if (!entities.document) {
    const bare = takeFirst(s, BARE_DOC);
    if (bare && !(entities.phone && bare.match[0] === entities.phone)) entities.document = bare.match[0];
  }
  return entities;
}

/** A Colombian mobile line as 10 digits starting with 3 (+57, 57 or 0057 prefixes and separators dropped), else null. */
export function normalizeMobile(s: string): string | null {
  if (typeof s !== 'string') return null;
  const trimmed = s.trim();
  if (!/^[+\d\s().-]+$/.test(trimmed)) return null;
  let digits = trimmed.replace(/\D/g, '');
  if (digits.length === 14 && digits.startsWith('0057')) digits = digits.slice(4);
  else if (digits.length === 12 && digits.startsWith('57')) digits = digits.slice(2);
  return /^3\d{9}$/.test(digits) ? digits : null;
}

export function isColombianMobile(s: string): boolean {
  return normalizeMobile(s) !== null;
}

export function isValidEmail(s: string): boolean {
  if (typeof s !== 'string') return false;
  const e = s.trim();
  return e.length <= 254 && !e.includes('..') && /^[a-z0-9][a-z0-9._%+-]{0,63}@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,}$/i.test(e);
}

/** DIAN's check digit for a NIT. */
export function nitCheckDigit(base: string): number {
  const weights = [3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71];
  let sum = 0;
  for (let i = 0; i < base.length; i++) sum += Number(base[base.length - 1 - i]) * weights[i];
  const r = sum % 11;
  return r > 1 ? 11 - r : r;
}

/**
 * The document number in its stored form, or null when it cannot be one: CC 5–10 digits, CE 6–10
 * digits, PA 5–12 letters/digits (upper case), NIT 9–10 digits with an optional "-DV" checked against DIAN's rule.
 */
export function normalizeDocument(type: DocumentType | string, s: string): string | null {
  if (typeof s !== 'string' || typeof type !== 'string') return null;
  const raw = s.trim();
  switch (type.toUpperCase()) {
    case 'CC': {
      const d = raw.replace(/[\s.]/g, '');
      return /^[1-9]\d{4,9}$/.test(d) ? d : null;
    }
    case 'CE': {
      const d = raw.replace(/[\s.]/g, '');
      return /^\d{6,10}$/.test(d) ? d : null;
    }
    case 'PA': {
      const d = raw.replace(/[\s-]/g, '').toUpperCase();
      return /^[A-Z0-9]{5,12}$/.test(d) && /\d/.test(d) ? d : null;
    }
    case 'NIT': {
      const m = /^(\d{9,10})(?:-(\d))?$/.exec(raw.replace(/[\s.]/g, ''));
      if (!m) return null;
      if (m[2] === undefined) return m[1];
      return nitCheckDigit(m[1]) === Number(m[2]) ? `${m[1]}-${m[2]}` : null;
    }
    default:
      return null;
  }
}

const NAME_AFTER = /\b(me llamo|mi nombre es|soy|my name is|i am|i'm)\s+((?:[\p{L}'-]+\s*){1,4})/giu;
const NOT_A_NAME = new Set([
  'y', 'e', 'mi', 'con', 'quiero', 'necesito', 'tengo', 'por', 'para', 'el', 'la', 'los', 'las', 'que', 'q', 'pero', 'numero', 'cedula', 'cc',
  'documento', 'es', 'un', 'una', 'cliente', 'usuario', 'usuaria', 'titular', 'de', 'del', 'muy', 'nuevo', 'nueva', 'yo', 'su', 'tu', 'no',
  'ya', 'le', 'me', 'a', 'en', 'desde', 'hace', 'como', 'porque', 'xq', 'solo', 'mama', 'papa', 'esposo', 'esposa', 'hijo', 'hija',
  'and', 'with', 'my', 'the', 'an', 'from', 'your', 'customer', 'client', 'calling', 'writing', 'because', 'since', 'i', 'not', 'very', 'so',
]);

function maskName(text: string): string {
  return text.replace(NAME_AFTER, (whole, lead: string, rest: string) => {
    const words = rest.trim().split(/\s+/);
    const isSoy = ['soy', 'i am', "i'm"].includes(lead.toLowerCase());
    const name: string[] = [];
    for (const w of words) {
      if (NOT_A_NAME.has(fold(w))) break;
      // After "soy" or "I am" only capitalised words are names: "soy Ana" vs "soy cliente prepago".
      if (isSoy && !/^\p{Lu}/u.test(w)) break;
      name.push(w);
    }
    if (name.length === 0) return whole;
    const tail = rest.slice(rest.indexOf(name[name.length - 1]) + name[name.length - 1].length);
    return `${lead} <nombre>${tail}`;
  });
}

/** Removes what identifies a person, so a correction can be stored next to the corpus. */
export function anonymize(text: string): string {
  if (typeof text !== 'string') return '';
  let s = text
    .replace(EMAIL, '<email>')
    .replace(CUN_LOOSE, '<cun>')
    .replace(PHONE, '<linea>')
    .replace(DOC_KEYWORD, (whole, num: string) => whole.replace(num, '<documento>'))
    .replace(MONEY_SYMBOL, '<monto>')
    .replace(MONEY_SUFFIX, '<monto>');
  s = s.replace(/\d[\d.\s-]{3,}\d/g, (m) => (m.replace(/\D/g, '').length >= 5 ? '<numero>' : m));
  return maskName(s);
}

/**
 * The document type in any usual form: "cédula", "cedula", "CC", "C.C.", "cédula de ciudadanía"
 * (a bare "cédula" is the citizen's one, as in everyday Colombian use), "extranjería", "CE",
 * "pasaporte", "NIT"/"RUT". Null when the text names none, or more than one.
 */
export function documentTypeOf(text: string): DocumentType | null {
  if (typeof text !== 'string') return null;
  const s = ` ${fold(text).replace(/[^a-z\s]/g, (c) => (c === '.' ? '' : ' ')).replace(/\s+/g, ' ').trim()} `;
  const found = new Set<DocumentType>();
  if (/ (extranjeria|extrangeria|extranjero|extranjera|ce) /.test(s)) found.add('CE');
  if (/ (pasaporte|pasaport|pa|pp|passport) /.test(s)) found.add('PA');
  if (/ (nit|rut) /.test(s)) found.add('NIT');
  if (/ (ciudadania|cc|cedula|cedul|cedulla|sedula) /.test(s) && !(found.has('CE') && !/ (ciudadania|cc) /.test(s))) found.add('CC');
  return found.size === 1 ? [...found][0] : null;
}

/** Mailbox providers people in Colombia use; a domain one slip away from one of them is likely a typo. */
const EMAIL_DOMAINS = ['gmail.com', 'hotmail.com', 'hotmail.es', 'outlook.com', 'outlook.es', 'yahoo.com', 'yahoo.es', 'yahoo.com.co', 'hotmail.com.co', 'live.com', 'icloud.com', 'msn.com', 'une.net.co', 'etb.net.co', 'gmx.com', 'mail.com', 'ymail.com', 'me.com', 'aol.com', 'protonmail.com', 'proton.me'];
const EMAIL_TLDS = ['com', 'co', 'es', 'net', 'org', 'com.co', 'edu.co', 'gov.co', 'net.co', 'org.co', 'me'];
/** "gmial.con" is two slips from "gmail.com"; three would start to "correct" real company domains. */
const EMAIL_DOMAIN_THRESHOLD = 3;

/** The address with its domain's likely typo fixed ("ana@gmial.con" → "ana@gmail.com"), or null when it looks right. */
export function suggestEmail(email: string): string | null {
  if (!isValidEmail(email)) return null;
  const suggestion = emailSpellChecker.run({ email: email.trim().toLowerCase(), domains: EMAIL_DOMAINS, topLevelDomains: EMAIL_TLDS, domainThreshold: EMAIL_DOMAIN_THRESHOLD });
  // Only a known provider is suggested: a company's own domain (".io", ".dev", ".test") is not a typo of ".co".
  return suggestion && EMAIL_DOMAINS.includes(suggestion.domain) && suggestion.full !== email.trim().toLowerCase() ? suggestion.full : null;
}

/** Words that make a "name" a request or an answer to something else ("quiero hablar con una persona"). */
const NOT_IN_A_NAME = new Set([
  'quiero', 'quisiera', 'necesito', 'hablar', 'persona', 'asesor', 'asesora', 'humano', 'agente', 'ayuda', 'cancelar', 'menu', 'tengo', 'no', 'si', 'se', 'porque',
  'para', 'que', 'como', 'cual', 'mi', 'nombre', 'es', 'soy', 'llamo', 'me', 'usted', 'ustedes', 'por', 'favor', 'gracias', 'hola', 'buenas', 'buenos', 'dias', 'tardes', 'noches',
  'pqr', 'queja', 'reclamo', 'peticion', 'linea', 'celular', 'numero', 'cedula', 'documento', 'correo', 'pues', 'ya', 'eso', 'esto', 'cliente', 'con',
]);
const NAME_PREFIX = /^(mi nombre es|me llamo|soy|es|nombre:?)\s+/i;

/** A person's or a company's name as written ("Ana María Pérez", "Ferretería El Tornillo"), tidied; null when it is not one. */
export function personName(text: string): string | null {
  if (typeof text !== 'string') return null;
  const name = text.trim().replace(NAME_PREFIX, '').replace(/[.,;]+$/, '').replace(/\s+/g, ' ');
  if (!/^[\p{L}' .&-]{3,80}$/u.test(name)) return null;
  const words = name.split(' ');
  if (words.length < 2 || words.length > 7) return null;
  if (words.some((w) => NOT_IN_A_NAME.has(fold(w)) && !['de', 'del', 'la', 'y'].includes(fold(w)))) return null;
  return name;
}
