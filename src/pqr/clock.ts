/** The source of "now" for everything that depends on deadlines, so tests can move time. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = {
  now: () => new Date(),
};

/** A clock that only moves when told to: deadlines are tested without waiting. */
export class FixedClock implements Clock {
  private current: number;

  constructor(start: Date | string) {
    this.current = toTime(start);
  }

  now(): Date {
    return new Date(this.current);
  }

  set(instant: Date | string): void {
    this.current = toTime(instant);
  }

  advance(ms: number): void {
    this.current += ms;
  }

  advanceHours(hours: number): void {
    this.advance(hours * 3_600_000);
  }

  advanceDays(days: number): void {
    this.advance(days * 86_400_000);
  }
}

function toTime(instant: Date | string): number {
  const time = new Date(instant).getTime();
  if (Number.isNaN(time)) throw new RangeError(`Invalid instant: ${String(instant)}`);
  return time;
}
