import { answerTerm, type AnswerTerm, type BusinessCalendar, type Terms } from '../pqr';
import { BOGOTA_UTC_OFFSET_MINUTES, endOfBogotaDay } from '../pqr/calendar';

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
 * Art. 15: "transcurridos dos (2) meses desde la fecha del requerimiento" — calendar months on
 * Bogotá's calendar, to the same day and time (or the month's last day when it has no such day:
 * 31 Dec → 28/29 Feb).
 */
export function withdrawalDate(requiredAt: Date, months = WITHDRAWAL_MONTHS): Date {
  const offsetMs = BOGOTA_UTC_OFFSET_MINUTES * 60_000;
  // Shifted so that the UTC fields read Bogotá's wall clock.
  const local = new Date(requiredAt.getTime() + offsetMs);
  const day = local.getUTCDate();
  local.setUTCDate(1);
  local.setUTCMonth(local.getUTCMonth() + months);
  const last = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 0)).getUTCDate();
  local.setUTCDate(Math.min(day, last));
  return new Date(local.getTime() - offsetMs);
}
