import { AgentHours } from '../../src/handoff';
import { BusinessCalendar } from '../../src/pqr';

const hours = new AgentHours(new BusinessCalendar(), { hours: { from: 8 * 60, to: 18 * 60 } });
const withSaturdays = new AgentHours(new BusinessCalendar(), { hours: { from: 8 * 60, to: 18 * 60 }, saturdayHours: { from: 9 * 60, to: 13 * 60 } });

describe("agents' hours in Bogotá", () => {
  it.each([
    ['a Monday at 10:00', '2026-11-23T15:00:00Z', true],
    ['a Monday at 07:59', '2026-11-23T12:59:00Z', false],
    ['a Monday at 18:00 (closing time)', '2026-11-23T23:00:00Z', false],
    ['a Saturday at 10:00', '2026-11-28T15:00:00Z', false],
    ['8 December (Inmaculada Concepción, a Tuesday) at 10:00', '2026-12-08T15:00:00Z', false],
  ])('%s (%s): open is %s', (_case, instant, open) => {
    expect(hours.isOpen(new Date(instant))).toBe(open);
  });

  it('opens next on the first business day after a holiday', () => {
    // Monday 7 December 2026, 19:00: Tuesday is a holiday.
    expect(hours.nextOpening(new Date('2026-12-08T00:00:00Z')).toISOString()).toBe('2026-12-09T13:00:00.000Z');
  });

  it('opens the same morning before opening time, and on Monday after a weekend', () => {
    expect(hours.nextOpening(new Date('2026-11-23T11:00:00Z')).toISOString()).toBe('2026-11-23T13:00:00.000Z');
    expect(hours.nextOpening(new Date('2026-11-28T15:00:00Z')).toISOString()).toBe('2026-11-30T13:00:00.000Z');
  });

  it('works Saturdays that are not holidays when Saturday hours are set', () => {
    expect(withSaturdays.isOpen(new Date('2026-11-28T15:00:00Z'))).toBe(true);
    expect(withSaturdays.isOpen(new Date('2026-11-28T18:30:00Z'))).toBe(false);
    expect(withSaturdays.nextOpening(new Date('2026-11-28T02:00:00Z')).toISOString()).toBe('2026-11-28T14:00:00.000Z');
  });
});
