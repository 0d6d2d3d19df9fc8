import { BusinessCalendar, bogotaDay } from '../../src/pqr/calendar';
import { FixedClock, systemClock } from '../../src/pqr/clock';
import { formatDateEs } from '../../src/pqr/dates-es';
import {
  DEFAULT_TERMS,
  answerTerm,
  isOverdue,
  receptionDay,
  recursoDeadline,
  reposicionDueDate,
  sicTransferDueDate,
  silenceEffectDeadline,
  trafficLight,
} from '../../src/pqr/terms';

const cal = new BusinessCalendar();
const bogota = (local: string) => new Date(`${local}-05:00`);
const endOf = (day: string) => new Date(`${day}T23:59:59.999-05:00`);
const startOf = (day: string) => new Date(`${day}T00:00:00-05:00`);

describe('receptionDay', () => {
  it.each([
    ['a business day in office hours', '2026-11-23T10:00:00', '2026-11-23'],
    ['one minute before the end of the day', '2026-11-23T16:59:59', '2026-11-23'],
    ['at 17:00 sharp', '2026-11-23T17:00:00', '2026-11-24'],
    ['at 18:30', '2026-11-23T18:30:00', '2026-11-24'],
    ['on a Saturday', '2026-11-28T10:00:00', '2026-11-30'],
    ['on a Friday evening before a long weekend', '2026-07-10T18:00:00', '2026-07-14'],
    ['on a holiday', '2026-12-08T10:00:00', '2026-12-09'],
    ['on New Year’s Eve after hours', '2026-12-31T20:00:00', '2027-01-04'],
  ])('filed %s (%s) → received %s', (_label, filed, received) => {
    expect(receptionDay(bogota(filed), cal, DEFAULT_TERMS)).toEqual(startOf(received));
  });

  it('follows a configured end of the business day', () => {
    const late = { ...DEFAULT_TERMS, businessDayEnd: '18:00' };
    expect(bogotaDay(receptionDay(bogota('2026-11-23T17:30:00'), cal, late))).toBe('2026-11-23');
    expect(() => receptionDay(bogota('2026-11-23T10:00:00'), cal, { ...DEFAULT_TERMS, businessDayEnd: '5pm' })).toThrow(RangeError);
  });
});

describe('answerTerm: 15 business days counted from the business day after reception', () => {
  it.each([
    // Day 1 Tue 11-24 … 12-08 is a holiday … day 15 Tue 12-15.
    ['Monday morning', '2026-11-23T10:00:00', '2026-11-24', '2026-12-15'],
    // Received Tue 11-24: one business day later.
    ['Monday 18:30', '2026-11-23T18:30:00', '2026-11-25', '2026-12-16'],
    // Received Mon 11-30, day 1 Tue 12-01, 12-08 skipped.
    ['Saturday', '2026-11-28T11:00:00', '2026-12-01', '2026-12-22'],
    // Day 1 Mon 12-07, then the 12-08 and 12-25 holidays.
    ['Friday 2026-12-04', '2026-12-04T10:00:00', '2026-12-07', '2026-12-29'],
    // Received on the holiday → Wed 12-09, day 1 Thu 12-10.
    ['on the 12-08 holiday', '2026-12-08T09:00:00', '2026-12-10', '2026-12-31'],
    // Day 1 skips the new Monday 07-13 holiday (Ley 2578) and later 07-20.
    ['Friday 2026-07-10', '2026-07-10T09:00:00', '2026-07-14', '2026-08-04'],
    // Crosses Navidad, Año Nuevo and Reyes (2027-01-11).
    ['Wednesday 2026-12-23', '2026-12-23T11:00:00', '2026-12-24', '2027-01-18'],
  ])('filed %s (%s) → counted from %s, due %s', (_label, filed, countedFrom, due) => {
    expect(answerTerm(bogota(filed), cal, DEFAULT_TERMS)).toEqual({ countedFrom: startOf(countedFrom), dueDate: endOf(due) });
  });

  it('ends at 23:59:59.999 Bogotá of day 15, which formats as that day', () => {
    const { dueDate } = answerTerm(bogota('2026-11-23T10:00:00'), cal);
    expect(dueDate.toISOString()).toBe('2026-12-16T04:59:59.999Z');
    expect(formatDateEs(dueDate)).toBe('15 de diciembre de 2026');
  });

  it('is one day shorter if the 07-13 holiday is overridden away', () => {
    const without = new BusinessCalendar([{ date: '2026-07-13', isHoliday: false, reason: 'test' }]);
    const term = answerTerm(bogota('2026-07-10T09:00:00'), without);
    expect(term).toEqual({ countedFrom: startOf('2026-07-13'), dueDate: endOf('2026-08-03') });
  });

  it('uses the configured number of days', () => {
    const { dueDate } = answerTerm(bogota('2026-11-23T10:00:00'), cal, { ...DEFAULT_TERMS, answerDays: 1 });
    expect(dueDate).toEqual(endOf('2026-11-24'));
  });
});

