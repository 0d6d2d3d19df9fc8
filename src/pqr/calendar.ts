import type Holidays from 'date-holidays';
import TABLE from './holidays-co.json';

export const BOGOTA_TIME_ZONE = 'America/Bogota';
/**
 * Colombia has kept UTC-5 all year since 1993 (no daylight saving), so a fixed offset is exact
 * for every date this system handles and keeps due-date arithmetic free of Intl calls, which
 * matters because due dates are computed on every status lookup. A unit test cross-checks it
 * against Intl's America/Bogota.
 */
export const BOGOTA_UTC_OFFSET_MINUTES = -300;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const OFFSET_MS = BOGOTA_UTC_OFFSET_MINUTES * MINUTE_MS;
const DAY_KEY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** An instant (its Bogotá calendar day is meant) or a Bogotá calendar day as 'YYYY-MM-DD'. */
export type DayInput = Date | string;

/** A row of the HolidayOverride table: adds a holiday the library lacks or removes one it has. */
export interface HolidayOverride {
  date: string;
  isHoliday: boolean;
  reason: string;
}

export interface HolidayEntry {
  date: string;
  name: string;
}

/** Days since 1970-01-01 counted in Bogotá: the integer the calendar works with. */
function dayNumber(input: DayInput): number {
  if (typeof input === 'string') return dayNumberOfKey(input);
  const time = input.getTime();
  if (Number.isNaN(time)) throw new RangeError('Invalid date');
  return Math.floor((time + OFFSET_MS) / DAY_MS);
}

function dayNumberOfKey(key: string): number {
  const m = DAY_KEY.exec(key);
  if (!m) throw new RangeError(`Expected a day as YYYY-MM-DD: ${key}`);
  const time = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC rolls 2026-02-30 over to March; a day that does not exist is a typo, not a date.
  if (new Date(time).toISOString().slice(0, 10) !== key) throw new RangeError(`No such day: ${key}`);
  return time / DAY_MS;
}

function keyOfDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function yearOfDayNumber(day: number): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

function startOfDayNumber(day: number): Date {
  return new Date(day * DAY_MS - OFFSET_MS);
}

function isWeekend(day: number): boolean {
  const weekday = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
  return weekday === 0 || weekday === 6;
}

/** The Bogotá calendar day of an instant, as 'YYYY-MM-DD'. */
export function bogotaDay(instant: Date): string {
  return keyOfDayNumber(dayNumber(instant));
}

/** 00:00:00.000 in Bogotá of the given day. */
export function startOfBogotaDay(day: DayInput): Date {
  return startOfDayNumber(dayNumber(day));
}

/** 23:59:59.999 in Bogotá of the given day: a term that ends on a day lasts the whole day. */
export function endOfBogotaDay(day: DayInput): Date {
  return new Date(startOfDayNumber(dayNumber(day) + 1).getTime() - 1);
}

