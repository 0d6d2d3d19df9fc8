import { ComponentDialog, WaterfallDialog, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import { findCun, formatDate, normalizeCun, type PqrSummary } from '../src/pqr';
import type { Locale, Translate } from '../src/i18n';
import { channelUser, localeOf, textsFor, type DialogDeps } from './context';
import { ask, choicePrompt, choose, textPrompt } from './prompts';

export const STATUS_DIALOG = 'statusDialog';
const CUN_PROMPT = 'cunPrompt';
const PROOF_PROMPT = 'proofPrompt';

export interface StatusOptions {
  cun?: string;
}

/**
 * "¿Cómo va mi PQR?": the user's open PQRs when the channel knows them, or one PQR by CUN.
 * Only the owner sees a PQR (same channel identity, or the document/line it was filed with);
 * anyone else gets the same "no encontramos" as for a CUN that does not exist.
 */
export class StatusDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(STATUS_DIALOG);
    this.addDialog(choicePrompt());
    this.addDialog(textPrompt(CUN_PROMPT, (s) => !!findCun(s) || !!normalizeCun(s)));
    this.addDialog(textPrompt(PROOF_PROMPT, (s) => /^[\d\s+.-]{5,16}$|^[A-Za-z0-9]{5,12}$/.test(s.trim())));
    this.addDialog(new WaterfallDialog('statusSteps', [this.start.bind(this), this.afterList.bind(this), this.lookup.bind(this), this.withProof.bind(this)]));
    this.initialDialogId = 'statusSteps';
  }

  private async start(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const cun = (step.options as StatusOptions | undefined)?.cun;
    if (cun) return step.next({ cun });
    const open = await this.deps.pqr.openFor(channelUser(step.context));
    if (open.length === 0) {
      await step.context.sendActivity(t('status.none'));
      return step.next({ ask: true });
    }
    const locale = localeOf(step.context, this.deps);
    const lines = open.map((p) => t('status.item', { cun: p.cun, type: t(`type.${p.type}`), status: t(`status.label.${p.status}`), dueDate: formatDate(p.dueDate, locale) }));
    const text = open.length === 1 ? this.detail(t, open[0], locale) : [t('status.list', { count: open.length }), ...lines].join('\n');
    return choose(step, t, text, [t('status.other'), t('menu.back')]);
  }

  private async afterList(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const result = step.result as { cun?: string; ask?: boolean } | FoundChoice | undefined;
    if (result && 'cun' in result && result.cun) return step.next(result.cun);
    const wantsOther = !!result && ('ask' in result ? result.ask : (result as FoundChoice).index === 0);
    if (!wantsOther) return step.endDialog();
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
    const found = await this.deps.pqr.statusFor(cun, channelUser(step.context));
    if (found) {
      await step.context.sendActivity(this.detail(t, found, localeOf(step.context, this.deps)));
      return step.endDialog(found);
    }
    return ask(step, PROOF_PROMPT, t('status.askProof'), t('status.askProof'));
  }

  private async withProof(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const proof = String(step.result ?? '').replace(/[\s.+-]/g, '');
    const found = await this.deps.pqr.statusFor((step.values as { cun: string }).cun, { ...channelUser(step.context), proof });
    await step.context.sendActivity(found ? this.detail(t, found, localeOf(step.context, this.deps)) : t('status.notFound'));
    return step.endDialog(found ?? undefined);
  }

  private detail(t: Translate, p: PqrSummary, locale: Locale): string {
    const lines = [
      t('status.detail', {
        cun: p.cun,
        type: t(`type.${p.type}`),
        status: t(`status.label.${p.status}`),
        filedAt: formatDate(p.filedAt, locale),
        dueDate: formatDate(p.dueDate, locale),
        notify: p.notifyChannel === 'email' ? t('notify.email', { email: maskEmail(p.notifyAddress) }) : t('notify.chat'),
      }),
    ];
    if (p.overdue) lines.push(t('status.overdue'));
    return lines.join('\n');
  }
}

/** j***@correo.com: enough for the owner to recognise it, not enough to harvest it. */
export function maskEmail(email: string): string {
  const [user, domain] = email.split('@');
  return `${user.slice(0, 1)}***@${domain ?? ''}`;
}
