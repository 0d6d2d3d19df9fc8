import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { anonymize, createRecognizer, detectLanguage, extractEntities, type Recognizer } from '../../src/nlu';
import { corpusDir, loadCorpus, readExamples } from '../../src/nlu/corpus';
import { predictAll, report } from '../../src/nlu/metrics';
import { INTENTS, PQR_TYPES } from '../../src/nlu/types';
import { copyCache } from '../../src/nlu/recognizer';

let dir: string;
let cacheFile: string;
let recognizer: Recognizer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nlu-en-'));
  cacheFile = path.join(dir, 'model.json');
  // The models `npm install` built: loading them is what these tests need, not training again.
  copyCache(cacheFile);
  recognizer = await createRecognizer({ cacheFile });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface LanguageRow {
  text: string;
  language: 'en' | 'es' | null;
}

const LOCALE = { en: 'en', es: 'es-CO' } as const;

describe('detectLanguage', () => {
  const rows = readFileSync(path.resolve(__dirname, 'language.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as LanguageRow);

  test('on language.jsonl no message is put in the wrong language, no ambiguous one is decided, and at least 90% are found', () => {
    const wrong = rows.filter((r) => r.language !== null && ![LOCALE[r.language], null].includes(detectLanguage(r.text)));
    const decidedAmbiguous = rows.filter((r) => r.language === null && detectLanguage(r.text) !== null && detectLanguage(r.text) !== 'es-CO');
    const found = rows.filter((r) => r.language !== null && detectLanguage(r.text) === LOCALE[r.language]);
    expect(wrong.map((r) => r.text)).toEqual([]);
    expect(decidedAmbiguous.map((r) => r.text)).toEqual([]);
    expect(found.length / rows.filter((r) => r.language !== null).length).toBeGreaterThanOrEqual(0.9);
  });

  test.each(['Sorry, I don\'t speak Spanish. Can you help me in English?', 'English please', 'english', 'I was charged for a data package I never asked for'])('%j is English', (text) => {
    expect(detectLanguage(text)).toBe('en');
  });

  test.each(['ok', 'okay', 'help', 'hi', 'yes', 'no', 'thanks', 'John Smith', 'María de los Ángeles Gómez', '3001234567', '', '👍'])('%j says nothing about the language', (text) => {
    expect(detectLanguage(text)).toBeNull();
  });

  test.each([undefined, null, 42, {}])('a non-string (%p) says nothing and does not throw', (value) => {
    expect(detectLanguage(value as unknown as string)).toBeNull();
  });

  test('no Spanish message of the held-out and blind files is taken for English', () => {
    const spanish = ['heldout.jsonl', 'heldout-2.jsonl', 'blind-dev-a.jsonl', 'blind-dev-b.jsonl', 'blind-dev-c.jsonl', 'blind-final-d.jsonl', 'blind-issue-e.jsonl'].flatMap((f) =>
      readExamples(path.resolve(__dirname, f)),
    );
    expect(spanish.filter((e) => detectLanguage(e.text) === 'en').map((e) => e.text)).toEqual([]);
  });
});

describe('the English corpus', () => {
  const { examples } = loadCorpus(corpusDir('en'));

  test('has the same intents and PQR types as the Spanish one: at least 80 examples per type and 30 per other intent', () => {
    const count = (f: (e: (typeof examples)[number]) => boolean) => examples.filter(f).length;
    for (const type of PQR_TYPES) expect(count((e) => e.type === type)).toBeGreaterThanOrEqual(80);
    for (const intent of INTENTS.filter((i) => i !== 'radicar_pqr')) expect(count((e) => e.intent === intent)).toBeGreaterThanOrEqual(30);
  });

  test('shares no text with blind-en.jsonl', () => {
    const fold = (text: string) => text.toLowerCase().replace(/[^a-z0-9 ]/g, '').trim();
    const seen = new Set(examples.map((e) => fold(e.text)));
    expect(readExamples(path.resolve(__dirname, 'blind-en.jsonl')).filter((e) => seen.has(fold(e.text)))).toEqual([]);
  });
});

describe('the English NLU', () => {
  test('each language has its own model cache file', () => {
    expect(existsSync(cacheFile)).toBe(true);
    expect(existsSync(path.join(dir, 'model.en.json'))).toBe(true);
  });

  test.each([
    ['I was charged for a data package I never asked for', 'radicar_pqr', 'reclamo'],
    ['my calls keep dropping and nobody fixes it', 'radicar_pqr', 'queja'],
    ['please cancel my line at the end of the month', 'radicar_pqr', 'peticion'],
    ["what's going on with my claim?", 'consultar_estado', undefined],
    ['I disagree with the answer', 'recurso', undefined],
    ['hello there', 'saludo', undefined],
    ['thanks, bye', 'despedida', undefined],
    ['let me talk to a human', 'hablar_asesor', undefined],
    ['what number can I call you on', 'canales', undefined],
    ['what is a CUN', 'ayuda', undefined],
    ['forget it', 'cancelar', undefined],
    ['who will win the election', 'fuera_de_alcance', undefined],
  ])('%j → %s %s, read in English even in a Spanish conversation', (text, intent, type) => {
    const r = recognizer.recognize(text, undefined, 'es-CO');
    expect(r).toMatchObject({ intent, locale: 'en' });
    expect(r.type?.label).toBe(type);
  });

  test('a text that does not say its language is read in the conversation\'s language, or by the model that is sure of it', () => {
    expect(recognizer.recognize('help', undefined, 'en')).toMatchObject({ intent: 'ayuda', locale: 'en' });
    expect(recognizer.recognize('hola', undefined, 'en')).toMatchObject({ intent: 'saludo' });
    expect(recognizer.recognize('asesor', undefined, 'en')).toMatchObject({ intent: 'hablar_asesor', locale: 'es-CO' });
    expect(recognizer.recognize('agent', undefined, 'es-CO')).toMatchObject({ intent: 'hablar_asesor' });
    expect(recognizer.recognize('ok', undefined, 'en')).toMatchObject({ intent: 'fuera_de_alcance', locale: 'en' });
    expect(recognizer.recognize('ok', undefined, 'es-CO')).toMatchObject({ intent: 'fuera_de_alcance', locale: 'es-CO' });
  });

  test('a Spanish text in an English conversation is read by the Spanish model', () => {
    expect(recognizer.recognize('me cobraron un paquete que no pedí', undefined, 'en')).toMatchObject({ intent: 'radicar_pqr', locale: 'es-CO', type: { label: 'reclamo' } });
  });

  test('classifyType follows the language of the description', () => {
    expect(recognizer.classifyType('the store clerk was rude and hung up on me', 'es-CO').label).toBe('queja');
  });

  test('blind-en.jsonl (written before the corpus): intent accuracy ≥ 0.95 and type macro-F1 ≥ 0.95', () => {
    const r = report(predictAll(recognizer, readExamples(path.resolve(__dirname, 'blind-en.jsonl')), 'en'), INTENTS, PQR_TYPES, { intent: 0.5, type: 0.5 });
    expect(r.examples).toBeGreaterThanOrEqual(150);
    expect(r.intentAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(r.typeMacroF1).toBeGreaterThanOrEqual(0.95);
  });
});

describe('entities in English messages', () => {
  const NOW = new Date('2026-11-25T15:00:00Z');
  test.each<[string, Record<string, unknown>]>([
    ['my CUN is 0101-26-0000000042', { cun: '0101-26-0000000042' }],
    ['my line is +57 300 123 4567', { phone: '3001234567' }],
    ['my ID number is 1.020.345.678', { document: '1020345678' }],
    ['my id is 79 123 456', { document: '79123456' }],
    ['my email is John.Smith@Example.com', { email: 'john.smith@example.com' }],
    ['you charged me $20,000', { amount: 20000 }],
    ['they took 20 thousand pesos', { amount: 20000 }],
  ])('%j', (text, expected) => {
    expect(extractEntities(text, NOW)).toEqual(expected);
  });
});

describe('anonymize in English', () => {
  test.each([
    ["Hi, I'm John Smith and I was charged twice", "Hi, I'm <nombre> and I was charged twice"],
    ['my name is Ann Lee, my id is 52345678', 'my name is <nombre>, my id is <documento>'],
    ['I am very upset', 'I am very upset'],
  ])('%j → %j', (text, expected) => {
    expect(anonymize(text)).toBe(expected);
  });
});
