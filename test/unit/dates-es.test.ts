import {
  formatDate,
  formatDateEn,
  formatDateEs,
  formatDateTime,
  formatDateTimeEn,
  formatDateTimeEs,
} from '../../src/pqr/dates-es';

describe('dates for users, in Bogotá time', () => {
  const dueDate = new Date('2026-12-15T23:59:59.999-05:00'); // 2026-12-16 in UTC

  it('writes the day out in Spanish and in English', () => {
    expect(formatDateEs(dueDate)).toBe('15 de diciembre de 2026');
    expect(formatDateEn(dueDate)).toBe('December 15, 2026');
    expect(formatDate(dueDate, 'es-CO')).toBe('15 de diciembre de 2026');
    expect(formatDate(dueDate, 'en')).toBe('December 15, 2026');
    expect(formatDate(dueDate)).toBe('15 de diciembre de 2026');
  });

  it('uses the Bogotá day, not the UTC or server day', () => {
    const lateEvening = new Date('2026-12-31T21:00:00-05:00');
    expect(lateEvening.toISOString().slice(0, 10)).toBe('2027-01-01');
    expect(formatDateEs(lateEvening)).toBe('31 de diciembre de 2026');
    expect(formatDateEs(new Date('2027-01-01T00:00:00-05:00'))).toBe('1 de enero de 2027');
  });

  it('adds the Bogotá time with plain spaces', () => {
    const filedAt = new Date('2026-11-23T15:05:00Z');
    expect(formatDateTimeEs(filedAt)).toBe('23 de noviembre de 2026, 10:05 a. m.');
    expect(formatDateTimeEn(filedAt)).toBe('November 23, 2026, 10:05 AM');
    expect(formatDateTime(new Date('2026-11-23T18:30:00-05:00'), 'es-CO')).toBe('23 de noviembre de 2026, 6:30 p. m.');
    expect(formatDateTime(new Date('2026-11-23T18:30:00-05:00'), 'en')).toBe('November 23, 2026, 6:30 PM');
    expect(formatDateTime(filedAt)).not.toMatch(/[\u00a0\u202f]/);
  });

  it('names every month in Spanish', () => {
    const months = Array.from({ length: 12 }, (_, m) => formatDateEs(new Date(Date.UTC(2026, m, 10, 17))).split(' ')[2]);
    expect(months).toEqual([
      'enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio',
      'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre',
    ]);
  });
});
