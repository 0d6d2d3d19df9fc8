import { ComponentDialog, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { findCun, normalizeCun, type PqrSummary } from '../src/pqr';
import { LookupBlockedError } from '../src/pqr/lookup-guard';
import { channelUser, textsFor, type DialogDeps } from './context';
import { ask, textPrompt } from './prompts';

export const FIND_PQR_DIALOG = 'findPqrDialog';
const CUN_PROMPT = 'cunPrompt';
const PROOF_PROMPT = 'proofPrompt';

export interface FindPqrOptions {
  /** A CUN the user already wrote; asked for when absent. */
  cun?: string;
}

/**
 * One PQR by CUN, only for its owner: the same channel identity, or the document/line it was
 * filed with. Ends with the PQR's summary, or with nothing once the user has been told why
 * (no CUN after two tries, or "no encontramos", the same words whether the CUN exists or not).
 */
export class FindPqrDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(FIND_PQR_DIALOG);
    // Asked twice at most: a third "escribe el CUN" would only frustrate someone who does not have it.
    this.addDialog(textPrompt(CUN_PROMPT, (s) => !!findCun(s) || !!normalizeCun(s), undefined, 2));
    this.addDialog(textPrompt(PROOF_PROMPT, (s) => /^[\d\s+.-]{5,16}$|^[A-Za-z0-9]{5,12}$/.test(s.trim())));
    this.addDialog(new WaterfallDialog('findSteps', [this.askCun.bind(this), this.lookup.bind(this), this.withProof.bind(this)]));
    this.initialDialogId = 'findSteps';
  }

  private async askCun(step: WaterfallStepContext) {
    const cun = (step.options as FindPqrOptions | undefined)?.cun;
    if (cun) return step.next(cun);
    const t = textsFor(step.context, this.deps);
    return ask(step, CUN_PROMPT, t('status.askCun'), t('status.askCun.retry'));
  }

  private async lookup(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const raw = String(step.result ?? '');
    const cun = findCun(raw) ?? normalizeCun(raw);
    if (!cun) {
      await step.context.sendActivity(t('tooManyTries', { channels: t('channels.short') }));
      return step.endDialog();
    }
    (step.values as { cun: string }).cun = cun;
    const found = await this.guarded(step, () => this.deps.pqr.statusFor(cun, channelUser(step.context)));
    if (found === 'blocked') return step.endDialog();
    if (found) return step.endDialog(found);
    return ask(step, PROOF_PROMPT, t('status.askProof'), t('status.askProof'));
  }

  private async withProof(step: WaterfallStepContext) {
    const proof = String(step.result ?? '').replace(/[\s.+-]/g, '');
    const found = await this.guarded(step, () => this.deps.pqr.statusFor((step.values as { cun: string }).cun, { ...channelUser(step.context), proof }));
    if (found === 'blocked') return step.endDialog();
    if (found) return step.endDialog(found);
    await step.context.sendActivity(textsFor(step.context, this.deps)('status.notFound'));
    return step.endDialog();
  }

  /** A lookup, or 'blocked' once the user has been told that too many attempts failed. */
  private async guarded(step: WaterfallStepContext, lookup: () => Promise<PqrSummary | null>): Promise<PqrSummary | null | 'blocked'> {
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

/** The summary a PQR dialog ended with, told apart from a choice or nothing. */
export function isPqrSummary(value: unknown): value is PqrSummary {
  return typeof value === 'object' && value !== null && 'cun' in value && 'status' in value;
}
