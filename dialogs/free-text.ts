import type { Translate } from '../src/i18n';
import { fold } from './context';

/** What people write to say they have finished a text told in several messages. */
const DONE_WORDS = new Set(['es todo', 'eso es todo', 'listo', 'ya', 'ya esta', 'no', 'nada mas', 'no mas', 'termine', 'fin', 'done', 'nothing else', 'that is all']);

/** True for the "Es todo" button and its spoken equivalents. */
export function isDone(text: string, t: Translate): boolean {
  const folded = fold(text);
  return DONE_WORDS.has(folded) || folded === fold(t('file.describe.done'));
}

/** Emoji or punctuation alone tell nothing. */
export function hasWords(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}
