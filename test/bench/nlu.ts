import fs from 'node:fs';
import path from 'node:path';
import { createRecognizer, normalize } from '../../src/nlu';
import { NLU_TEST_CACHE } from '../helpers/app';
import { now } from './stats';

export interface RateFigures {
  calls: number;
  callsPerSecond: number;
  microsecondsPerCall: number;
}

export interface NluResult {
  utterances: number;
  recognize: RateFigures;
  baseline: RateFigures;
}

/** Real users' wording: the held-out evaluation set the NLU floor is measured on. */
const UTTERANCES = path.resolve(__dirname, '../nlu/heldout.jsonl');

function utterances(): string[] {
  return fs
    .readFileSync(UTTERANCES, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => String((JSON.parse(line) as { text: string }).text));
}

/** Calls `fn` over the texts, round and round, until `maxCalls` or `seconds`. */
function rate(texts: string[], fn: (text: string) => unknown, seconds: number, maxCalls: number): RateFigures {
  const started = now();
  const deadline = started + seconds * 1000;
  let calls = 0;
  let sink = 0;
  while (calls < maxCalls && (calls % 64 !== 0 || now() < deadline)) {
    // Using the result keeps V8 from optimising the call away.
    sink ^= fn(texts[calls % texts.length]) ? 1 : 0;
    calls++;
  }
  const elapsed = (now() - started) / 1000;
  if (sink < 0) throw new Error('unreachable');
  return { calls, callsPerSecond: calls / elapsed, microsecondsPerCall: (elapsed * 1e6) / calls };
}

/** `recognize` (normalise, extract entities, classify intent and, for a PQR, its type) next to normalising alone. */
export async function runNlu(options: { seconds: number; maxCalls: number }): Promise<NluResult> {
  const recognizer = await createRecognizer({ cacheFile: NLU_TEST_CACHE });
  const texts = utterances();
  const at = new Date('2026-11-23T15:00:00Z');
  const classify = (text: string) => recognizer.recognize(text, at);
  rate(texts, classify, 0.5, 2_000);
  rate(texts, normalize, 0.5, 2_000);
  const recognize = rate(texts, classify, options.seconds / 2, options.maxCalls);
  const baseline = rate(texts, normalize, options.seconds / 2, options.maxCalls);
  return { utterances: texts.length, recognize, baseline };
}