/** Minutes since Bogotá midnight (0–1439) of an instant. */
export function bogotaMinutesOfDay(instant: Date): number {
  const time = instant.getTime();
  if (Number.isNaN(time)) throw new RangeError('Invalid date');
  const msOfDay = (((time + OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS;
  return Math.floor(msOfDay / MINUTE_MS);
}

let library: Holidays | undefined;
const libraryCache = new Map<number, readonly HolidayEntry[]>();
const TABLE_YEARS: Readonly<Record<string, readonly HolidayEntry[]>> = TABLE.years;

/**
 * National holidays of a year from the pinned library; shared by every calendar instance. The
 * years of holidays-co.json (written from the same library by `npm run holidays:table`, checked
 * against it by a test) are read from there: the library itself (≈6 MiB of heap) is loaded only
 * for a year outside the table.
 */
function libraryHolidays(year: number): readonly HolidayEntry[] {
  let entries = libraryCache.get(year) ?? TABLE_YEARS[year];
  if (!entries) {
    library ??= new (require('date-holidays') as typeof import('date-holidays').default)('CO');
    entries = library
      .getHolidays(year)
      .filter((h) => h.type === 'public')
      .map((h) => ({ date: h.date.slice(0, 10), name: h.name }));
    libraryCache.set(year, entries);
  }
  return entries;
}

/**
 * Business days in America/Bogota: Monday to Friday minus Colombian national holidays
 * (date-holidays, pinned) corrected by the HolidayOverride table.
 */
export class BusinessCalendar {
  private readonly overrides = new Map<string, HolidayOverride>();
  private readonly listsByYear = new Map<number, readonly HolidayEntry[]>();
  private readonly setsByYear = new Map<number, ReadonlySet<number>>();

  constructor(overrides: readonly HolidayOverride[] = []) {
    this.setOverrides(overrides);
  }

  /**
   * Replaces the override table's rows (a supervisor added or removed a holiday). Terms computed
   * before keep their stored dates; everything computed from now on uses the new list.
   */
  setOverrides(overrides: readonly HolidayOverride[]): void {
    for (const override of overrides) dayNumberOfKey(override.date);
    this.overrides.clear();
    for (const override of overrides) this.overrides.set(override.date, override);
    this.listsByYear.clear();
    this.setsByYear.clear();
  }

  /** The overrides in force, by date. */
  overridesInForce(): HolidayOverride[] {
    return [...this.overrides.values()].sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
  }

  /** Whether the pinned library lists a national holiday on this day ('YYYY-MM-DD'). */
  isLibraryHoliday(date: string): boolean {
    const day = dayNumberOfKey(date);
    return libraryHolidays(yearOfDayNumber(day)).some((h) => h.date === date);
  }

  /** The holidays of a year, sorted by date; two holidays on one day are both listed. */
  holidaysOf(year: number): HolidayEntry[] {
    return this.holidayList(year).map((h) => ({ ...h }));
  }

  isHoliday(day: DayInput): boolean {
    return this.isHolidayNumber(dayNumber(day));
  }

  isBusinessDay(day: DayInput): boolean {
    return this.isBusinessDayNumber(dayNumber(day));
  }

  /** Start (00:00 Bogotá) of the first business day strictly after the instant's day. */
  nextBusinessDay(instant: DayInput): Date {
    return this.addBusinessDays(instant, 1);
  }

  /**
   * Start (00:00 Bogotá) of the n-th business day after startDay's day, startDay itself not
   * counted: n = 1 is the next business day, n = 0 is startDay's own day.
   */
  addBusinessDays(startDay: DayInput, n: number): Date {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`Business days must be a whole number ≥ 0: ${n}`);
    let day = dayNumber(startDay);
    for (let left = n; left > 0; ) {
      day += 1;
      if (this.isBusinessDayNumber(day)) left -= 1;
    }
    return startOfDayNumber(day);
  }

  /**
   * Business days after a's day up to and including b's day, so that
   * businessDaysBetween(a, addBusinessDays(a, n)) === n; negative when b's day is before a's.
   */
  businessDaysBetween(a: DayInput, b: DayInput): number {
    const from = dayNumber(a);
    const to = dayNumber(b);
    if (to < from) return -this.businessDaysBetween(b, a);
    let count = 0;
    for (let day = from + 1; day <= to; day += 1) {
      if (this.isBusinessDayNumber(day)) count += 1;
    }
    return count;
  }

  private isBusinessDayNumber(day: number): boolean {
    return !isWeekend(day) && !this.isHolidayNumber(day);
  }

  private isHolidayNumber(day: number): boolean {
    return this.holidaySet(yearOfDayNumber(day)).has(day);
  }

  private holidaySet(year: number): ReadonlySet<number> {
    let set = this.setsByYear.get(year);
    if (!set) {
      set = new Set(this.holidayList(year).map((h) => dayNumberOfKey(h.date)));
      this.setsByYear.set(year, set);
    }
    return set;
  }

  private holidayList(year: number): readonly HolidayEntry[] {
    let list = this.listsByYear.get(year);
    if (!list) {
      list = this.applyOverrides(year, libraryHolidays(year));
      this.listsByYear.set(year, list);
    }
    return list;
  }

  private applyOverrides(year: number, official: readonly HolidayEntry[]): HolidayEntry[] {
    const prefix = `${String(year).padStart(4, '0')}-`;
    const yearOverrides = [...this.overrides.values()].filter((o) => o.date.startsWith(prefix));
    const removed = new Set(yearOverrides.filter((o) => !o.isHoliday).map((o) => o.date));
    const list = official.filter((h) => !removed.has(h.date));
    for (const o of yearOverrides) {
      if (o.isHoliday && !list.some((h) => h.date === o.date)) list.push({ date: o.date, name: o.reason });
    }
    return list.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
  }
}
