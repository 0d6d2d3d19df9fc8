import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Locale } from '../i18n';
import { INTENTS, PQR_TYPES, type Intent, type PqrType } from './types';
import { fromRoot } from '../paths';

/** One line of a corpus or evaluation file. `type` may be null on a radicar_pqr line that names no type. */
export interface Example {
  text: string;
  intent: Intent;
  type: PqrType | null;
}

/** locales/<locale>/nlu: one JSONL file per intent or PQR type. */
export function corpusDir(locale: Locale): string {
  return fromRoot('locales', locale, 'nlu');
}

export const CORPUS_DIR = corpusDir('es-CO');

export class CorpusError extends Error {}

export function parseJsonl(content: string, source: string): Example[] {
  const examples: Example[] = [];
  content.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const where = `${source}:${i + 1}`;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new CorpusError(`${where}: not valid JSON`);
    }
    if (typeof row !== 'object' || row === null) throw new CorpusError(`${where}: expected an object {"text","intent","type"}`);
    const { text, intent, type } = row as Record<string, unknown>;
    if (typeof text !== 'string' || !text.trim()) throw new CorpusError(`${where}: "text" must be a non-empty string`);
    if (!INTENTS.includes(intent as Intent)) throw new CorpusError(`${where}: unknown intent ${JSON.stringify(intent)} (expected one of ${INTENTS.join(', ')})`);
    if (type !== null && type !== undefined && !PQR_TYPES.includes(type as PqrType)) {
      throw new CorpusError(`${where}: unknown type ${JSON.stringify(type)} (expected peticion, queja, reclamo or null)`);
    }
    if (type && intent !== 'radicar_pqr') throw new CorpusError(`${where}: "type" must be null unless the intent is radicar_pqr`);
    examples.push({ text, intent: intent as Intent, type: (type as PqrType | undefined) ?? null });
  });
  if (examples.length === 0) throw new CorpusError(`${source}: no examples`);
  return examples;
}

export function readExamples(file: string): Example[] {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CorpusError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseJsonl(content, file);
}

/** The training corpus and a hash of its exact contents, which keys the model cache. */
export function loadCorpus(dir: string = CORPUS_DIR): { examples: Example[]; hash: string } {
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort();
  if (files.length === 0) throw new CorpusError(`${dir}: no .jsonl files`);
  const hash = createHash('sha256');
  const examples: Example[] = [];
  for (const f of files) {
    const content = readFileSync(path.join(dir, f), 'utf8');
    hash.update(f).update('\0').update(content).update('\0');
    examples.push(...parseJsonl(content, path.join(dir, f)));
  }
  return { examples, hash: hash.digest('hex') };
}
