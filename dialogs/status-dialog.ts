import { ChoicePrompt, ComponentDialog, ListStyle, WaterfallDialog, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import { formatDate, type PqrSummary, type RecursoKind } from '../src/pqr';
import type { Locale, Translate } from '../src/i18n';
import { channelUser, localeOf, textsFor, type DialogDeps, type Reroute } from './context';
import { FindPqrDialog, FIND_PQR_DIALOG, type FindPqrOptions } from './find-pqr-dialog';

export const STATUS_DIALOG = 'statusDialog';

export interface StatusOptions {
  cun?: string;
}

const NEXT_PROMPT = 'statusNextPrompt';

/**
 * "¿Cómo va mi PQR?": the user's open PQRs when the channel knows them, or one PQR by CUN.
 * Only the owner sees a PQR (same channel identity, or the document/line it was filed with);
 * anyone else gets the same "no encontramos" as for a CUN that does not exist.
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
    const open = await this.deps.pqr.openFor(channelUser(step.context));
    if (open.length === 0) {
      await step.context.sendActivity(t('status.none'));
      return step.next({ ask: true });
    }
    const locale = localeOf(step.context, this.deps);
    const lines = open.map((p) => t('status.item', { cun: p.cun, type: t(`type.${p.type}`), status: t(`status.label.${p.status}`), dueDate: formatDate(p.dueDate, locale) }));
    const text = open.length === 1 ? pqrDetail(this.deps, t, open[0], locale) : [t('status.list', { count: open.length }), ...lines].join('\n');
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
    const found = step.result as PqrSummary | undefined;
    if (found) await step.context.sendActivity(pqrDetail(this.deps, textsFor(step.context, this.deps), found, localeOf(step.context, this.deps)));
    return step.endDialog(found);
  }
}

/** Longest excerpt of an answer or decision shown in the chat; the full text reached the user with the notification. */
const EXCERPT_CHARS = 300;

/**
 * A PQR as its owner reads it: the fields of the SIC's CUN lookup and, once there is one, the
 * answer with the term to file a recurso, the recurso and its decision.
 */
export function pqrDetail(deps: DialogDeps, t: Translate, p: PqrSummary, locale: Locale): string {
  const date = (d: Date) => formatDate(d, locale);
  const lines = [
    t('status.detail', {
      cun: p.cun,
      type: t(`type.${p.type}`),
      status: t(`status.label.${p.status}`),
      filedAt: date(p.filedAt),
      dueDate: date(p.dueDate),
      notify: notifyText(t, p),
    }),
  ];
  if (p.answeredAt && p.answerText) lines.push(t('status.answer', { answeredAt: date(p.answeredAt), answer: excerpt(p.answerText) }));
  if (p.status === 'respondida') {
    const deadline = deps.lifecycle.recursoDeadlineOf(p);
    lines.push(deadline ? t('status.recursoUntil', { deadline: date(deadline) }) : t('status.recursoNotStarted'));
  }
  if (p.recursoKind && p.recursoFiledAt && p.recursoDueDate) {
    lines.push(t('status.recurso', { kind: recursoKindText(t, p.recursoKind), filedAt: date(p.recursoFiledAt), dueDate: date(p.recursoDueDate) }));
  }
  if (p.decisionOutcome && p.decidedAt) {
    const outcome = p.decisionOutcome === 'repone' ? t('status.decision.repone') : t('status.decision.confirma');
    lines.push(t('status.decision', { decidedAt: date(p.decidedAt), outcome, text: excerpt(p.decisionText ?? '') }));
  }
  if (p.overdue) lines.push(t('status.overdue'));
  return lines.join('\n');
}

export function recursoKindText(t: Translate, kind: RecursoKind): string {
  return kind === 'reposicion' ? t('recurso.kind.reposicion') : t('recurso.kind.reposicion_apelacion');
}

/** Where the PQR's answers go, the e-mail masked. */
export function notifyText(t: Translate, p: Pick<PqrSummary, 'notifyChannel' | 'notifyAddress'>): string {
  return p.notifyChannel === 'email' ? t('notify.email', { email: maskEmail(p.notifyAddress) }) : t('notify.chat');
}

export function excerpt(text: string): string {
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

/** j***@correo.com: enough for the owner to recognise it, not enough to harvest it. */
export function maskEmail(email: string): string {
  const [user, domain] = email.split('@');
  return `${user.slice(0, 1)}***@${domain ?? ''}`;
}
