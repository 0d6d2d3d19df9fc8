import { ComponentDialog, WaterfallDialog, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { Urgency } from '../src/nlu';
import type { Clarified } from './clarify-intent-dialog';
import { textsFor, type DialogDeps } from './context';
import { choicePrompt, choose, yesNo } from './prompts';

export const URGENT_DIALOG = 'urgentDialog';
const OFFER_PROMPT = 'urgentOfferPrompt';

export interface UrgentOptions {
  urgency: Urgency;
  text: string;
}

/**
 * A stolen or lost phone, or fraud: a PQR is answered in up to 15 business days, so the person
 * first hears what to do now (block the line at the operator's channels), then is offered to
 * file. Yes hands the original message to filing; anything else ends here.
 */
export class UrgentDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(URGENT_DIALOG);
    this.addDialog(choicePrompt(OFFER_PROMPT));
    this.addDialog(new WaterfallDialog('urgentSteps', [this.inform.bind(this), this.decide.bind(this)]));
    this.initialDialogId = 'urgentSteps';
  }

  private async inform(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const { urgency } = step.options as UrgentOptions;
    return choose(step, t, t(`urgent.${urgency}`), yesNo(t), OFFER_PROMPT);
  }

  private async decide(step: WaterfallStepContext) {
    if ((step.result as FoundChoice | undefined)?.index !== 0) return step.endDialog();
    return step.endDialog({ intent: 'radicar_pqr', text: (step.options as UrgentOptions).text } satisfies Clarified);
  }
}
