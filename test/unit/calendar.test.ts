import fc from 'fast-check';
import {
  BOGOTA_UTC_OFFSET_MINUTES,
  BusinessCalendar,
  bogotaDay,
  bogotaMinutesOfDay,
  endOfBogotaDay,
  startOfBogotaDay,
} from '../../src/pqr/calendar';

// /work/shared/docs/holidays-co.md, the official lists (Easter Sunday, which the library also
// lists, is left out: it is a Sunday anyway).
const OFFICIAL: Record<number, string[]> = {
  2025: [
    '01-01', '01-06', '03-24', '04-17', '04-18', '05-01', '06-02', '06-23', '06-30', '06-30',
    '07-20', '08-07', '08-18', '10-13', '11-03', '11-17', '12-08', '12-25',
  ],
  2026: [
    '01-01', '01-12', '03-23', '04-02', '04-03', '05-01', '05-18', '06-08', '06-15', '06-29',
    '07-13', '07-20', '08-07', '08-17', '10-12', '11-02', '11-16', '12-08', '12-25',
  ],
  2027: [
    '01-01', '01-11', '03-22', '03-25', '03-26', '05-01', '05-10', '05-31', '06-07', '07-05',
    '07-12', '07-20', '08-07', '08-16', '10-18', '11-01', '11-15', '12-08', '12-25',
  ],
};
const EASTER_SUNDAY: Record<number, string> = { 2025: '2025-04-20', 2026: '2026-04-05', 2027: '2027-03-28' };

const cal = new BusinessCalendar();

function daysOfYear(year: number): string[] {
  const days: string[] = [];
  for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

describe('Colombian holidays 2025–2027 (holidays-co.md)', () => {
  it.each([2025, 2026, 2027])('holidaysOf(%i) lists exactly the official holidays', (year) => {
    const listed = cal
      .holidaysOf(year)
      .map((h) => h.date)
      .filter((d) => d !== EASTER_SUNDAY[year]);
    expect(listed).toEqual(OFFICIAL[year].map((md) => `${year}-${md}`));
  });

  it.each([2025, 2026, 2027])('isHoliday(%i) is true on those days and on no other', (year) => {
    const official = new Set(OFFICIAL[year].map((md) => `${year}-${md}`));
    official.add(EASTER_SUNDAY[year]);
    const holidays = daysOfYear(year).filter((d) => cal.isHoliday(d));
    expect(holidays).toEqual([...official].sort());
  });

  it('has the Virgen de Chiquinquirá of Ley 2578 de 2026 from 2026 on, not before', () => {
    expect(cal.holidaysOf(2026).find((h) => h.date === '2026-07-13')?.name).toMatch(/Chiquinquir/);
    expect(cal.holidaysOf(2027).find((h) => h.date === '2027-07-12')?.name).toMatch(/Chiquinquir/);
    expect(cal.holidaysOf(2025).some((h) => /Chiquinquir/.test(h.name))).toBe(false);
    expect(cal.isBusinessDay('2026-07-13')).toBe(false);
  });

  it('lists both holidays that fall on 2025-06-30', () => {
    expect(cal.holidaysOf(2025).filter((h) => h.date === '2025-06-30')).toHaveLength(2);
  });

  it('counts 242 business days in 2026 (261 weekdays, 19 holidays all on weekdays)', () => {
    expect(cal.businessDaysBetween('2025-12-31', '2026-12-31')).toBe(242);
  });

  it('returns copies, so a caller cannot corrupt the cache', () => {
    cal.holidaysOf(2026).splice(0);
    expect(cal.holidaysOf(2026)).toHaveLength(20);
  });
});

describe('weekends and Bogotá days', () => {
  it('Saturday and Sunday are not business days and not holidays', () => {
    expect(cal.isBusinessDay('2026-11-28')).toBe(false);
    expect(cal.isBusinessDay('2026-11-29')).toBe(false);
    expect(cal.isHoliday('2026-11-28')).toBe(false);
    expect(cal.isBusinessDay('2026-11-27')).toBe(true);
  });

  it('takes the Bogotá day of an instant, not the UTC day', () => {
    const fridayNight = new Date('2026-11-27T23:30:00-05:00'); // already Saturday in UTC
    expect(fridayNight.toISOString().slice(0, 10)).toBe('2026-11-28');
    expect(bogotaDay(fridayNight)).toBe('2026-11-27');
    expect(cal.isBusinessDay(fridayNight)).toBe(true);
    expect(bogotaMinutesOfDay(fridayNight)).toBe(23 * 60 + 30);
  });

  it('agrees with Intl America/Bogota over 2025–2027 (the fixed UTC-5 offset holds)', () => {
    expect(BOGOTA_UTC_OFFSET_MINUTES).toBe(-300);
    const intl = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Bogota', year: 'numeric', month: '2-digit', day: '2-digit' });
    for (let t = Date.UTC(2025, 0, 1); t < Date.UTC(2028, 0, 1); t += 7 * 3_600_000 + 13 * 60_000) {
      const instant = new Date(t);
      expect(bogotaDay(instant)).toBe(intl.format(instant));
    }
  });

  it('gives the start and the end of a Bogotá day', () => {
    expect(startOfBogotaDay('2026-12-15').toISOString()).toBe('2026-12-15T05:00:00.000Z');
    expect(endOfBogotaDay('2026-12-15').toISOString()).toBe('2026-12-16T04:59:59.999Z');
    expect(endOfBogotaDay(new Date('2026-12-15T00:00:00-05:00')).toISOString()).toBe('2026-12-16T04:59:59.999Z');
  });

  it('rejects malformed or impossible days', () => {
    expect(() => cal.isHoliday('2026-02-30')).toThrow(RangeError);
    expect(() => cal.isHoliday('15/12/2026')).toThrow(RangeError);
    expect(() => cal.isHoliday(new Date('nope'))).toThrow(RangeError);
  });
});

describe('business-day arithmetic', () => {
  it('nextBusinessDay is strictly after the instant’s day, skipping weekends and holidays', () => {
    expect(cal.nextBusinessDay(new Date('2026-11-23T10:00:00-05:00')).toISOString()).toBe('2026-11-24T05:00:00.000Z');
    expect(bogotaDay(cal.nextBusinessDay(new Date('2026-11-27T16:00:00-05:00')))).toBe('2026-11-30');
    expect(bogotaDay(cal.nextBusinessDay('2026-12-07'))).toBe('2026-12-09');
    expect(bogotaDay(cal.nextBusinessDay('2026-07-10'))).toBe('2026-07-14');
    expect(bogotaDay(cal.nextBusinessDay('2026-12-31'))).toBe('2027-01-04');
  });

  it('addBusinessDays counts days after the start day; 0 stays on it', () => {
    expect(bogotaDay(cal.addBusinessDays('2026-11-23', 15))).toBe('2026-12-15');
    expect(bogotaDay(cal.addBusinessDays('2026-12-23', 5))).toBe('2026-12-31');
    expect(bogotaDay(cal.addBusinessDays('2026-12-23', 6))).toBe('2027-01-04');
    expect(bogotaDay(cal.addBusinessDays('2026-11-28', 0))).toBe('2026-11-28');
    expect(() => cal.addBusinessDays('2026-11-23', -1)).toThrow(RangeError);
    expect(() => cal.addBusinessDays('2026-11-23', 1.5)).toThrow(RangeError);
  });

  it('businessDaysBetween counts (a, b] and is signed', () => {
    expect(cal.businessDaysBetween('2026-11-23', '2026-12-15')).toBe(15);
    expect(cal.businessDaysBetween('2026-12-15', '2026-11-23')).toBe(-15);
    expect(cal.businessDaysBetween('2026-12-15', '2026-12-15')).toBe(0);
    expect(cal.businessDaysBetween('2026-12-07', '2026-12-08')).toBe(0);
  });

  it('businessDaysBetween inverts addBusinessDays, which always lands on a business day', () => {
    const start = Date.UTC(2024, 11, 1);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 * 366 }), fc.integer({ min: 0, max: 12 * 60 }), fc.integer({ min: 0, max: 60 }), (dayOffset, minutes, n) => {
        const from = new Date(start + dayOffset * 86_400_000 + minutes * 60_000);
        const to = cal.addBusinessDays(from, n);
        expect(cal.businessDaysBetween(from, to)).toBe(n);
        if (n > 0) expect(cal.isBusinessDay(to)).toBe(true);
      }),
    );
  });
});

