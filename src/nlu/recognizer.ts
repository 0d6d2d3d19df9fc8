import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadCorpus, type Example } from './corpus';
import { extractEntities } from './entities';
import { LEXICON_FINGERPRINT } from './lexicon';
import { LinearModel, features, train, type SerializedModel } from './model';
import { MASK, normalize, tokenize } from './normalize';
import { INTENTS, type Intent, type PqrType, type Recognition, type Recognizer, type Scored, type TypeRecognition } from './types';

/** Below these the dialogs ask with buttons instead of guessing. Chosen from the held-out file's calibration. */
export const INTENT_THRESHOLD = 0.5;
export const TYPE_THRESHOLD = 0.55;

/** Part of the cache key: bump when features or training change, so old caches are not reused. */
const MODEL_VERSION = 4;
/** Longer texts are classified on their start: the first paragraphs say what the message is about. */
const MAX_CLASSIFIED_CHARS = 2000;

export const DEFAULT_CACHE_FILE = path.resolve(__dirname, '../../data/nlu-model.json');

export interface TrainedNlu {
  intent: LinearModel;
  type: LinearModel;
}

export function trainNlu(examples: Example[]): TrainedNlu {
  const typed = examples.filter((e) => e.type !== null);
  return {
    intent: train(examples.map((e) => e.text), examples.map((e) => e.intent)),
    type: train(typed.map((e) => e.text), typed.map((e) => e.type as string)),
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
function hasContent(raw: string): boolean {
  // Normalising keeps Latin letters only: a text in another script has no word left to read.
  if (tokenize(normalize(raw)).length === 0) return false;
  const words = raw.toLowerCase().match(/\p{L}+/gu) ?? [];
  if (words.some((w) => new Set(w).size >= 2)) return true;
  const masks = Object.values(MASK).filter((m) => m !== MASK.number);
  return tokenize(normalize(raw)).some((t) => masks.includes(t as (typeof masks)[number]));
}

/** Function words that are English and never Spanish: two or more, outnumbering the Spanish ones, mean "not Spanish". */
const ENGLISH = new Set(['the', 'i', 'you', 'my', 'to', 'want', 'is', 'are', 'and', 'of', 'for', 'with', 'please', 'can', 'how', 'what', 'this', 'it', 'do', 'not', 'have', 'your', 'be', 'was', 'would', 'need', 'phone', 'hello', 'hi', 'thanks', 'thank', 'why', 'where', 'when', 'am', 'from', 'on', 'in', 'an', 'at']);
const SPANISH = new Set(['de', 'la', 'el', 'que', 'y', 'en', 'los', 'las', 'mi', 'por', 'con', 'para', 'un', 'una', 'es', 'no', 'me', 'se', 'lo', 'le', 'del', 'al', 'como', 'pero', 'mas', 'ya', 'quiero', 'hola', 'si', 'su', 'tengo', 'necesito', 'linea']);

function looksForeign(raw: string): boolean {
  const words = normalize(raw).split(' ');
  const english = words.filter((w) => ENGLISH.has(w)).length;
  const spanish = words.filter((w) => SPANISH.has(w)).length;
  return english >= 2 && english > spanish;
}

/** Clauses of a message, for "hola, quiero saber cómo va mi reclamo y poner otro". */
const CLAUSE_BREAK = /[.;:!?¡¿\n]+|,|\s+(?:y|e|ademas|además|tambien|también|pero)\s+/i;
const MAX_CLAUSES = 4;
/** Share of the ranking taken from the best clause of each intent: at 0.3 cross-validated accuracy moves by 0.2 points and a second request gets a score worth showing. */
const CLAUSE_SHARE = 0.3;
const NOT_A_REQUEST = new Set<string>(['saludo', 'despedida', 'fuera_de_alcance']);

export class NluRecognizer implements Recognizer {
  constructor(private readonly models: TrainedNlu) {}

  recognize(text: string, now: Date = new Date()): Recognition {
    const raw = typeof text === 'string' ? text : '';
    const entities = extractEntities(raw, now);
    const empty = !/[\p{L}\p{N}]/u.test(raw);
    const clipped = raw.slice(0, MAX_CLASSIFIED_CHARS);
    const raws = empty ? new Map<string, number>() : features(clipped);
    const known = this.models.intent.vectorize(raws);
    if (empty || known.idx.length === 0 || !hasContent(clipped) || looksForeign(clipped)) {
      const intents = unknownIntents();
      return { intent: 'fuera_de_alcance', confidence: intents[0].score, intents, type: null, entities, empty };
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
      .filter((c) => c && tokenize(normalize(c)).length > 0)
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
    return this.typeOf(features((typeof text === 'string' ? text : '').slice(0, MAX_CLASSIFIED_CHARS)));
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

function readCache(file: string, corpusHash: string): TrainedNlu | null {
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    if (c.version !== MODEL_VERSION || c.corpusHash !== corpusHash) return null;
    return { intent: new LinearModel(c.intent), type: new LinearModel(c.type) };
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

/** Loads the cached model for the current corpus, or trains and caches it. */
export function loadOrTrain(cacheFile: string = DEFAULT_CACHE_FILE): { models: TrainedNlu; trained: boolean } {
  const { examples, hash: corpusHash } = loadCorpus();
  // The lexicon shapes the features, so editing it must retrain as much as editing the corpus.
  const hash = createHash('sha256').update(corpusHash).update(LEXICON_FINGERPRINT).digest('hex');
  const cached = readCache(cacheFile, hash);
  if (cached) return { models: cached, trained: false };
  const models = trainNlu(examples);
  writeCache(cacheFile, hash, models);
  return { models, trained: true };
}

const recognizers = new Map<string, Promise<Recognizer>>();

/** One model per cache file per process: later calls share the first one. */
export function createRecognizer(options: { cacheFile?: string } = {}): Promise<Recognizer> {
  const file = path.resolve(options.cacheFile ?? DEFAULT_CACHE_FILE);
  let pending = recognizers.get(file);
  if (!pending) {
    pending = Promise.resolve().then(() => new NluRecognizer(loadOrTrain(file).models));
    pending.catch(() => recognizers.delete(file));
    recognizers.set(file, pending);
  }
  return pending;
}
