import type { TurnContext } from 'botbuilder';
import { ComponentDialog, WaterfallDialog, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import { findCun, normalizeCun, type PqrSummary } from '../src/pqr';
import { LookupBlockedError } from '../src/pqr/lookup-guard';
import { fold, localeOf, pickedButton, requesterOf, textsFor, withChoices, type DialogDeps, type Reroute } from './context';
import { lookupText, targetsText } from './pqr-text';
import { ask, choicePrompt, choose, textPrompt } from './prompts';
import { VerifyDialog, VERIFY_DIALOG, type VerifyOptions } from './verify-dialog';

export const FIND_PQR_DIALOG = 'findPqrDialog';
const CUN_PROMPT = 'cunPrompt';
const PROOF_PROMPT = 'proofPrompt';
const FORGOT_PROMPT = 'forgotPrompt';

export interface FindPqrOptions {
  /** A CUN the user already wrote; asked for when absent. */
  cun?: string;
}

/** What the dialog ends with when the user proved, without a CUN, that they own some PQRs: the caller lists them. */
export interface Verified {
  verified: true;
}

/** "No me acuerdo", "no lo tengo", "lo perdí"…: the user cannot give the CUN. */
const NO_CUN = /\b(no (me acuerdo|recuerdo|lo tengo|tengo|se|lo se|se cual)|olvide|perdi|forgot|don'?t (have|remember))\b/;
const DOCUMENT_OR_LINE = /^[\dA-Za-z\s.+-]{5,16}$/;

/**
 * One PQR by CUN. Its owner (the identity that filed it, or one that proved its line or e-mail)
 * sees it all and the dialog ends with its summary. Anyone giving the document or line it was
 * filed with sees only the CUN lookup fields, and is offered a one-time code to the PQR's line or
 * e-mail to prove they own it. Without a CUN ("no me acuerdo") the user proves, by a code, that
 * they own the PQRs of a document or line; the dialog then ends with `Verified`. Anyone else
 * gets "no encontramos", the same words whether the CUN exists or not.
 */
export class FindPqrDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(FIND_PQR_DIALOG);
    this.addDialog(textPrompt(CUN_PROMPT, (s) => !!findCun(s) || !!normalizeCun(s) || NO_CUN.test(fold(s))));
    this.addDialog(textPrompt(PROOF_PROMPT, (s) => DOCUMENT_OR_LINE.test(s.trim())));
    this.addDialog(textPrompt(FORGOT_PROMPT, (s) => DOCUMENT_OR_LINE.test(s.trim())));
    this.addDialog(choicePrompt());
    this.addDialog(new VerifyDialog(deps));
    this.addDialog(new WaterfallDialog('findSteps', [this.askCun.bind(this), this.lookup.bind(this), this.withProof.bind(this), this.afterOffer.bind(this), this.afterVerify.bind(this)]));
    this.addDialog(new WaterfallDialog('forgotSteps', [this.askDocument.bind(this), this.sendCode.bind(this), this.afterForgotVerify.bind(this)]));
    this.initialDialogId = 'findSteps';
  }

  private async askCun(step: WaterfallStepContext) {
    const cun = (step.options as FindPqrOptions | undefined)?.cun;
    if (cun) return step.next(cun);
    const t = textsFor(step.context, this.deps);
    return step.prompt(CUN_PROMPT, { prompt: withChoices(t('status.askCun'), [t('status.noCun')]), retryPrompt: withChoices(t('status.askCun.retry'), [t('status.noCun')]) });
  }

  private async lookup(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const raw = String(step.result ?? '');
    const cun = findCun(raw) ?? normalizeCun(raw);
    if (!cun && (pickedButton(raw, [t('status.noCun')]) === 0 || NO_CUN.test(fold(raw)))) return step.replaceDialog('forgotSteps');
    if (!cun) {
      await step.context.sendActivity(t('tooManyTries', { channels: t('channels.short') }));
      return step.endDialog();
    }
    (step.values as { cun: string }).cun = cun;
    const found = await this.guarded(step, async () => this.deps.pqr.statusFor(cun, await requesterOf(step.context, this.deps), undefined, conversationOf(step.context)));
    if (found === 'blocked') return step.endDialog();
    if (found?.access === 'owner') return step.endDialog(found.pqr);
    return ask(step, PROOF_PROMPT, t('status.askProof'), t('status.askProof'));
  }

  private async withProof(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const proof = String(step.result ?? '').replace(/[\s.+-]/g, '');
    const cun = (step.values as { cun: string }).cun;
    const found = await this.guarded(step, async () => this.deps.pqr.statusFor(cun, await requesterOf(step.context, this.deps), proof, conversationOf(step.context)));
    if (found === 'blocked') return step.endDialog();
    if (!found) {
      await step.context.sendActivity(t('status.notFound'));
      return step.endDialog();
    }
    if (found.access === 'owner') return step.endDialog(found.pqr);
    await step.context.sendActivity(lookupText(t, found.pqr, localeOf(step.context, this.deps)));
    const targets = found.verifyBy.filter((target) => this.deps.codes.canSend(target.kind));
    if (!targets.length) {
      await step.context.sendActivity(t('status.lookup.noVerify', { channels: t('channels.short') }));
      return step.endDialog();
    }
    (step.values as { targets: VerifyOptions['targets'] }).targets = targets;
    return choose(step, t, t('status.lookup.verify', { target: targetsText(t, targets) }), [t('verify.send'), t('menu.back')]);
  }

  private async afterOffer(step: WaterfallStepContext) {
    const choice = step.result as FoundChoice | undefined;
    if (choice?.index !== 0) return step.endDialog();
    return step.beginDialog(VERIFY_DIALOG, { targets: (step.values as { targets: VerifyOptions['targets'] }).targets } satisfies VerifyOptions);
  }

  private async afterVerify(step: WaterfallStepContext) {
    if (isReroute(step.result)) return step.endDialog(step.result);
    if (step.result !== true) return step.endDialog();
    const found = await this.deps.pqr.statusFor((step.values as { cun: string }).cun, await requesterOf(step.context, this.deps));
    return step.endDialog(found?.access === 'owner' ? found.pqr : undefined);
  }

  private async askDocument(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    return ask(step, FORGOT_PROMPT, t('status.forgot.ask'), t('status.forgot.retry'));
  }

  private async sendCode(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const input = String(step.result ?? '').trim();
    if (!DOCUMENT_OR_LINE.test(input)) {
      await step.context.sendActivity(t('tooManyTries', { channels: t('channels.short') }));
      return step.endDialog();
    }
    const found = await this.guarded(step, async () => this.deps.pqr.codeTargetsFor(input, await requesterOf(step.context, this.deps), conversationOf(step.context)));
    if (found === 'blocked') return step.endDialog();
    if (!found.length) {
      await step.context.sendActivity(t('status.forgot.none'));
      return step.endDialog();
    }
    return step.beginDialog(VERIFY_DIALOG, { targets: found } satisfies VerifyOptions);
  }

  private async afterForgotVerify(step: WaterfallStepContext) {
    if (isReroute(step.result)) return step.endDialog(step.result);
    return step.endDialog(step.result === true ? ({ verified: true } satisfies Verified) : undefined);
  }

  /** A lookup, or 'blocked' once the user has been told that too many attempts failed. */
  private async guarded<T>(step: WaterfallStepContext, lookup: () => Promise<T>): Promise<T | 'blocked'> {
    try {
      return await lookup();
    } catch (error) {
      if (!(error instanceof LookupBlockedError)) throw error;
      const t = textsFor(step.context, this.deps);
      await step.context.sendActivity(t('status.tooManyLookups', { channels: t('channels.short') }));
      return 'blocked';
    }
  }
}

function conversationOf(context: TurnContext): string | undefined {
  return context.activity.conversation?.id;
}

/** The summary a PQR dialog ended with, told apart from a choice or nothing. */
export function isPqrSummary(value: unknown): value is PqrSummary {
  return typeof value === 'object' && value !== null && 'cun' in value && 'status' in value && 'notifyChannel' in value;
}

/** The user wrote a new request instead of answering: the main dialog routes it. */
export function isReroute(value: unknown): value is Reroute {
  return typeof value === 'object' && value !== null && (value as Partial<Reroute>).reroute === true;
}

/** True when the user proved, without a CUN, that they own some PQRs. */
export function isVerified(value: unknown): value is Verified {
  return typeof value === 'object' && value !== null && (value as Partial<Verified>).verified === true;
}