describe('holiday overrides', () => {
  const overridden = new BusinessCalendar([
    { date: '2026-03-19', isHoliday: true, reason: 'Día cívico (decreto)' },
    { date: '2026-07-13', isHoliday: false, reason: 'Ley declarada inexequible' },
    { date: '2026-12-25', isHoliday: true, reason: 'Ya es festivo' },
  ]);

  it('adds a holiday the library lacks, with its reason as name', () => {
    expect(overridden.isHoliday('2026-03-19')).toBe(true);
    expect(overridden.isBusinessDay('2026-03-19')).toBe(false);
    expect(overridden.holidaysOf(2026)).toContainEqual({ date: '2026-03-19', name: 'Día cívico (decreto)' });
    expect(bogotaDay(overridden.nextBusinessDay('2026-03-18'))).toBe('2026-03-20');
  });

  it('removes a library holiday', () => {
    expect(overridden.isHoliday('2026-07-13')).toBe(false);
    expect(overridden.isBusinessDay('2026-07-13')).toBe(true);
    expect(overridden.holidaysOf(2026).some((h) => h.date === '2026-07-13')).toBe(false);
    expect(bogotaDay(overridden.nextBusinessDay('2026-07-10'))).toBe('2026-07-13');
  });

  it('does not duplicate a holiday the library already has', () => {
    expect(overridden.holidaysOf(2026).filter((h) => h.date === '2026-12-25')).toHaveLength(1);
  });

  it('keeps the list sorted and leaves other calendars untouched', () => {
    const dates = overridden.holidaysOf(2026).map((h) => h.date);
    expect(dates).toEqual([...dates].sort());
    expect(cal.isHoliday('2026-03-19')).toBe(false);
    expect(cal.isHoliday('2026-07-13')).toBe(true);
  });

  it('rejects an override with a malformed date', () => {
    expect(() => new BusinessCalendar([{ date: '2026-13-01', isHoliday: true, reason: 'x' }])).toThrow(RangeError);
  });
});
