import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LOCALES, type Locale } from '../i18n';
import { corpusDir, loadCorpus, type Example } from './corpus';
import { extractEntities } from './entities';
import { detectLanguage } from './language';
import { LEXICON_FINGERPRINT } from './lexicon';
import { LinearModel, features, train, type SerializedModel } from './model';
import { MASK, normalize, tokenize } from './normalize';
import { INTENTS, type Intent, type PqrType, type Recognition, type Recognizer, type Scored, type TypeRecognition } from './types';
import { fromRoot } from '../paths';

/** Below these the dialogs ask with buttons instead of guessing. Chosen from the held-out file's calibration. */
export const INTENT_THRESHOLD = 0.5;
export const TYPE_THRESHOLD = 0.55;

/** Part of the cache key: bump when features or training change, so old caches are not reused. */
const MODEL_VERSION = 5;
/** Longer texts are classified on their start: the first paragraphs say what the message is about. */
const MAX_CLASSIFIED_CHARS = 2000;

export const DEFAULT_CACHE_FILE = fromRoot('data', 'nlu-model.json');

/** The language whose model reads a text that names no language of its own. */
export const DEFAULT_NLU_LOCALE: Locale = 'es-CO';

export interface TrainedNlu {
  locale: Locale;
  intent: LinearModel;
  type: LinearModel;
}

export function trainNlu(examples: Example[], locale: Locale = DEFAULT_NLU_LOCALE): TrainedNlu {
  const typed = examples.filter((e) => e.type !== null);
  return {
    locale,
    intent: train(examples.map((e) => e.text), examples.map((e) => e.intent), locale),
    type: train(typed.map((e) => e.text), typed.map((e) => e.type as string), locale),
  };
}

function ranked<T extends string>(labels: readonly string[], probs: number[]): Scored<T>[] {
  return labels.map((label, i) => ({ label: label as T, score: probs[i] })).sort((a, b) => b.score - a.score);
}

function unknownIntents(): Scored<Intent>[] {
  const rest = INTENTS.filter((i) => i !== 'fuera_de_alcance');
  return [{ label: 'fuera_de_alcance' as Intent, score: 1 / INTENTS.length }, ...rest.map((label) => ({ label, score: 1 / INTENTS.length }))];
}

/**
 * A text says something only if it has a word of two different letters or a CUN, line, e-mail or
 * amount: "xxxx…" would otherwise become the chat shortcut "x" (= "por") and a 5,000-letter
 * message of it a PQR.
 */
function hasContent(raw: string, locale: Locale): boolean {
  // Normalising keeps Latin letters only: a text in another script has no word left to read.
  const tokens = tokenize(normalize(raw, locale));
  if (tokens.length === 0) return false;
  const words = raw.toLowerCase().match(/\p{L}+/gu) ?? [];
  if (words.some((w) => new Set(w).size >= 2)) return true;
  const masks = Object.values(MASK).filter((m) => m !== MASK.number);
  return tokens.some((t) => masks.includes(t as (typeof masks)[number]));
}

/** Clauses of a message, for "hola, quiero saber cómo va mi reclamo y poner otro". */
const CLAUSE_BREAK = /[.;:!?¡¿\n]+|,|\s+(?:y|e|ademas|además|tambien|también|pero)\s+/i;
const MAX_CLAUSES = 4;
/** Share of the ranking taken from the best clause of each intent: at 0.3 cross-validated accuracy moves by 0.2 points and a second request gets a score worth showing. */
const CLAUSE_SHARE = 0.3;
const NOT_A_REQUEST = new Set<string>(['saludo', 'despedida', 'fuera_de_alcance']);

/** One language's models: a text clearly in another language is nothing it can read. */
export class NluRecognizer implements Recognizer {
  private readonly locale: Locale;

  constructor(private readonly models: TrainedNlu) {
    this.locale = models.locale;
  }

