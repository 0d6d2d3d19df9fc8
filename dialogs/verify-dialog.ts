import { ComponentDialog, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { CODE_TTL_MS, type CodeTarget } from '../src/identity';
import { addressOfTurn, textsFor, type DialogDeps, type Reroute } from './context';
import { targetsText } from './pqr-text';
import { textPrompt } from './prompts';

export const VERIFY_DIALOG = 'verifyDialog';
const CODE_PROMPT = 'codePrompt';

export interface VerifyOptions {
  /** Where the codes go: the line or e-mail(s) the PQRs were filed with. */
  targets: CodeTarget[];
}

/**
 * Proves that the user owns a line or an e-mail: a one-time code goes there ("Te envié un código
 * a a•••@correo.com"), the user types it here. Ends with true once proven; with false after the
 * user has been told why not (wrong three times, expired, too many codes, no way to send); with a
 * `Reroute` when the user wrote something else than a code (a new request, not a wrong try).
 */
export class VerifyDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(VERIFY_DIALOG);
    // Any answer goes to the check: a wrong code counts as a try, as it must.
    this.addDialog(textPrompt(CODE_PROMPT, () => true));
    this.addDialog(new WaterfallDialog('verifySteps', [this.send.bind(this), this.check.bind(this)]));
    this.initialDialogId = 'verifySteps';
  }

  private async send(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const channels = t('channels.short');
    const { targets } = step.options as VerifyOptions;
    const sent = await this.deps.codes.send(addressOfTurn(step.context), targets, t);
    if (sent.status !== 'sent') {
      const key = { limited: 'verify.limited', unavailable: 'verify.unavailable', failed: 'verify.failed' }[sent.status];
      await step.context.sendActivity(t(key, { channels }));
      return step.endDialog(false);
    }
    return step.prompt(CODE_PROMPT, { prompt: t('verify.sent', { targets: targetsText(t, sent.targets), minutes: CODE_TTL_MS / 60_000 }) });
  }

  private async check(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const typed = String(step.result ?? '');
    if (!/^[\d\s.-]+$/.test(typed.trim())) return step.endDialog({ reroute: true } satisfies Reroute);
    const result = await this.deps.codes.check(addressOfTurn(step.context), typed);
    switch (result.status) {
      case 'verified':
        await step.context.sendActivity(t('verify.ok'));
        return step.endDialog(true);
      case 'wrong':
        // Stay on this step: the next answer is checked again.
        step.activeDialog!.state.stepIndex = step.index - 1;
        return step.prompt(CODE_PROMPT, { prompt: t('verify.wrong', { tries: result.triesLeft }) });
      case 'exhausted':
        await step.context.sendActivity(t('verify.exhausted', { channels: t('channels.short') }));
        return step.endDialog(false);
      default:
        await step.context.sendActivity(t('verify.expired'));
        return step.endDialog(false);
    }
  }
}
