import type { TurnContext } from 'botbuilder';
import { ComponentDialog, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { EXPORT_LINK_TTL_MS, type DataHeld, type DataRequestSummary, type ReclamoAction } from '../src/habeas';
import type { Translate } from '../src/i18n';
import { formatDate } from '../src/pqr';
import { LookupBlockedError } from '../src/pqr/lookup-guard';
import { fold, localeOf, requesterOf, textsFor, type DialogDeps } from './context';
import { isReroute } from './find-pqr-dialog';
import { ask, textPrompt } from './prompts';
import { VerifyDialog, VERIFY_DIALOG, type VerifyOptions } from './verify-dialog';

export const DATA_REQUEST_DIALOG = 'dataRequestDialog';
const DOCUMENT_PROMPT = 'dataRequestDocumentPrompt';
const DETAIL_PROMPT = 'dataRequestDetailPrompt';
const DOCUMENT_OR_LINE = /^[\dA-Za-z\s.+-]{5,16}$/;

/** What the person asks about their personal data: a consulta, or a reclamo with its object. */
export type DataRequestAsk = { kind: 'consulta' } | { kind: 'reclamo'; action: ReclamoAction };

/**
 * The lexicon of data-protection requests (Ley 1581 arts. 14 and 15), matched before the
 * classifier: four requests with plain words of their own, rare enough in PQR texts that a small
 * word list is precise, and adding them as NLU intents would mean retraining the model.
 */
const LEXICON: { pattern: RegExp; ask: DataRequestAsk }[] = [
  { pattern: /\b(revoc(o|ar|amos)|revoque|retir(o|ar) (la |mi )?autorizacion|ya no autorizo)\b.*\b(datos|autorizacion|tratamiento)\b|\brevoke\b.*\b(consent|authori[sz]ation)\b/, ask: { kind: 'reclamo', action: 'revocar' } },
  { pattern: /\b(borr(en|ar|e|a)|elimin(en|ar|e|a)|supri(man|mir|ma)|delete|erase)\b.*\b(mis datos|mi informacion|my data|my personal data|datos personales)\b/, ask: { kind: 'reclamo', action: 'suprimir' } },
  { pattern: /\b(corrij(an|a)|correg(ir)|rectifi(quen|car|que|ca)|correct)\b.*\b(mis datos|mi informacion|my data|datos personales)\b/, ask: { kind: 'reclamo', action: 'rectificar' } },
  { pattern: /\b(actualic(en|e)|actualiz(ar|a)|update)\b.*\b(mis datos|mi informacion|my data|datos personales)\b/, ask: { kind: 'reclamo', action: 'actualizar' } },
  { pattern: /\b(que|cuales) datos (personales )?(tienen|guardan|hay) (de|sobre) mi\b|\b(what|which) (personal )?data do you (have|hold|keep)\b|\bmis datos personales\b.*\b(consult\w*|ver|conocer)\b|\b(consult\w*|ver|conocer)\b.*\bmis datos personales\b/, ask: { kind: 'consulta' } },
];

/** The data-protection request a message makes, or null. */
export function dataRequestOf(text: string): DataRequestAsk | null {
  const folded = fold(text);
  return LEXICON.find((entry) => entry.pattern.test(folded))?.ask ?? null;
}

/**
 * A consulta or a reclamo about the person's own data, only once they have proven who they are:
 * a user with no proven line or e-mail is offered the one-time code exactly as the status dialog
 * offers it (document or line → code to the line or e-mail on file). A consulta is answered at
 * once with the data held and a short-lived download link; a reclamo gets its number and due date
 * (an update or a rectification first asks what to change: until then it is incomplete).
 */
export class DataRequestDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(DATA_REQUEST_DIALOG);
    this.addDialog(textPrompt(DOCUMENT_PROMPT, (s) => DOCUMENT_OR_LINE.test(s.trim())));
    this.addDialog(textPrompt(DETAIL_PROMPT, (s) => s.trim().length >= 5));
    this.addDialog(new VerifyDialog(deps));
    this.addDialog(
      new WaterfallDialog('dataRequestSteps', [this.askDocument.bind(this), this.sendCode.bind(this), this.act.bind(this), this.completed.bind(this)]),
    );
    this.initialDialogId = 'dataRequestSteps';
  }

  private async askDocument(step: WaterfallStepContext) {
    const requester = await requesterOf(step.context, this.deps);
    if (requester.lines.length || requester.emails.length) return step.next(VERIFIED);
    const t = textsFor(step.context, this.deps);
    return ask(step, DOCUMENT_PROMPT, t('habeas.verify.ask'), t('status.forgot.retry'));
  }

  private async sendCode(step: WaterfallStepContext) {
    if (step.result === VERIFIED) return step.next(true);
    const t = textsFor(step.context, this.deps);
    const input = String(step.result ?? '').trim();
    if (!DOCUMENT_OR_LINE.test(input)) {
      await step.context.sendActivity(t('tooManyTries', { channels: t('channels.short') }));
      return step.endDialog();
    }
    try {
      const targets = await this.deps.pqr.codeTargetsFor(input, await requesterOf(step.context, this.deps), step.context.activity.conversation?.id);
      if (!targets.length) {
        await step.context.sendActivity(t('habeas.verify.none', { channels: t('channels.short') }));
        return step.endDialog();
      }
      return step.beginDialog(VERIFY_DIALOG, { targets } satisfies VerifyOptions);
    } catch (error) {
      if (!(error instanceof LookupBlockedError)) throw error;
      await step.context.sendActivity(t('status.tooManyLookups', { channels: t('channels.short') }));
      return step.endDialog();
    }
  }

  private async act(step: WaterfallStepContext) {
    if (isReroute(step.result)) return step.endDialog(step.result);
    if (step.result !== true) return step.endDialog();
    const t = textsFor(step.context, this.deps);
    const wanted = step.options as DataRequestAsk;
    const requester = await requesterOf(step.context, this.deps);
    if (wanted.kind === 'consulta') {
      const { request, data } = await this.deps.dataRequests.answerConsulta(requester);
      await step.context.sendActivity(this.dataText(step.context, t, request, data));
      return step.endDialog();
    }
    // One who comes back to an update left incomplete completes that one instead of filing another.
    const pending = (await this.deps.dataRequests.openOf(requester)).find((r) => r.status === 'incompleta' && r.action === wanted.action);
    const request = pending ?? (await this.deps.dataRequests.fileReclamo(requester, wanted.action, null));
    if (request.status === 'incompleta') {
      (step.values as { number: string }).number = request.number;
      return askDetail(step, t('habeas.reclamo.askDetail', { number: request.number, action: t(`habeas.action.${wanted.action}`) }));
    }
    await step.context.sendActivity(this.filedText(step.context, t, request, wanted.action));
    return step.endDialog();
  }

  private async completed(step: WaterfallStepContext) {
    const t = textsFor(step.context, this.deps);
    const detail = String(step.result ?? '').trim();
    if (detail.length < 5) {
      await step.context.sendActivity(t('habeas.reclamo.stillIncomplete', { number: (step.values as { number: string }).number }));
      return step.endDialog();
    }
    const request = await this.deps.dataRequests.complete((step.values as { number: string }).number, await requesterOf(step.context, this.deps), detail);
    await step.context.sendActivity(this.filedText(step.context, t, request, request.action!));
    return step.endDialog();
  }

  private filedText(context: TurnContext, t: Translate, request: DataRequestSummary, action: ReclamoAction): string {
    const vars = { number: request.number, action: t(`habeas.action.${action}`), dueDate: formatDate(request.dueDate, localeOf(context, this.deps)), years: this.deps.retentionYears };
    if (action === 'suprimir') return t('habeas.reclamo.delete', vars);
    if (action === 'revocar') return t('habeas.reclamo.revoked', vars);
    return t('habeas.reclamo.filed', vars);
  }

  private dataText(context: TurnContext, t: Translate, request: DataRequestSummary, data: DataHeld): string {
    const locale = localeOf(context, this.deps);
    const day = (iso: string) => formatDate(new Date(iso), locale);
    const lines = [t('habeas.consulta.intro', { number: request.number })];
    lines.push(t('habeas.consulta.identity', { channel: data.identity.channel, since: day(data.identity.createdAt) }));
    const consent = data.identity.consent;
    lines.push(consent.acceptedAt && !consent.revokedAt ? t('habeas.consulta.consent', { date: day(consent.acceptedAt), version: consent.version ?? '' }) : t('habeas.consulta.noConsent'));
    if (data.proofs.length) lines.push(t('habeas.consulta.proofs', { proofs: data.proofs.map((p) => p.value).join(', ') }));
    for (const n of data.nonCustomerRecords) lines.push(t('habeas.consulta.nonCustomer', { name: n.fullName, document: `${n.documentType} ${n.documentNumber}`, email: n.email }));
    for (const s of data.subscriberRecords) lines.push(t('habeas.consulta.subscriber', { line: s.line, brand: s.brand }));
    for (const p of data.pqrs) {
      const who = [p.requester.name, p.requester.documentNumber && `${p.requester.documentType ?? ''} ${p.requester.documentNumber}`.trim(), p.requester.email, p.requester.line].filter(Boolean).join(', ');
      lines.push(t('habeas.consulta.pqr', { cun: p.cun, who: who || '—' }));
    }
    const link = `${this.deps.publicUrl ?? ''}${this.deps.exportLinks.pathFor(request.number)}`;
    lines.push(t('habeas.consulta.download', { link, minutes: EXPORT_LINK_TTL_MS / 60_000 }));
    lines.push(t('habeas.consulta.closing'));
    return lines.join('\n');
  }
}

/** Marks "already verified" between the first steps: not a text the user could type. */
const VERIFIED = Symbol('verified');

function askDetail(step: WaterfallStepContext, text: string) {
  return step.prompt(DETAIL_PROMPT, { prompt: text, retryPrompt: text });
}
