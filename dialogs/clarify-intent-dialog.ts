import { ComponentDialog, Dialog, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { anonymize, type Intent, type Recognition } from '../src/nlu';
import type { Translate } from '../src/i18n';
import { pickedButton, textsFor, withChoices, type DialogDeps, type Reroute } from './context';

export const CLARIFY_INTENT_DIALOG = 'clarifyIntentDialog';

/** Intents worth offering as a button: each leads somewhere. Greetings, goodbyes and "cancelar" are not asked about. */
export const OFFERED_INTENTS: readonly Intent[] = ['radicar_pqr', 'consultar_estado', 'recurso', 'canales', 'hablar_asesor', 'ayuda'];
/** A reading below this share of the classifier's belief is not worth a button. */
export const MIN_OFFERED_SCORE = 0.15;
const MAX_OFFERED = 3;

export interface ClarifyOptions {
  text: string;
  predicted: Intent;
  confidence: number;
  candidates: Intent[];
}

/** The user chose one of the offered intents for their earlier message. */
export interface Clarified {
  intent: Intent;
  text: string;
}

/** The readings of an unsure recognition worth offering, best first; empty when none is. */
export function candidatesOf(recognition: Recognition): Intent[] {
  return recognition.intents
    .filter((s) => OFFERED_INTENTS.includes(s.label) && s.score >= MIN_OFFERED_SCORE)
    .slice(0, MAX_OFFERED)
    .map((s) => s.label);
}

/**
 * When the classifier is not sure, the bot asks instead of guessing: the two or three likeliest
 * readings as buttons, each with a one-line definition, and "Otra cosa". The user's choice is
 * recorded, anonymised, next to the classifier's guess so the corpus can grow. A reply that is
 * none of the options is a new message and is routed afresh.
 */
export class ClarifyIntentDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(CLARIFY_INTENT_DIALOG);
    this.addDialog(new WaterfallDialog('clarifySteps', [this.ask.bind(this), this.answer.bind(this)]));
    this.initialDialogId = 'clarifySteps';
  }

  /** The buttons: each candidate's title, then "Otra cosa". */
  private buttons(t: Translate, candidates: Intent[]): string[] {
    return [...candidates.map((intent) => t(`intent.${intent}.title`)), t('clarify.other')];
  }

  private async ask(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const { candidates, predicted, confidence } = step.options as ClarifyOptions;
    await this.deps.pqr.recordClarification(predicted, confidence);
    const options = candidates.map((intent) => t('clarify.option', { title: t(`intent.${intent}.title`), definition: t(`intent.${intent}.definition`) })).join('\n');
    await step.context.sendActivity(withChoices(t('clarify.ask', { options }), this.buttons(t, candidates)));
    return Dialog.EndOfTurn;
  }

  private async answer(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const options = step.options as ClarifyOptions;
    const index = pickedButton(step.context.activity.text ?? '', this.buttons(t, options.candidates));
    if (index < 0) return step.endDialog({ reroute: true } satisfies Reroute);
    if (index === options.candidates.length) return step.endDialog({ other: true });
    const intent = options.candidates[index];
    await this.deps.pqr.recordCorrection(anonymize(options.text), options.predicted, intent, options.confidence);
    return step.endDialog({ intent, text: options.text } satisfies Clarified);
  }
}
