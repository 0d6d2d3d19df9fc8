import { bogotaDay, bogotaMinutesOfDay, startOfBogotaDay, type BusinessCalendar } from '../pqr/calendar';

export interface OpeningHours {
  /** Minutes of the Bogotá day, on business days. */
  hours: { from: number; to: number };
  /** On Saturdays that are not holidays, when agents work them. */
  saturdayHours?: { from: number; to: number };
}

const DAY_MS = 86_400_000;
/** Far enough to cross any run of holidays and weekends. */
const LOOKAHEAD_DAYS = 14;

/** When agents are at work: business days of the calendar (holidays included) in America/Bogota. */
export class AgentHours {
  constructor(
    private readonly calendar: BusinessCalendar,
    private readonly settings: OpeningHours,
  ) {}

  isOpen(now: Date): boolean {
    const range = this.rangeOf(bogotaDay(now));
    const minute = bogotaMinutesOfDay(now);
    return !!range && minute >= range.from && minute < range.to;
  }

  /** The next time agents start work, after `now` (or `now` itself when they are at work). */
  nextOpening(now: Date): Date {
    if (this.isOpen(now)) return now;
    const today = startOfBogotaDay(now);
    for (let offset = 0; offset <= LOOKAHEAD_DAYS; offset++) {
      const day = bogotaDay(new Date(today.getTime() + offset * DAY_MS + 12 * 3_600_000));
      const range = this.rangeOf(day);
      if (!range) continue;
      const opening = new Date(startOfBogotaDay(day).getTime() + range.from * 60_000);
      if (opening > now) return opening;
    }
    throw new Error(`no opening hours in the next ${LOOKAHEAD_DAYS} days`);
  }

  private rangeOf(day: string): { from: number; to: number } | undefined {
    if (this.calendar.isBusinessDay(day)) return this.settings.hours;
    const saturday = new Date(`${day}T12:00:00Z`).getUTCDay() === 6;
    return saturday && !this.calendar.isHoliday(day) ? this.settings.saturdayHours : undefined;
  }
}