  recognize(text: string, now: Date = new Date()): Recognition {
    const { locale } = this;
    const raw = typeof text === 'string' ? text : '';
    const entities = extractEntities(raw, now);
    const empty = !/[\p{L}\p{N}]/u.test(raw);
    const clipped = raw.slice(0, MAX_CLASSIFIED_CHARS);
    const raws = empty ? new Map<string, number>() : features(clipped, locale);
    const known = this.models.intent.vectorize(raws);
    const foreign = (detectLanguage(clipped) ?? locale) !== locale;
    if (empty || known.idx.length === 0 || !hasContent(clipped, locale) || foreign) {
      const intents = unknownIntents();
      return { intent: 'fuera_de_alcance', confidence: intents[0].score, intents, type: null, entities, empty, locale };
    }
    const intents = ranked<Intent>(this.models.intent.labels, this.intentScores(clipped, this.models.intent.predictVector(known)));
    const top = intents[0];
    return {
      intent: top.label,
      confidence: top.score,
      intents,
      type: top.label === 'radicar_pqr' ? this.typeOf(raws) : null,
      entities,
      empty: false,
      locale,
    };
  }

  /**
   * The whole text decides, and each clause adds its own best reading: a message that asks two
   * things keeps the second one as a runner-up with a score worth showing. A greeting or an
   * aside is not a second request, so only the other intents are lifted.
   */
  private intentScores(text: string, whole: number[]): number[] {
    const clauses = text
      .split(CLAUSE_BREAK)
      .filter((c) => c && tokenize(normalize(c, this.locale)).length > 0)
      .slice(0, MAX_CLAUSES);
    if (clauses.length < 2) return whole;
    const { labels } = this.models.intent;
    const best = whole.map(() => 0);
    for (const c of clauses) {
      this.models.intent.predict(c).forEach((p, i) => {
        if (!NOT_A_REQUEST.has(labels[i])) best[i] = Math.max(best[i], p);
      });
    }
    const sum = best.reduce((a, b) => a + b, 0);
    if (sum === 0) return whole;
    const mixed = whole.map((p, i) => (1 - CLAUSE_SHARE) * p + (CLAUSE_SHARE * best[i]) / sum);
    const total = mixed.reduce((a, b) => a + b, 0);
    return mixed.map((p) => p / total);
  }

  classifyType(text: string): TypeRecognition {
    return this.typeOf(features((typeof text === 'string' ? text : '').slice(0, MAX_CLASSIFIED_CHARS), this.locale));
  }

  private typeOf(raws: Map<string, number>): TypeRecognition {
    const { type } = this.models;
    const ranking = ranked<PqrType>(type.labels, type.predictVector(type.vectorize(raws)));
    return { label: ranking[0].label, confidence: ranking[0].score, ranking };
  }
}

interface CacheFile {
  version: number;
  corpusHash: string;
  intent: SerializedModel;
  type: SerializedModel;
}

const MAX_WORDS_READ_BY_ANY_MODEL = 3;

/**
 * Reads each message with the model of the language it is written in. A message that does not say
 * is read in the conversation's language; when it is a word or three ("asesor" in an English chat,
 * "agent" in a Spanish one) that this model is unsure of or finds out of scope, another language's
 * model that is sure of something in its domain reads it instead. Longer ones stay with the
 * conversation's model: the other one would read a foreign sentence by its loanwords.
 */
export class MultilingualRecognizer implements Recognizer {
  constructor(private readonly byLocale: ReadonlyMap<Locale, Recognizer>) {}

  recognize(text: string, now: Date = new Date(), locale: Locale = DEFAULT_NLU_LOCALE): Recognition {
    const written = typeof text === 'string' ? detectLanguage(text) : null;
    const first = this.model(written ?? locale).recognize(text, now);
    const understood = (r: Recognition) => r.confidence >= INTENT_THRESHOLD && r.intent !== 'fuera_de_alcance';
    const words = typeof text === 'string' ? text.trim().split(/\s+/).length : 0;
    if (written || understood(first) || words > MAX_WORDS_READ_BY_ANY_MODEL) return first;
    for (const [other, model] of this.byLocale) {
      if (other === first.locale) continue;
      const reading = model.recognize(text, now);
      if (understood(reading)) return reading;
    }
    return first;
  }

