import type { TurnContext } from 'botbuilder';
import { ComponentDialog, WaterfallDialog, type Choice, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import { formatDate, formatDateTime, type PqrSummary, type RecursoKind } from '../src/pqr';
import { localeOf, requesterOf, textsFor, withChoices, type DialogDeps } from './context';
import { FilePqrDialog, FILE_PQR_DIALOG } from './file-pqr-dialog';
import { FindPqrDialog, FIND_PQR_DIALOG, isPqrSummary, isReroute, isVerified, type FindPqrOptions } from './find-pqr-dialog';
import { hasWords, isDone } from './free-text';
import { choicePrompt, choose, textPrompt } from './prompts';
import { excerpt, notifyText, pqrDetail, recursoKindText } from './pqr-text';

export const RECURSO_DIALOG = 'recursoDialog';

const REASONS_PROMPT = 'reasonsPrompt';
export const MAX_REASONS_CHARS = 8000;
/** Answered PQRs offered as buttons; with "Otro CUN" and "Volver al menú" they fit a WhatsApp list (10 rows). */
const MAX_LISTED = 8;

export interface RecursoOptions {
  /** A CUN the user wrote with their disagreement. */
  cun?: string;
  /** Back after proving, without a CUN, which PQRs are theirs: the term was explained already. */
  verified?: boolean;
}

interface RecursoState {
  /** CUNs offered as buttons, in the order shown. */
  listed?: string[];
  cun: string;
  /** ISO time of the last moment to file, for the summary. */
  deadline: string;
  /** True when the recurso cannot be filed and a new PQR was offered instead. */
  offeredNewPqr?: boolean;
  kind: RecursoKind;
  reasons: string;
  /** True while the user is adding messages to the reasons. */
  collecting?: boolean;
}

/**
 * "No estoy de acuerdo con la respuesta": the recurso de reposición (y en subsidio apelación).
 * Which PQR (the user's answered ones, or one by CUN with proof of ownership) → its answer and
 * the last day to file → reposición alone or with apelación en subsidio → reasons (several
 * messages) → summary → filed. An answer not yet proven delivered is notified by the user's
 * reply (conduct, CPACA art. 72); a late recurso is explained, and a new PQR offered.
 * Nothing is written until the user confirms.
 */
export class RecursoDialog extends ComponentDialog {
  constructor(
    private readonly deps: DialogDeps,
    private readonly showMenu: (context: TurnContext) => Promise<void>,
  ) {
    super(RECURSO_DIALOG);
    this.addDialog(choicePrompt());
    this.addDialog(new FindPqrDialog(deps));
    this.addDialog(new FilePqrDialog(deps));
    this.addDialog(textPrompt(REASONS_PROMPT, hasWords));
    this.addDialog(
      new WaterfallDialog('recursoSteps', [
        this.start.bind(this),
        this.pick.bind(this),
        this.check.bind(this),
        this.kind.bind(this),
        this.reasonsMore.bind(this),
        this.summary.bind(this),
        this.file.bind(this),
      ]),
    );
    this.initialDialogId = 'recursoSteps';
  }

  private state(step: WaterfallStepContext): RecursoState {
    return step.values as RecursoState;
  }

  private async start(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const options = step.options as RecursoOptions | undefined;
    if (!options?.verified) await step.context.sendActivity(t('recurso.info'));
    if (options?.cun) return step.beginDialog(FIND_PQR_DIALOG, { cun: options.cun } satisfies FindPqrOptions);
    const open = await this.deps.pqr.openFor(await requesterOf(step.context, this.deps));
    const answered = open.filter((p) => p.status === 'respondida');
    if (answered.length === 1) return step.next(answered[0]);
    if (open.length === 0) {
      await step.context.sendActivity(t('recurso.none'));
      return step.beginDialog(FIND_PQR_DIALOG);
    }
    const locale = localeOf(step.context, this.deps);
    const listed = answered.slice(0, MAX_LISTED);
    this.state(step).listed = listed.map((p) => p.cun);
    let text: string;
    if (listed.length > 0) {
      const lines = listed.map((p) => t('recurso.item', { cun: p.cun, type: t(`type.${p.type}`), answeredAt: formatDate(p.answeredAt ?? p.filedAt, locale) }));
      text = [t('recurso.list', { count: listed.length }), ...lines].join('\n');
    } else {
      const lines = open.length === 1
        ? [pqrDetail(this.deps, t, open[0], locale)]
        : open.map((p) => t('status.item', { cun: p.cun, type: t(`type.${p.type}`), status: t(`status.label.${p.status}`), dueDate: formatDate(p.dueDate, locale) }));
      text = [t('recurso.noneAnswered', { other: t('recurso.otherCun') }), ...lines].join('\n');
    }
    const choices: Choice[] = [...listed.map((p) => ({ value: p.cun, synonyms: [p.cun.replace(/-/g, '')] })), { value: t('recurso.otherCun') }, { value: t('menu.back') }];
    return choose(step, t, text, choices);
  }

  /** The PQR the user means: from the list, by CUN, or the only answered one. */
  private async pick(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const listed = this.state(step).listed;
    if (isPqrSummary(step.result)) return step.next(step.result);
    if (isVerified(step.result)) return step.replaceDialog('recursoSteps', { verified: true } satisfies RecursoOptions);
    if (isReroute(step.result)) return step.endDialog(step.result);
    const choice = step.result as FoundChoice | undefined;
    // Without a choice the FindPqrDialog has already said why; a choice prompt that gave up has not.
    if (!choice) {
      if (listed) await step.context.sendActivity(t('tooManyTries', { channels: t('channels.short') }));
      return step.endDialog();
    }
    if (listed && choice.index < listed.length) {
      const chosen = (await this.deps.pqr.openFor(await requesterOf(step.context, this.deps))).find((p) => p.cun === listed[choice.index]);
      if (chosen) return step.next(chosen);
      await step.context.sendActivity(t('recurso.changed', { cun: listed[choice.index] }));
      return step.endDialog();
    }
    if (listed && choice.index === listed.length) return step.beginDialog(FIND_PQR_DIALOG);
    await this.showMenu(step.context);
    return step.endDialog();
  }

  /** Only an answered, notified PQR within its term goes on; otherwise the user learns why. */
  private async check(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const locale = localeOf(step.context, this.deps);
    const pqr = step.result as PqrSummary | undefined;
    if (!pqr) return step.endDialog();
    const state = this.state(step);
    state.cun = pqr.cun;
    if (pqr.status === 'radicada' || pqr.status === 'en_tramite') {
      await step.context.sendActivity(t('recurso.notAnswered', { cun: pqr.cun, dueDate: formatDate(pqr.dueDate, locale) }));
      return step.endDialog();
    }
    if (pqr.status !== 'respondida') {
      // Replying to the decision of the recurso shows the user knows it, as for the answer (CPACA art. 72).
      if (pqr.decidedAt) await this.deps.lifecycle.notifyByConduct(pqr.cun, await requesterOf(step.context, this.deps), { text: step.context.activity.text ?? '', id: step.context.activity.id });
      await step.context.sendActivity([t('recurso.notOpen', { cun: pqr.cun }), pqrDetail(this.deps, t, pqr, locale)].join('\n'));
      return step.endDialog();
    }
    let notifiedAt = pqr.notifiedAt;
    if (!notifiedAt) {
      // Replying to an answer not yet proven delivered shows the user knows it: notification by conduct (CPACA art. 72).
      const activity = step.context.activity;
      notifiedAt = (await this.deps.lifecycle.notifyByConduct(pqr.cun, await requesterOf(step.context, this.deps), { text: activity.text ?? '', id: activity.id }))?.notifiedAt ?? null;
      if (!notifiedAt) {
        await step.context.sendActivity(t('recurso.changed', { cun: pqr.cun }));
        return step.endDialog();
      }
      await step.context.sendActivity(t('recurso.byConduct', { cun: pqr.cun, notifiedAt: formatDateTime(notifiedAt, locale) }));
    }
    const deadline = this.deps.lifecycle.recursoDeadlineOf({ notifiedAt })!;
    const newPqr = [t('menu.file'), t('menu.back')];
    if (this.deps.clock.now() > deadline) {
      state.offeredNewPqr = true;
      return choose(step, t, t('recurso.late', { cun: pqr.cun, notifiedAt: formatDate(notifiedAt, locale), deadline: formatDate(deadline, locale) }), newPqr);
    }
    state.deadline = deadline.toISOString();
    const text = t('recurso.kind.ask', {
      cun: pqr.cun,
      type: t(`type.${pqr.type}`),
      answeredAt: formatDate(pqr.answeredAt ?? notifiedAt, locale),
      notifiedAt: formatDate(notifiedAt, locale),
      answer: excerpt(pqr.answerText ?? ''),
      deadline: formatDate(deadline, locale),
    });
    return choose(step, t, text, [
      { value: t('recurso.kind.reposicion.button'), synonyms: ['reposicion', 'reposición', 'solo reposicion', 'solo reposición', 'solo la reposicion', 'solo la reposición', 'reposition only', 'reconsideration only'] },
      {
        value: t('recurso.kind.apelacion.button'),
        synonyms: [
          'reposicion y en subsidio apelacion',
          'reposición y en subsidio apelación',
          'reposicion y apelacion',
          'reposición y apelación',
          'en subsidio apelacion',
          'en subsidio apelación',
          'apelacion',
          'apelación',
          'con apelacion',
          'appeal',
          'with appeal',
        ],
      },
    ]);
  }

  private async kind(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const state = this.state(step);
    const choice = step.result as FoundChoice | undefined;
    if (!choice) return this.giveUp(step);
    if (state.offeredNewPqr) {
      if (choice.index === 0) return step.replaceDialog(FILE_PQR_DIALOG);
      await this.showMenu(step.context);
      return step.endDialog();
    }
    state.kind = choice.index === 0 ? 'reposicion' : 'reposicion_apelacion';
    return step.prompt(REASONS_PROMPT, { prompt: t('recurso.reasons'), retryPrompt: t('recurso.reasons.retry') });
  }

  /** Loops (by replacing itself) while the user keeps adding messages to the reasons. */
  private async reasonsMore(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const state = this.state(step);
    const added = String(step.result ?? '').trim();
    if (state.collecting && isDone(added, t)) {
      state.collecting = false;
      return step.next();
    }
    if (hasWords(added)) state.reasons = state.reasons ? `${state.reasons}\n${added}` : added;
    if (!state.reasons) return this.giveUp(step);
    if (state.reasons.length >= MAX_REASONS_CHARS) {
      state.reasons = state.reasons.slice(0, MAX_REASONS_CHARS);
      await step.context.sendActivity(t('file.describe.tooLong', { max: MAX_REASONS_CHARS }));
      state.collecting = false;
      return step.next();
    }
    state.collecting = true;
    // Stay on this step: the next answer comes back here until the user says it is all.
    step.activeDialog!.state.stepIndex = step.index - 1;
    return step.prompt(REASONS_PROMPT, { prompt: withChoices(t('file.describe.more', { done: t('file.describe.done') }), [t('file.describe.done')]) });
  }

  private async summary(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const state = this.state(step);
    return choose(step, t, t('recurso.summary', { cun: state.cun, kind: recursoKindText(t, state.kind), reasons: excerpt(state.reasons), deadline: formatDate(new Date(state.deadline), localeOf(step.context, this.deps)) }), [
      { value: t('recurso.confirm'), synonyms: ['si', 'sí', 'presentar', 'presentalo', 'confirmo', 'yes'] },
      { value: t('file.cancel'), synonyms: ['no', 'cancelar', 'cancel'] },
    ]);
  }

  private async file(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const locale = localeOf(step.context, this.deps);
    const state = this.state(step);
    const choice = step.result as FoundChoice | undefined;
    if (choice?.index !== 0) {
      await step.context.sendActivity(t('recurso.cancelled', { deadline: formatDate(new Date(state.deadline), locale) }));
      return step.endDialog();
    }
    const filed = await this.deps.lifecycle
      .fileRecurso(state.cun, await requesterOf(step.context, this.deps), { kind: state.kind, text: state.reasons })
      .catch(async (error: unknown) => {
        // The term may end, or the PQR change, between the summary and the confirmation.
        const code = (error as { code?: unknown }).code;
        const reason = code === 'recurso_out_of_term'
          ? t('recurso.lateNow', { cun: state.cun, deadline: formatDate(new Date(state.deadline), locale) })
          : code === 'invalid_transition' || code === 'conflict' || code === 'not_notified' || code === 'not_found' ? t('recurso.changed', { cun: state.cun }) : null;
        if (!reason) throw error;
        await step.context.sendActivity(reason);
        return null;
      });
    if (!filed) return step.endDialog();
    const next = filed.recursoKind === 'reposicion' ? t('recurso.next.reposicion', { notify: notifyText(t, filed) }) : t('recurso.next.reposicion_apelacion', { notify: notifyText(t, filed) });
    await step.context.sendActivity(
      t('recurso.filed', {
        kind: recursoKindText(t, state.kind),
        cun: filed.cun,
        filedAt: formatDateTime(filed.recursoFiledAt!, locale),
        dueDate: formatDate(filed.recursoDueDate!, locale),
        next,
      }),
    );
    return step.endDialog();
  }

  private async giveUp(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    await step.context.sendActivity(t('tooManyTries', { channels: t('channels.short') }));
    return step.endDialog();
  }
}
