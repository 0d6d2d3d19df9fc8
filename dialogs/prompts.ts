import type { Activity } from 'botbuilder';
import { ChoicePrompt, ListStyle, TextPrompt, type Choice, type FoundChoice, type PromptOptions, type PromptRecognizerResult, type PromptValidatorContext, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { Translate } from '../src/i18n';
import { foldWords, INTENT_THRESHOLD, shortReply } from '../src/nlu';
import { fold, offerPerson, pickedButton, textsFor, withChoices, type DialogDeps } from './context';

/** After this many unusable answers a prompt gives up (or, when patient, offers help and another way). */
const MAX_ATTEMPTS = 3;

export const CHOICE_PROMPT = 'choicePrompt';

/** What the prompts of a dialog that never gives up need to help the person along. */
export type Patience = Pick<DialogDeps, 'nlu' | 'clock' | 'texts' | 'defaultLocale'>;

export interface ChoicePromptOptions {
  /** May refuse a match the recognizer made. */
  isAnswer?: (text: string, choices: Choice[]) => boolean;
  /** The option's index read from the text by the caller's own rule, before the recognizer tries. */
  interpret?: (text: string, choices: Choice[]) => number | null;
  /** Never gives up: after each MAX_ATTEMPTS misses it offers help and another way, and keeps asking. */
  patience?: Patience;
}

/**
 * A choice prompt with buttons on every channel; the text recognizer accepts the title, a
 * synonym, the option's number or an ordinal, and a short yes or no ("sip", "dale", "no gracias")
 * picks the option that has "sí" or "no" among its synonyms. Without patience, after MAX_ATTEMPTS
 * it lets the step see `undefined`.
 */
export function choicePrompt(id = CHOICE_PROMPT, options: ChoicePromptOptions = {}): ChoicePrompt {
  const { isAnswer = () => true, interpret, patience } = options;
  const prompt = new ChoicePrompt(
    id,
    async (p) => {
      const text = p.context.activity.text ?? '';
      const choices = (p.options.choices ?? []) as Choice[];
      const picked = pickedButton(text, choices.map((c) => c.value));
      const interpreted = picked >= 0 ? picked : (interpret?.(text, choices) ?? null);
      if (interpreted !== null) {
        p.recognized.succeeded = true;
        p.recognized.value = { value: choices[interpreted].value, index: interpreted, score: 1 };
        return true;
      }
      // An option picked only by a number inside a sentence ("Radicar *una* PQR" → option 1) is no
      // answer: at the consent step it would have counted as "Acepto".
      const byNumberInside = p.recognized.value?.synonym === undefined && !isOnlyANumber(text);
      if (p.recognized.succeeded && (byNumberInside || !isAnswer(text, choices))) {
        p.recognized.succeeded = false;
        p.recognized.value = undefined;
      }
      if (!p.recognized.succeeded) recognizeShortReply(p.recognized, text, choices, isAnswer);
      if (p.recognized.succeeded) return true;
      if (patience) return helpAfterMiss(p, patience);
      return p.attemptCount >= MAX_ATTEMPTS;
    },
    'es-es',
  );
  prompt.style = ListStyle.suggestedAction;
  prompt.recognizerOptions = { allowPartialMatches: true };
  return prompt;
}

/** "sip", "de una", "no gracias": the option whose synonyms hold "si" or "no". */
function recognizeShortReply(recognized: PromptRecognizerResult<FoundChoice>, text: string, choices: Choice[], isAnswer: (text: string, choices: Choice[]) => boolean): void {
  const reply = shortReply(text);
  if (!reply) return;
  const index = choices.findIndex((c) => (c.synonyms ?? []).includes(reply === 'yes' ? 'si' : 'no'));
  if (index < 0 || !isAnswer(reply === 'yes' ? 'si' : 'no', choices)) return;
  recognized.succeeded = true;
  recognized.value = { value: choices[index].value, index, score: 1, synonym: reply === 'yes' ? 'si' : 'no' };
}

const NUMBER_ANSWER = /^(?:(?:el|la|opcion|numero|la opcion|el numero)\s+)?(?:\d{1,2}|uno|una|dos|tres|cuatro|cinco|primer|primero|primera|segundo|segunda|tercer|tercero|tercera|cuarto|cuarta|quinto|quinta|one|two|three|four|five|first|second|third|fourth|fifth)[.!]?$/;

/** "2", "la 2", "el segundo", "opción 3": the whole answer is the option's number. */
export function isOnlyANumber(text: string): boolean {
  return NUMBER_ANSWER.test(fold(text));
}

/**
 * A text prompt whose answer must pass `check`. Without patience, after `maxAttempts` the step
 * sees the raw answer and must check it again; with patience it never gives up.
 */
export function textPrompt(id: string, check: (value: string, options: PromptOptions) => boolean, patience?: Patience, maxAttempts = MAX_ATTEMPTS): TextPrompt {
  return new TextPrompt(id, async (p: PromptValidatorContext<string>) => {
    const value = (p.recognized.value ?? '').trim();
    if (check(value, p.options)) return true;
    if (patience) return helpAfterMiss(p, patience);
    return p.attemptCount >= maxAttempts;
  });
}

/**
 * An answer that did not fit: a request for a person gets the way to one, "cancelar" inside a
 * sentence gets what it would do, and every MAX_ATTEMPTS misses the person hears that what they
 * gave is kept, with help, another way and a person. Then the question again, short. Always false:
 * the prompt keeps waiting for its answer.
 */
async function helpAfterMiss(p: PromptValidatorContext<unknown>, patience: Patience): Promise<false> {
  const { context } = p;
  const t = textsFor(context, patience);
  const text = context.activity.text ?? '';
  const recognition = patience.nlu.recognize(text, patience.clock.now());
  let hint: string | null = null;
  if (recognition.intent === 'hablar_asesor' && recognition.confidence >= INTENT_THRESHOLD) {
    await offerPerson(context, t);
  } else if (/\bcancel/.test(foldWords(text))) {
    hint = t('prompt.cancelInside');
  } else if (p.attemptCount % MAX_ATTEMPTS === 0) {
    hint = t('prompt.stuck', { channels: t('channels.short') });
  }
  if (hint) await context.sendActivity(hint);
  if (context.responded) await context.sendActivity(retryOf(p.options));
  return false;
}

/** The short re-ask, with the buttons again when there were some. */
function retryOf(options: PromptOptions): Partial<Activity> | string {
  const retry = options.retryPrompt ?? options.prompt ?? '';
  const choices = (options.choices ?? []) as (string | Choice)[];
  if (choices.length === 0) return retry;
  const text = typeof retry === 'string' ? retry : (retry.text ?? '');
  return withChoices(text, choices.map((c) => (typeof c === 'string' ? c : (c.action?.title ?? c.value))));
}

export function ask(step: WaterfallStepContext, id: string, prompt: string | Partial<Activity>, retryPrompt: string | Partial<Activity>) {
  return step.prompt(id, { prompt, retryPrompt });
}

/**
 * Asks `text` with `choices` as buttons, on the shared choice prompt or on the dialog's own
 * `promptId`. A retry says only `retry` (by default "elige una de las opciones") with the buttons:
 * the question is still on screen.
 */
export function choose(step: WaterfallStepContext, t: Translate, text: string, choices: (string | Choice)[], promptId = CHOICE_PROMPT, retry = t('choice.retry')) {
  const list: Choice[] = choices.map((c) => (typeof c === 'string' ? { value: c } : c));
  return step.prompt(promptId, {
    prompt: text,
    retryPrompt: retry,
    choices: list,
    style: ListStyle.suggestedAction,
  });
}

/** Yes/no as a choice with the synonyms people type. */
export function yesNo(t: Translate): Choice[] {
  return [
    { value: t('yes'), synonyms: ['si', 'sí', 'claro', 'correcto', 'afirmativo', 'dale', 'ok', 'yes', 's'] },
    { value: t('no'), synonyms: ['no', 'nop', 'negativo', 'n'] },
  ];
}
