import Holidays from 'date-holidays';
import TABLE from '../../src/pqr/holidays-co.json';

/**
 * src/pqr/holidays-co.json spares the server loading date-holidays at start; it must say exactly
 * what the pinned library says. After upgrading date-holidays, `npm run holidays:table` rewrites it.
 */
describe('the holiday table', () => {
  const library = new Holidays('CO');
  const years = Object.keys(TABLE.years).map(Number);

  test('covers the years a start and the reports need, without gaps', () => {
    const now = new Date().getUTCFullYear();
    expect(Math.min(...years)).toBeLessThanOrEqual(2020);
    expect(Math.max(...years)).toBeGreaterThanOrEqual(now + 10);
    expect(years.length).toBe(Math.max(...years) - Math.min(...years) + 1);
  });

  test('is what the pinned date-holidays says, year by year', () => {
    for (const year of years) {
      const fromLibrary = library
        .getHolidays(year)
        .filter((h) => h.type === 'public')
        .map((h) => ({ date: h.date.slice(0, 10), name: h.name }));
      expect({ year, holidays: TABLE.years[String(year) as keyof typeof TABLE.years] }).toEqual({ year, holidays: fromLibrary });
    }
  });
});
