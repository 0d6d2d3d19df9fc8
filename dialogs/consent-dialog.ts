import { ComponentDialog, WaterfallDialog, findChoices, type Choice, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import { addressOfTurn, textsFor, type DialogDeps } from './context';
import { choicePrompt, choose } from './prompts';

export const CONSENT_DIALOG = 'consentDialog';
/** Version of the privacy notice the user accepted; change it when the notice text changes. */
export const PRIVACY_NOTICE_VERSION = 'aviso-privacidad-2026-11';
const CONSENT_PROMPT = 'consentPrompt';
/** Words that answer the question alone but say nothing inside a sentence ("no entiendo qué datos…"). */
const BARE_ANSWERS = new Set(['si', 'sí', 'no', 'ok', 's', 'n', 'yes']);
const MAX_WORDS_OF_A_BARE_ANSWER = 3;

/**
 * Consent must be unambiguous both ways: a long message counts only if it says "acepto", "autorizo",
 * "no acepto"… and not both; a bare "sí" or "no" counts only as (nearly) the whole answer.
 */
export function isConsentAnswer(text: string, choices: Choice[]): boolean {
  const found = findChoices(text, choices, { allowPartialMatches: false });
  if (new Set(found.map((f) => f.resolution.index)).size > 1) return false;
  const words = text.trim().split(/\s+/).length;
  return words <= MAX_WORDS_OF_A_BARE_ANSWER || found.some((f) => !BARE_ANSWERS.has(f.resolution.synonym?.toLowerCase() ?? ''));
}

/**
 * Ley 1581 de 2012: a short privacy notice and prior, express consent before any personal data
 * is collected. Ends with `true` when the user accepts (recorded with time and notice version).
 */
export class ConsentDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(CONSENT_DIALOG);
    this.addDialog(choicePrompt(CONSENT_PROMPT, isConsentAnswer));
    this.addDialog(new WaterfallDialog('consentSteps', [this.ask.bind(this), this.record.bind(this)]));
    this.initialDialogId = 'consentSteps';
  }

  private async ask(step: WaterfallStepContext) {
    if (await this.deps.identities.hasConsent(addressOfTurn(step.context))) return step.endDialog(true);
    const t = textsFor(step.context, this.deps);
    return choose(
      step,
      t,
      t('consent.notice'),
      [
        { value: t('consent.accept'), synonyms: ['acepto', 'si', 'sí', 'autorizo', 'de acuerdo', 'ok', 'accept'] },
        { value: t('consent.decline'), synonyms: ['no', 'no acepto', 'no autorizo', 'rechazo', 'decline'] },
      ],
      CONSENT_PROMPT,
    );
  }

  private async record(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const choice = step.result as FoundChoice | undefined;
    if (choice?.index === 0) {
      await this.deps.identities.recordConsent(addressOfTurn(step.context), PRIVACY_NOTICE_VERSION);
      await step.context.sendActivity(t('consent.accepted'));
      return step.endDialog(true);
    }
    await step.context.sendActivity(t('consent.declined', { channels: t('channels.short') }));
    return step.endDialog(false);
  }
}
