import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadCorpus, type Example } from './corpus';
import { extractEntities } from './entities';
import { LinearModel, train, type SerializedModel } from './model';
import { normalize, tokenize } from './normalize';
import { INTENTS, type Intent, type PqrType, type Recognition, type Recognizer, type Scored, type TypeRecognition } from './types';

/** Below these the dialogs ask with buttons instead of guessing. Chosen from the held-out file's calibration. */
export const INTENT_THRESHOLD = 0.5;
export const TYPE_THRESHOLD = 0.55;

/** Part of the cache key: bump when features or training change, so old caches are not reused. */
const MODEL_VERSION = 1;
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

export class NluRecognizer implements Recognizer {
  constructor(private readonly models: TrainedNlu) {}

  recognize(text: string, now: Date = new Date()): Recognition {
    const raw = typeof text === 'string' ? text : '';
    const entities = extractEntities(raw, now);
    const empty = !/[\p{L}\p{N}]/u.test(raw);
    const clipped = raw.slice(0, MAX_CLASSIFIED_CHARS);
    if (empty || tokenize(normalize(clipped)).length === 0 || this.models.intent.knownFeatures(clipped) === 0) {
      const intents = unknownIntents();
      return { intent: 'fuera_de_alcance', confidence: intents[0].score, intents, type: null, entities, empty };
    }
    const intents = ranked<Intent>(this.models.intent.labels, this.models.intent.predict(clipped));
    const top = intents[0];
    return {
      intent: top.label,
      confidence: top.score,
      intents,
      type: top.label === 'radicar_pqr' ? this.classifyType(clipped) : null,
      entities,
      empty: false,
    };
  }

  classifyType(text: string): TypeRecognition {
    const clipped = (typeof text === 'string' ? text : '').slice(0, MAX_CLASSIFIED_CHARS);
    const ranking = ranked<PqrType>(this.models.type.labels, this.models.type.predict(clipped));
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
  const { examples, hash } = loadCorpus();
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
