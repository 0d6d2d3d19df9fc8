import { ChoicePrompt, ListStyle, TextPrompt, type Choice, type PromptValidatorContext, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { Translate } from '../src/i18n';
import { fold } from './context';

/** After this many unusable answers a prompt gives up and the bot offers the other channels. */
export const MAX_ATTEMPTS = 3;

export const CHOICE_PROMPT = 'choicePrompt';

/**
 * A choice prompt with buttons on every channel; the text recognizer accepts the title, a
 * synonym, the option's number or an ordinal. `isAnswer` may refuse a match the recognizer made.
 * After MAX_ATTEMPTS it lets the step see `undefined`.
 */
export function choicePrompt(id = CHOICE_PROMPT, isAnswer: (text: string, choices: Choice[]) => boolean = () => true): ChoicePrompt {
  const prompt = new ChoicePrompt(
    id,
    async (p) => {
      const text = p.context.activity.text ?? '';
      // An option picked only by a number inside a sentence ("Radicar *una* PQR" → option 1) is no
      // answer: at the consent step it would have counted as "Acepto".
      const byNumberInside = p.recognized.value?.synonym === undefined && !isOnlyANumber(text);
      if (p.recognized.succeeded && (byNumberInside || !isAnswer(text, (p.options.choices ?? []) as Choice[]))) {
        p.recognized.succeeded = false;
        p.recognized.value = undefined;
      }
      return p.recognized.succeeded || p.attemptCount >= MAX_ATTEMPTS;
    },
    'es-es',
  );
  prompt.style = ListStyle.suggestedAction;
  prompt.recognizerOptions = { allowPartialMatches: true };
  return prompt;
}

const NUMBER_ANSWER = /^(?:(?:el|la|opcion|numero|la opcion|el numero)\s+)?(?:\d{1,2}|uno|una|dos|tres|cuatro|cinco|primer|primero|primera|segundo|segunda|tercer|tercero|tercera|cuarto|cuarta|quinto|quinta|one|two|three|four|five|first|second|third|fourth|fifth)[.!]?$/;

/** "2", "la 2", "el segundo", "opción 3": the whole answer is the option's number. */
export function isOnlyANumber(text: string): boolean {
  return NUMBER_ANSWER.test(fold(text));
}

/** A text prompt whose answer must pass `check`; after MAX_ATTEMPTS the step sees the raw answer and `check` again. */
export function textPrompt(id: string, check: (value: string) => boolean): TextPrompt {
  return new TextPrompt(id, async (p: PromptValidatorContext<string>) => {
    const value = (p.recognized.value ?? '').trim();
    return check(value) || p.attemptCount >= MAX_ATTEMPTS;
  });
}

export function ask(step: WaterfallStepContext, id: string, prompt: string, retryPrompt: string) {
  return step.prompt(id, { prompt, retryPrompt });
}

/** Asks `text` with `choices` as buttons, on the shared choice prompt or on the dialog's own `promptId`. */
export function choose(step: WaterfallStepContext, t: Translate, text: string, choices: (string | Choice)[], promptId = CHOICE_PROMPT) {
  const list: Choice[] = choices.map((c) => (typeof c === 'string' ? { value: c } : c));
  return step.prompt(promptId, {
    prompt: text,
    retryPrompt: `${t('choice.retry')}\n${text}`,
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
