import { ChoicePrompt, ComponentDialog, ListStyle, WaterfallDialog, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { PqrSummary } from '../src/pqr';
import { localeOf, requesterOf, textsFor, type DialogDeps, type Reroute } from './context';
import { FindPqrDialog, FIND_PQR_DIALOG, isReroute, isVerified, type FindPqrOptions } from './find-pqr-dialog';
import { pqrDetail, pqrList } from './pqr-text';

export const STATUS_DIALOG = 'statusDialog';

export interface StatusOptions {
  cun?: string;
}

const NEXT_PROMPT = 'statusNextPrompt';

/**
 * "¿Cómo va mi PQR?": the open PQRs the user owns (filed from this chat, or with a line or e-mail
 * they have proven), or one PQR by CUN (see FindPqrDialog for what each requester sees).
 */
export class StatusDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(STATUS_DIALOG);
    this.addDialog(new FindPqrDialog(deps));
    // Strict and single-shot: a message that is not one of the buttons ends the dialog unanswered.
    const next = new ChoicePrompt(NEXT_PROMPT, async () => true, 'es-es');
    next.recognizerOptions = { allowPartialMatches: false };
    this.addDialog(next);
    this.addDialog(new WaterfallDialog('statusSteps', [this.start.bind(this), this.afterList.bind(this), this.show.bind(this)]));
    this.initialDialogId = 'statusSteps';
  }

  private async start(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const cun = (step.options as StatusOptions | undefined)?.cun;
    if (cun) return step.next({ cun });
    const open = await this.deps.pqr.openFor(await requesterOf(step.context, this.deps));
    if (open.length === 0) {
      await step.context.sendActivity(t('status.none'));
      return step.next({ ask: true });
    }
    const text = pqrList(this.deps, t, open, localeOf(step.context, this.deps));
    return step.prompt(NEXT_PROMPT, { prompt: text, choices: [{ value: t('status.other') }, { value: t('menu.back') }], style: ListStyle.suggestedAction });
  }

  private async afterList(step: WaterfallStepContext) {
    const result = step.result as { cun?: string; ask?: boolean } | FoundChoice | undefined;
    // Anything but a tap on the two buttons is a new request ("no estoy de acuerdo…"): the main dialog routes it.
    if (!result) return step.endDialog({ reroute: true } satisfies Reroute);
    if ('index' in result && result.index !== 0) return step.endDialog();
    return step.beginDialog(FIND_PQR_DIALOG, ('cun' in result && result.cun ? { cun: result.cun } : {}) satisfies FindPqrOptions);
  }

  private async show(step: WaterfallStepContext) {
    // Proven without a CUN: the list now holds the PQRs of that document or line.
    if (isVerified(step.result)) return step.replaceDialog('statusSteps');
    if (isReroute(step.result)) return step.endDialog(step.result);
    const found = step.result as PqrSummary | undefined;
    if (found) await step.context.sendActivity(pqrDetail(this.deps, textsFor(step.context, this.deps), found, localeOf(step.context, this.deps)));
    return step.endDialog(found);
  }
}
