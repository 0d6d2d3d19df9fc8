import { answerTerm, type AnswerTerm, type BusinessCalendar, type Terms } from '../pqr';
import { endOfBogotaDay } from '../pqr/calendar';

/** A data-protection request: a consulta (Ley 1581 art. 14) or a reclamo (art. 15). */
export type DataRequestKind = 'consulta' | 'reclamo';

/** Ley 1581 arts. 14 and 15: business days to answer, and the one extension with notice. */
export const DATA_REQUEST_TERMS: Readonly<Record<DataRequestKind, { days: number; extensionDays: number }>> = Object.freeze({
  consulta: { days: 10, extensionDays: 5 },
  reclamo: { days: 15, extensionDays: 8 },
});

/** Art. 15: an incomplete reclamo is withdrawn two months after the bot asked for what it lacked. */
export const WITHDRAWAL_MONTHS = 2;

/**
 * The term to answer a request received at `filedAt`: counted like a PQR's answer (the day of
 * reception is not counted; a filing after hours or on a holiday is received the next business day).
 */
export function dataRequestTerm(kind: DataRequestKind, filedAt: Date, cal: BusinessCalendar, terms: Terms): AnswerTerm {
  return answerTerm(filedAt, cal, { ...terms, answerDays: DATA_REQUEST_TERMS[kind].days });
}

/** Art. 14 par. / art. 15: the extension runs for its business days after the first term ends. */
export function extendedDueDate(kind: DataRequestKind, dueDate: Date, cal: BusinessCalendar): Date {
  return endOfBogotaDay(cal.addBusinessDays(dueDate, DATA_REQUEST_TERMS[kind].extensionDays));
}

/**
 * Art. 15: "transcurridos dos (2) meses desde la fecha del requerimiento" — calendar months, to
 * the same day (or the month's last day when it has no such day: 31 Dec → 28/29 Feb).
 */
export function withdrawalDate(requiredAt: Date, months = WITHDRAWAL_MONTHS): Date {
  const shifted = new Date(requiredAt.getTime());
  const day = shifted.getUTCDate();
  shifted.setUTCDate(1);
  shifted.setUTCMonth(shifted.getUTCMonth() + months);
  const last = new Date(Date.UTC(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, 0)).getUTCDate();
  shifted.setUTCDate(Math.min(day, last));
  return shifted;
}