  classifyType(text: string, locale: Locale = DEFAULT_NLU_LOCALE): TypeRecognition {
    return this.model((typeof text === 'string' ? detectLanguage(text) : null) ?? locale).classifyType(text);
  }

  private model(locale: Locale): Recognizer {
    return this.byLocale.get(locale) ?? (this.byLocale.get(DEFAULT_NLU_LOCALE) as Recognizer);
  }
}

/** data/nlu-model.json holds the Spanish model, data/nlu-model.en.json the English one. */
export function cacheFileFor(file: string, locale: Locale): string {
  return locale === DEFAULT_NLU_LOCALE ? file : file.replace(/(\.json)?$/, `.${locale}.json`);
}

/**
 * Copies every language's cached model from `from` (by default the one `npm install` built) to
 * `to`, so a test or an instance with its own cache file loads it instead of training. A missing
 * or stale copy is trained and rewritten as usual by `loadOrTrain`.
 */
export function copyCache(to: string, from: string = DEFAULT_CACHE_FILE): void {
  mkdirSync(path.dirname(to), { recursive: true });
  for (const locale of LOCALES) {
    const source = cacheFileFor(from, locale);
    if (existsSync(source)) copyFileSync(source, cacheFileFor(to, locale));
  }
}

function readCache(file: string, corpusHash: string, locale: Locale): TrainedNlu | null {
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    if (c.version !== MODEL_VERSION || c.corpusHash !== corpusHash) return null;
    return { locale, intent: new LinearModel(c.intent, locale), type: new LinearModel(c.type, locale) };
  } catch {
    return null;
  }
}

function writeCache(file: string, corpusHash: string, models: TrainedNlu): void {
  const content: CacheFile = { version: MODEL_VERSION, corpusHash, intent: models.intent.toJSON(), type: models.type.toJSON() };
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    // Write then rename, so a process starting meanwhile never reads half a model.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(content));
    renameSync(tmp, file);
  } catch {
    // A read-only disk only costs a retrain at the next start.
  }
}

/** Loads the cached model of one language for its current corpus, or trains and caches it. */
export function loadOrTrain(cacheFile: string = DEFAULT_CACHE_FILE, locale: Locale = DEFAULT_NLU_LOCALE): { models: TrainedNlu; trained: boolean } {
  const { examples, hash: corpusHash } = loadCorpus(corpusDir(locale));
  // The lexicon shapes the features, so editing it must retrain as much as editing the corpus.
  const hash = createHash('sha256').update(corpusHash).update(LEXICON_FINGERPRINT).digest('hex');
  const file = cacheFileFor(cacheFile, locale);
  const cached = readCache(file, hash, locale);
  if (cached) return { models: cached, trained: false };
  const models = trainNlu(examples, locale);
  writeCache(file, hash, models);
  return { models, trained: true };
}

/** Every language's recognizer, each from its cache or trained now. */
export function loadAll(cacheFile: string = DEFAULT_CACHE_FILE): MultilingualRecognizer {
  return new MultilingualRecognizer(new Map(LOCALES.map((locale) => [locale, new NluRecognizer(loadOrTrain(cacheFile, locale).models)])));
}

const recognizers = new Map<string, Promise<Recognizer>>();

/** One model per language per cache file per process: later calls share the first one. */
export function createRecognizer(options: { cacheFile?: string } = {}): Promise<Recognizer> {
  const file = path.resolve(options.cacheFile ?? DEFAULT_CACHE_FILE);
  let pending = recognizers.get(file);
  if (!pending) {
    pending = Promise.resolve().then(() => loadAll(file));
    pending.catch(() => recognizers.delete(file));
    recognizers.set(file, pending);
  }
  return pending;
}
