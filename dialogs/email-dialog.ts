import { ComponentDialog, WaterfallDialog, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import { isValidEmail, suggestEmail } from '../src/nlu';
import { textsFor, type DialogDeps } from './context';
import { choicePrompt, choose, textPrompt, yesNo } from './prompts';

export const EMAIL_DIALOG = 'emailDialog';
const ADDRESS_PROMPT = 'emailAddressPrompt';
const TYPO_PROMPT = 'emailTypoPrompt';

interface EmailState {
  typed: string;
  suggestion: string;
}

/** An e-mail address, read from a sentence too ("es ana@gmail.com"), in lower case. */
export function emailIn(text: string): string | null {
  const found = /[^\s<>(),;:]+@[^\s<>(),;:]+/.exec(text.trim().toLowerCase())?.[0].replace(/[.]+$/, '');
  return found && isValidEmail(found) ? found : null;
}

/**
 * Asks for an e-mail address and, when its domain looks like a slip ("ana@gmial.con"), asks
 * "¿Quisiste decir ana@gmail.com?"; the person may keep what they wrote. Ends with the address.
 */
export class EmailDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(EMAIL_DIALOG);
    this.addDialog(textPrompt(ADDRESS_PROMPT, (s) => emailIn(s) !== null, deps));
    this.addDialog(choicePrompt(TYPO_PROMPT, { patience: deps }));
    this.addDialog(new WaterfallDialog('emailSteps', [this.ask.bind(this), this.checkTypo.bind(this), this.resolve.bind(this)]));
    this.initialDialogId = 'emailSteps';
  }

  private async ask(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    return step.prompt(ADDRESS_PROMPT, { prompt: t('customer.email'), retryPrompt: t('customer.email.retry') });
  }

  private async checkTypo(step: WaterfallStepContext) {
    const typed = emailIn(String(step.result))!;
    const suggestion = suggestEmail(typed);
    if (!suggestion) return step.endDialog(typed);
    Object.assign(step.values as EmailState, { typed, suggestion });
    const t = textsFor(step.context, this.deps);
    return choose(step, t, t('customer.email.suggest', { email: suggestion }), yesNo(t), TYPO_PROMPT);
  }

  private async resolve(step: WaterfallStepContext) {
    const { typed, suggestion } = step.values as EmailState;
    return step.endDialog((step.result as FoundChoice).index === 0 ? suggestion : typed);
  }
}
