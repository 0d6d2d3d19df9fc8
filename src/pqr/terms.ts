import { BusinessCalendar, bogotaMinutesOfDay, endOfBogotaDay, startOfBogotaDay } from './calendar';

/** Legal terms (Res. CRC 5050 de 2016); settings, read from the environment by the composition root. */
export interface Terms {
  /** business days to answer a PQR */
  answerDays: number;
  /** business days after notification to file a recurso de reposición */
  recursoDays: number;
  /** business days to decide a recurso de reposición */
  reposicionDays: number;
  /** business days to send the expediente to the SIC after confirming a denial */
  sicTransferDays: number;
  /** hours the operator has to give effect to silencio administrativo positivo */
  silenceEffectHours: number;
  /** Bogotá time ('HH:MM') from which a filing counts as received the next business day */
  businessDayEnd: string;
  /** business days a decision may go without proof of notification before the next step (e-mail, then aviso) */
  noProofDays: number;
}

export const DEFAULT_TERMS: Readonly<Terms> = Object.freeze({
  answerDays: 15,
  recursoDays: 10,
  reposicionDays: 15,
  sicTransferDays: 5,
  silenceEffectHours: 72,
  businessDayEnd: '17:00',
  noProofDays: 5,
});

/** CPACA art. 69: a published aviso stays up for five (business) days. */
export const AVISO_PUBLICATION_DAYS = 5;

export interface AnswerTerm {
  /** 00:00 Bogotá of the first business day of the term (day 1) */
  countedFrom: Date;
  /** 23:59:59.999 Bogotá of the last business day of the term */
  dueDate: Date;
}

export type TrafficLight = 'on_time' | 'due_soon' | 'overdue';

/** Business days left (today not counted) at or under which a case shows as due soon. */
export const DUE_SOON_BUSINESS_DAYS = 3;

const HOUR_MS = 3_600_000;

function minutesOfClock(hhmm: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new RangeError(`businessDayEnd must be HH:MM: ${hhmm}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/**
 * 00:00 Bogotá of the business day a filing counts as received. Filed on a weekend, a holiday,
 * or at/after businessDayEnd (the office day is over at 17:00, so 17:00:00 already is after
 * hours), it is received the next business day. The real timestamp is kept apart (filedAt).
 */
export function receptionDay(filedAt: Date, cal: BusinessCalendar, terms: Terms = DEFAULT_TERMS): Date {
  const inHours = bogotaMinutesOfDay(filedAt) < minutesOfClock(terms.businessDayEnd);
  if (inHours && cal.isBusinessDay(filedAt)) return startOfBogotaDay(filedAt);
  return cal.nextBusinessDay(filedAt);
}

/**
 * A term of `days` business days for something the operator receives from the user. The law
 * gives "los quince días siguientes a su recepción" (CPACA art. 14), and a Colombian term in
 * days does not count the day of the act that starts it (CGP art. 118: it runs from the day
 * after): so day 1 is the first business day after the reception day, and the term ends on
 * day `days`, which the operator has in full (until 23:59:59.999 Bogotá).
 * Filed Mon 2026-11-23 10:00 → received that Monday → day 1 Tue 11-24 → day 15 Tue 12-15
 * (12-08 is a holiday).
 */
function termAfterReception(filedAt: Date, days: number, cal: BusinessCalendar, terms: Terms): AnswerTerm {
  const received = receptionDay(filedAt, cal, terms);
  return {
    countedFrom: cal.nextBusinessDay(received),
    dueDate: endOfBogotaDay(cal.addBusinessDays(received, days)),
  };
}

/** The operator's term to answer a PQR (answerDays business days). */
export function answerTerm(filedAt: Date, cal: BusinessCalendar, terms: Terms = DEFAULT_TERMS): AnswerTerm {
  return termAfterReception(filedAt, terms.answerDays, cal, terms);
}

/**
 * Last moment to file a recurso de reposición: recursoDays business days after the
 * notification. The day of notification is not counted, whatever its hour, because the act
 * that starts the term is the operator's, not a filing that office hours apply to.
 */
export function recursoDeadline(notifiedAt: Date, cal: BusinessCalendar, terms: Terms = DEFAULT_TERMS): Date {
  return endOfBogotaDay(cal.addBusinessDays(notifiedAt, terms.recursoDays));
}

/** The operator's term to decide a recurso: counted like a PQR's answer term, from its filing. */
export function reposicionDueDate(recursoFiledAt: Date, cal: BusinessCalendar, terms: Terms = DEFAULT_TERMS): Date {
  return termAfterReception(recursoFiledAt, terms.reposicionDays, cal, terms).dueDate;
}

/** Last moment to send the expediente to the SIC after the reposición confirmed the denial. */
export function sicTransferDueDate(decidedAt: Date, cal: BusinessCalendar, terms: Terms = DEFAULT_TERMS): Date {
  return endOfBogotaDay(cal.addBusinessDays(decidedAt, terms.sicTransferDays));
}

/**
 * Silencio administrativo positivo must take effect within calendar hours, not business days,
 * counted from the end of the term that lapsed: not from when a scheduler noticed it, so an
 * outage moves only when the user is told, never the deadline.
 */
export function silenceEffectDeadline(termEnd: Date, terms: Terms = DEFAULT_TERMS): Date {
  return new Date(termEnd.getTime() + terms.silenceEffectHours * HOUR_MS);
}

/**
 * The one rule of silencio administrativo positivo, for every term the operator owes (the
 * answer, the decision of a recurso): the term has ended, and no proof of notification made
 * before its end exists. Answered on time but notified late is still lapsed; when the check
 * runs plays no part.
 */
export function isOverdue(term: { dueDate: Date; notifiedAt?: Date | null }, now: Date): boolean {
  if (now.getTime() <= term.dueDate.getTime()) return false;
  return !term.notifiedAt || term.notifiedAt.getTime() > term.dueDate.getTime();
}

/**
 * When a decision with no proof of notification moves to the next step of the fallback chain
 * (e-mail, then aviso): the end of the `noProofDays`-th business day after `since`.
 */
export function noProofDeadline(since: Date, cal: BusinessCalendar, terms: Terms = DEFAULT_TERMS): Date {
  return endOfBogotaDay(cal.addBusinessDays(since, terms.noProofDays));
}

/**
 * An aviso published on the web (CPACA art. 69): shown until the end of the 5th business day
 * after it was posted, and the notification counts at the end of the next business day after
 * it comes down.
 */
export function avisoTerm(postedAt: Date, cal: BusinessCalendar): { until: Date; notifiesAt: Date } {
  const until = endOfBogotaDay(cal.addBusinessDays(postedAt, AVISO_PUBLICATION_DAYS));
  return { until, notifiesAt: endOfBogotaDay(cal.nextBusinessDay(until)) };
}

/**
 * The back office's traffic light. Days left are the business days after today up to and
 * including the due day: due today = 0 left, due next business day = 1 left.
 */
export function trafficLight(dueDate: Date, now: Date, cal: BusinessCalendar): TrafficLight {
  if (now.getTime() > dueDate.getTime()) return 'overdue';
  return cal.businessDaysBetween(now, dueDate) <= DUE_SOON_BUSINESS_DAYS ? 'due_soon' : 'on_time';
}