describe('recurso, reposición and SIC terms', () => {
  it('recursoDeadline: 10 business days after notification, whatever its hour', () => {
    // Day 1 Wed 12-16 … 12-25 skipped … day 10 Wed 12-30.
    expect(recursoDeadline(bogota('2026-12-15T14:00:00'), cal)).toEqual(endOf('2026-12-30'));
    expect(recursoDeadline(bogota('2026-12-15T21:00:00'), cal)).toEqual(endOf('2026-12-30'));
    // Notified on a Saturday: day 1 is Monday.
    expect(recursoDeadline(bogota('2026-11-28T09:00:00'), cal)).toEqual(endOf('2026-12-14'));
  });

  it('reposicionDueDate: 15 business days, counted like a filing', () => {
    // Received Wed 12-30; day 1 Thu 12-31, Jan 1 and Jan 11 2027 skipped, day 15 Fri 2027-01-22.
    expect(reposicionDueDate(bogota('2026-12-30T16:00:00'), cal)).toEqual(endOf('2027-01-22'));
    // Filed after hours: received Thu 12-31, one business day later.
    expect(reposicionDueDate(bogota('2026-12-30T17:30:00'), cal)).toEqual(endOf('2027-01-25'));
  });

  it('sicTransferDueDate: 5 business days after the decision, across Semana Santa', () => {
    expect(sicTransferDueDate(bogota('2027-01-22T10:00:00'), cal)).toEqual(endOf('2027-01-29'));
    // 03-19 (1), 03-22 San José, 03-23 (2), 03-24 (3), 03-25/26 Jueves/Viernes Santo, 03-29 (4), 03-30 (5).
    expect(sicTransferDueDate(bogota('2027-03-18T10:00:00'), cal)).toEqual(endOf('2027-03-30'));
    expect(sicTransferDueDate(bogota('2027-01-22T10:00:00'), cal, { ...DEFAULT_TERMS, sicTransferDays: 3 })).toEqual(endOf('2027-01-27'));
  });

  it('silenceEffectDeadline: 72 calendar hours, weekends included', () => {
    expect(silenceEffectDeadline(bogota('2026-12-16T00:00:00'))).toEqual(bogota('2026-12-19T00:00:00'));
    expect(silenceEffectDeadline(bogota('2026-12-16T00:00:00'), { ...DEFAULT_TERMS, silenceEffectHours: 24 })).toEqual(bogota('2026-12-17T00:00:00'));
  });
});

describe('isOverdue', () => {
  const dueDate = endOf('2026-12-15');

  it('is false before the due date without an answer', () => {
    expect(isOverdue({ dueDate, notifiedAt: null }, bogota('2026-12-15T23:00:00'))).toBe(false);
    expect(isOverdue({ dueDate, notifiedAt: null }, dueDate)).toBe(false);
  });

  it('is true once the due date passed without notification', () => {
    expect(isOverdue({ dueDate, notifiedAt: null }, bogota('2026-12-16T00:00:00'))).toBe(true);
    expect(isOverdue({ dueDate }, bogota('2027-01-10T00:00:00'))).toBe(true);
  });

  it('depends on the notification time once notified', () => {
    expect(isOverdue({ dueDate, notifiedAt: bogota('2026-12-15T20:00:00') }, bogota('2027-01-10T00:00:00'))).toBe(false);
    expect(isOverdue({ dueDate, notifiedAt: bogota('2026-12-16T08:00:00') }, bogota('2026-12-16T09:00:00'))).toBe(true);
  });
});

describe('trafficLight', () => {
  const dueDate = endOf('2026-12-15');

  it.each([
    ['2026-12-01T10:00:00', 'on_time'],
    ['2026-12-09T10:00:00', 'on_time'], // 12-10, 11, 14, 15 left: 4
    ['2026-12-10T10:00:00', 'due_soon'], // 12-11, 14, 15 left: 3
    ['2026-12-12T10:00:00', 'due_soon'], // Saturday: 12-14, 15 left
    ['2026-12-15T23:59:59.999', 'due_soon'],
    ['2026-12-16T00:00:00', 'overdue'],
  ])('at %s → %s', (now, light) => {
    expect(trafficLight(dueDate, bogota(now), cal)).toBe(light);
  });

  it('counts business days, so a holiday keeps a case on time longer', () => {
    // From 12-04: 12-07, (12-08 holiday), 12-09 … only 3 business days up to 12-10.
    expect(trafficLight(endOf('2026-12-10'), bogota('2026-12-04T10:00:00'), cal)).toBe('due_soon');
    expect(trafficLight(endOf('2026-12-10'), bogota('2026-12-03T10:00:00'), cal)).toBe('on_time');
  });
});

describe('deadlines against a settable clock', () => {
  it('moves a case from on time to overdue as the FixedClock advances', () => {
    const clock = new FixedClock(bogota('2026-11-23T10:00:00'));
    const { dueDate } = answerTerm(clock.now(), cal);
    const lights: string[] = [];
    for (let day = 0; day < 24; day += 1) {
      lights.push(trafficLight(dueDate, clock.now(), cal));
      clock.advanceDays(1);
    }
    expect(lights.indexOf('due_soon')).toBe(17); // Thu 12-10
    expect(lights.indexOf('overdue')).toBe(23); // Wed 12-16
    clock.set('2026-12-15T23:00:00-05:00');
    expect(isOverdue({ dueDate, notifiedAt: null }, clock.now())).toBe(false);
    clock.advanceHours(1);
    expect(isOverdue({ dueDate, notifiedAt: null }, clock.now())).toBe(true);
    clock.advance(-1);
    expect(clock.now()).toEqual(dueDate);
  });

  it('returns a fresh Date each time and rejects invalid instants', () => {
    const clock = new FixedClock('2026-11-23T15:00:00Z');
    clock.now().setTime(0);
    expect(clock.now().toISOString()).toBe('2026-11-23T15:00:00.000Z');
    expect(() => new FixedClock('not a date')).toThrow(RangeError);
    expect(Math.abs(systemClock.now().getTime() - Date.now())).toBeLessThan(1000);
  });
});
