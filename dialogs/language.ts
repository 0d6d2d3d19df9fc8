import type { Choice, DialogInstance, DialogState, PromptOptions } from 'botbuilder-dialogs';
import type { Activity } from 'botbuilder';
import { resolveLocale, type Locale, type Texts } from '../src/i18n';

/**
 * What changes when a user switches language in the middle of a question: a prompt keeps the texts
 * and buttons it was asked with, so without this the next re-ask would come in the old language
 * and an answer in the new one ("I accept") would not match the old buttons ("Acepto").
 */
export class PromptLanguage {
  constructor(
    private readonly texts: Texts,
    readonly defaultLocale: Locale,
  ) {}

  /** The language a turn would be answered in without a stored choice: the channel's, else the default. */
  channelLocale(tag: string | undefined): Locale {
    return resolveLocale(tag, this.defaultLocale);
  }

  /** Rewrites the question waiting for an answer, its re-ask and its buttons in `to`; the old buttons' titles still count as answers. */
  translatePending(state: DialogState | undefined, from: Locale, to: Locale): void {
    const options = pendingPrompt(state);
    if (!options) return;
    const translate = (text: string) => this.texts.translate(text, from, to) ?? text;
    options.prompt = translated(options.prompt, translate);
    options.retryPrompt = translated(options.retryPrompt, translate);
    options.choices = options.choices?.map((choice: string | Choice) => {
      const c = typeof choice === 'string' ? { value: choice } : choice;
      const value = translate(c.value);
      return value === c.value ? c : { ...c, value, synonyms: [...(c.synonyms ?? []), c.value] };
    });
  }
}

function translated(prompt: string | Partial<Activity> | undefined, translate: (text: string) => string) {
  if (typeof prompt === 'string') return translate(prompt);
  if (prompt?.text) return { ...prompt, text: translate(prompt.text) };
  return prompt;
}

/** The options of the active prompt (the stack's last dialog), down through nested component dialogs. */
function pendingPrompt(state: DialogState | undefined): PromptOptions | undefined {
  let instance: DialogInstance | undefined = state?.dialogStack?.at(-1);
  while (instance) {
    const inner = instance.state as { dialogs?: DialogState; options?: PromptOptions } | undefined;
    if (inner?.dialogs?.dialogStack?.length) instance = inner.dialogs.dialogStack.at(-1);
    else return inner?.options && 'prompt' in inner.options ? inner.options : undefined;
  }
  return undefined;
}
