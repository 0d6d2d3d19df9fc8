import type { CodeTarget } from '../src/identity';
import type { Locale, Translate } from '../src/i18n';
import { formatDate, type PqrLookup, type PqrSummary, type RecursoKind } from '../src/pqr';
import { lastDigits, type DialogDeps } from './context';

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

/** The owner's open PQRs: one in detail, several as a list. */
export function pqrList(deps: DialogDeps, t: Translate, open: PqrSummary[], locale: Locale): string {
  if (open.length === 1) return pqrDetail(deps, t, open[0], locale);
  const lines = open.map((p) => t('status.item', { cun: p.cun, type: t(`type.${p.type}`), status: t(`status.label.${p.status}`), dueDate: formatDate(p.dueDate, locale) }));
  return [t('status.list', { count: open.length }), ...lines].join('\n');
}

/** What anyone with the CUN and the document or line sees: the SIC's consultaCUN fields, nothing else. */
export function lookupText(t: Translate, p: PqrLookup, locale: Locale): string {
  return t('status.lookup', { cun: p.cun, status: t(`status.label.${p.status}`), filedAt: formatDate(p.filedAt, locale), dueDate: formatDate(p.dueDate, locale) });
}

/** "tu correo a***@correo.com y tu línea terminada en 4567": where codes went, masked. */
export function targetsText(t: Translate, targets: CodeTarget[]): string {
  return targets
    .map((target) => (target.kind === 'email' ? t('verify.target.email', { email: maskEmail(target.value) }) : t('verify.target.line', { lastDigits: lastDigits(target.value) })))
    .join(', ');
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
