import type { Db } from '../storage';
import { bogotaDay, endOfBogotaDay, startOfBogotaDay, type BusinessCalendar, type HolidayEntry, type HolidayOverride } from './calendar';
import type { Clock } from './clock';
import { PqrActionError, type Actor } from './lifecycle';
import { OPEN_STATUSES } from './states';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_REASON = 200;

export interface HolidayChangeResult {
  override: HolidayOverride | null;
  /**
   * Open cases whose term (answer or reposición) spans the day: their due dates stay as they
   * were computed; only terms computed from now on use the change.
   */
  termsUnchanged: number;
}

export interface HolidayListing {
  year: number;
  holidays: (HolidayEntry & { source: 'library' | 'override' })[];
  overrides: HolidayOverride[];
  changes: { at: Date; actor: string; action: string; date: string; isHoliday: boolean | null; reason: string | null }[];
}

/**
 * Holiday overrides a supervisor adds or removes (a new law, a decreed day): the owner of the
 * HolidayOverride and HolidayChange tables. Each change is logged; every instance re-reads the
 * overrides when the latest change id moves (`refresh`, on a short interval), so none needs a
 * restart.
 */
export class HolidayOverrides {
  /** Id of the latest HolidayChange applied to the calendar; -1 before the first read. */
  private applied = -1;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly prisma: Db,
    private readonly clock: Clock,
    private readonly calendar: BusinessCalendar,
  ) {}

  /** Loads the overrides into the calendar if they changed since the last read; true when they did. */
  async refresh(): Promise<boolean> {
    const latest = (await this.prisma.holidayChange.findFirst({ orderBy: { id: 'desc' }, select: { id: true } }))?.id ?? 0;
    if (latest === this.applied) return false;
    this.calendar.setOverrides(await this.prisma.holidayOverride.findMany());
    this.applied = latest;
    return true;
  }

  start(intervalMs: number, onError: (error: unknown) => void): void {
    this.timer ??= setInterval(() => void this.refresh().catch(onError), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async list(year: number): Promise<HolidayListing> {
    if (!Number.isInteger(year) || year < 1990 || year > 2100) throw new PqrActionError('bad_request', 400, 'year must be from 1990 to 2100');
    await this.refresh();
    const overrides = this.calendar.overridesInForce();
    const added = new Set(overrides.filter((o) => o.isHoliday).map((o) => o.date));
    const holidays = this.calendar.holidaysOf(year).map((h) => ({ ...h, source: added.has(h.date) && !this.calendar.isLibraryHoliday(h.date) ? ('override' as const) : ('library' as const) }));
    const changes = await this.prisma.holidayChange.findMany({ where: { date: { startsWith: `${year}-` } }, orderBy: { id: 'desc' }, take: 200 });
    return {
      year,
      holidays,
      overrides: overrides.filter((o) => o.date.startsWith(`${year}-`)),
      changes: changes.map(({ at, actor, action, date, isHoliday, reason }) => ({ at, actor, action, date, isHoliday, reason })),
    };
  }

  /** Declares a day a holiday (isHoliday) or a working day despite the library (a holiday removed). */
  async set(input: { date: unknown; isHoliday: unknown; reason: unknown }, actor: Actor): Promise<HolidayChangeResult> {
    const date = validDate(input.date);
    if (typeof input.isHoliday !== 'boolean') throw new PqrActionError('bad_request', 400, '"isHoliday" must be true or false');
    const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
    if (!reason) throw new PqrActionError('bad_request', 400, '"reason" is required (the law or decree)');
    if (reason.length > MAX_REASON) throw new PqrActionError('bad_request', 400, `"reason" must be at most ${MAX_REASON} characters`);
    const override = { date, isHoliday: input.isHoliday, reason };
    await this.prisma.$transaction(async (tx) => {
      await tx.holidayOverride.upsert({ where: { date }, create: override, update: override });
      await tx.holidayChange.create({ data: { at: this.clock.now(), actor, action: input.isHoliday ? 'festivo_agregado' : 'festivo_quitado', date, isHoliday: override.isHoliday, reason } });
    });
    await this.refresh();
    return { override, termsUnchanged: await this.termsSpanning(date) };
  }

  /** Drops the override of a day: the library's list applies to it again. */
  async remove(dateInput: unknown, actor: Actor): Promise<HolidayChangeResult> {
    const date = validDate(dateInput);
    await this.prisma.$transaction(async (tx) => {
      const removed = await tx.holidayOverride.deleteMany({ where: { date } });
      if (removed.count === 0) throw new PqrActionError('not_found', 404, 'No override for that day');
      await tx.holidayChange.create({ data: { at: this.clock.now(), actor, action: 'ajuste_eliminado', date } });
    });
    await this.refresh();
    return { override: null, termsUnchanged: await this.termsSpanning(date) };
  }

  private async termsSpanning(date: string): Promise<number> {
    const start = startOfBogotaDay(date);
    const end = endOfBogotaDay(date);
    return this.prisma.pqr.count({
      where: {
        status: { in: [...OPEN_STATUSES] },
        OR: [
          { filedAt: { lte: end }, dueDate: { gte: start }, answeredAt: null },
          { recursoFiledAt: { lte: end }, recursoDueDate: { gte: start }, decidedAt: null },
        ],
      },
    });
  }
}

function validDate(value: unknown): string {
  if (typeof value !== 'string' || !DATE.test(value)) throw new PqrActionError('bad_request', 400, '"date" must be a day as YYYY-MM-DD');
  try {
    // Rejects days that do not exist (2026-02-30) the way the calendar does.
    if (bogotaDay(startOfBogotaDay(value)) !== value) throw new RangeError(value);
  } catch {
    throw new PqrActionError('bad_request', 400, '"date" is not a real day');
  }
  return value;
}
