import { BOGOTA_TIME_ZONE } from './calendar';

/** The languages the bot speaks; es-CO is the default. */
export type DateLocale = 'es-CO' | 'en';

function formatter(locale: DateLocale, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(locale, { timeZone: BOGOTA_TIME_ZONE, ...options });
}

// Built once: DateTimeFormat construction is the expensive part of formatting.
const DATE_FORMATS: Record<DateLocale, Intl.DateTimeFormat> = {
  'es-CO': formatter('es-CO', { day: 'numeric', month: 'long', year: 'numeric' }),
  en: formatter('en', { day: 'numeric', month: 'long', year: 'numeric' }),
};
const TIME_FORMATS: Record<DateLocale, Intl.DateTimeFormat> = {
  'es-CO': formatter('es-CO', { hour: 'numeric', minute: '2-digit' }),
  en: formatter('en', { hour: 'numeric', minute: '2-digit' }),
};

/** ICU puts no-break and narrow no-break spaces in "a. m."/"AM"; chat channels want plain ones. */
function plainSpaces(text: string): string {
  return text.replace(/[\u00a0\u202f]/g, ' ');
}

/** The Bogotá calendar day: "15 de diciembre de 2026" / "December 15, 2026". */
export function formatDate(date: Date, locale: DateLocale = 'es-CO'): string {
  return plainSpaces(DATE_FORMATS[locale].format(date));
}

/**
 * Day and Bogotá time: "15 de diciembre de 2026, 10:30 a. m." / "December 15, 2026, 10:30 AM".
 * Joined by hand because ICU versions disagree on the connector ("a las", "at", ",").
 */
export function formatDateTime(date: Date, locale: DateLocale = 'es-CO'): string {
  return `${formatDate(date, locale)}, ${plainSpaces(TIME_FORMATS[locale].format(date))}`;
}

export function formatDateEs(date: Date): string {
  return formatDate(date, 'es-CO');
}

export function formatDateTimeEs(date: Date): string {
  return formatDateTime(date, 'es-CO');
}

export function formatDateEn(date: Date): string {
  return formatDate(date, 'en');
}

export function formatDateTimeEn(date: Date): string {
  return formatDateTime(date, 'en');
}
