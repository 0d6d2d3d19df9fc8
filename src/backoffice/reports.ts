import { empty, join, raw, sqltag as sql, type Sql } from '@prisma/client/runtime/client';
import { stringify } from 'csv-stringify/sync';
import { BOGOTA_UTC_OFFSET_MINUTES, endOfBogotaDay, startOfBogotaDay } from '../pqr/calendar';
import { OPEN_STATUSES, PQR_TYPES, trafficLight, type BusinessCalendar, type PqrType } from '../pqr';
import type { RatingItem, Ratings } from '../handoff';
import type { Db, Provider } from '../storage';
import { pendingDeadline } from './cases';
import { label, LABELS } from './labels';

const DAY_MS = 86_400_000;
/** Seconds to add to a UTC instant to get Bogotá's wall clock (Colombia has no daylight saving). */
const OFFSET_SECONDS = BOGOTA_UTC_OFFSET_MINUTES * 60;
/** Day 0 (1970-01-01) was a Thursday: adding 3 days makes weeks start on Monday. */
const MONDAY_SHIFT_DAYS = 3;
/** A longer period is refused: a year of weeks is what a chart can show and the queries are sized for. */
export const MAX_PERIOD_DAYS = 366;
/** The brand key of non-customers' PQRs (they have no brand). */
export const NO_BRAND = 'no_cliente';
const OLDEST_OPEN = 10;
const BRAND = raw(`COALESCE("brandId", '${NO_BRAND}')`);

export interface ReportFilters {
  type?: PqrType;
  brand?: string;
  channel?: string;
}

/** Bogotá calendar days, both included, as 'YYYY-MM-DD'. */
export interface ReportPeriod {
  from: string;
  to: string;
}

export type PeriodCheck = { ok: true; period: ReportPeriod } | { ok: false; reason: string };

const dayNumberOfKey = (key: string) => Date.parse(`${key}T00:00:00Z`) / DAY_MS;
const keyOfDayNumber = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const todayOf = (now: Date) => keyOfDayNumber(Math.floor((now.getTime() + OFFSET_SECONDS * 1000) / DAY_MS));
/** The Monday that starts the week of a day number. */
const weekStartOf = (day: number) => Math.floor((day + MONDAY_SHIFT_DAYS) / 7) * 7 - MONDAY_SHIFT_DAYS;
/** The Monday (Bogotá) that starts the week of an instant, as 'YYYY-MM-DD'. */
export const weekKeyOf = (at: Date) => keyOfDayNumber(weekStartOf(dayNumberOfKey(todayOf(at))));

function isDayKey(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const day = dayNumberOfKey(value);
  return Number.isFinite(day) && keyOfDayNumber(day) === value && value >= '2000-01-01' && value <= '2099-12-31';
}

/** The dashboard's default: the last 13 weeks, from the Monday twelve weeks back up to today. */
export function recentWeeks(now: Date): ReportPeriod {
  const today = dayNumberOfKey(todayOf(now));
  return { from: keyOfDayNumber(weekStartOf(today) - 12 * 7), to: keyOfDayNumber(today) };
}

/** The regulatory export's default: the last complete calendar quarter before today. */
export function lastQuarter(now: Date): ReportPeriod {
  const [year, month] = todayOf(now).split('-').map(Number);
  const quarterStartMonth = Math.floor((month - 1) / 3) * 3; // 0-based month of this quarter's start
  const start = new Date(Date.UTC(year, quarterStartMonth - 3, 1));
  const end = new Date(Date.UTC(year, quarterStartMonth, 1) - DAY_MS);
  return { from: start.toISOString().slice(0, 10), to: end.toISOString().slice(0, 10) };
}

/**
 * The period asked for: both days, or neither (then `fallback`); a missing `to` is today and a
 * missing `from` is 90 days before `to`. Refused with a reason when malformed, empty (from after
 * to) or longer than MAX_PERIOD_DAYS.
 */
export function checkPeriod(from: string | undefined, to: string | undefined, fallback: ReportPeriod, now: Date): PeriodCheck {
  if (from === undefined && to === undefined) return { ok: true, period: fallback };
  for (const [name, value] of [['from', from], ['to', to]] as const) {
    if (value !== undefined && !isDayKey(value)) return { ok: false, reason: `"${name}" must be a real date written YYYY-MM-DD (between 2000 and 2099)` };
  }
  const end = to ?? todayOf(now);
  const start = from ?? keyOfDayNumber(dayNumberOfKey(end) - 90);
  const days = dayNumberOfKey(end) - dayNumberOfKey(start) + 1;
  if (days < 1) return { ok: false, reason: `The period is empty: "from" (${start}) is after "to" (${end})` };
  if (days > MAX_PERIOD_DAYS) return { ok: false, reason: `The period has ${days} days; at most ${MAX_PERIOD_DAYS} are allowed: ask for one year at a time` };
  return { ok: true, period: { from: start, to: end } };
}

/**
 * Customer satisfaction ratings, by week and by agent, for a period. The dashboard shows "no data
 * yet" while nothing implements it with stored ratings (the handoff's ratings table plugs in here).
 */
export interface CsatSource {
  byWeek(start: Date, end: Date): Promise<{ weekStart: string; average: number; count: number }[] | null>;
  byAgent(start: Date, end: Date): Promise<{ agent: string; average: number; count: number }[] | null>;
}

export const NO_CSAT: CsatSource = { byWeek: async () => null, byAgent: async () => null };

/** The dashboard's CSAT from the users' ratings (answers and live conversations); null while there are none in the period. */
export function ratingsCsat(ratings: Pick<Ratings, 'list'>, prisma: Db): CsatSource {
  const average = (scores: number[]) => Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 100) / 100;
  const grouped = <K>(items: RatingItem[], keyOf: (item: RatingItem) => K) => {
    const groups = new Map<K, number[]>();
    for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item.score]);
    return [...groups];
  };
  return {
    async byWeek(start, end) {
      const items = await ratings.list(start, end);
      if (!items.length) return null;
      return grouped(items, (i) => weekKeyOf(i.at))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([weekStart, scores]) => ({ weekStart, average: average(scores), count: scores.length }));
    },
    async byAgent(start, end) {
      const items = await ratings.list(start, end);
      if (!items.length) return null;
      const groups = grouped(items, (i) => i.agentId);
      const ids = groups.map(([id]) => id).filter((id): id is number => id !== null);
      const names = new Map((await prisma.agent.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })).map((a) => [a.id, a.name]));
      return groups.map(([id, scores]) => ({ agent: id === null ? 'Sin agente' : (names.get(id) ?? `Agente ${id}`), average: average(scores), count: scores.length }));
    },
  };
}

export interface Series {
  key: string;
  label: string;
  values: number[];
}

interface CubeRow {
  week: number;
  type: string;
  brand: string;
  channel: string;
  filed: number;
  inTerm: number;
  late: number;
  silencio: number;
  recursos: number;
  apelacion: number;
  repone: number;
  confirma: number;
  traslados: number;
  answerDays: AnswerDays;
}

export interface RegulatoryRow {
  type: string;
  brand: string;
  channel: string;
  filed: number;
  answered_in_term: number;
  answered_late: number;
  silencio_positivo: number;
  recursos: number;
  apelaciones_sic: number;
  avg_business_days_to_answer: number | null;
}

export const REGULATORY_COLUMNS: readonly (keyof RegulatoryRow)[] = [
  'type',
  'brand',
  'channel',
  'filed',
  'answered_in_term',
  'answered_late',
  'silencio_positivo',
  'recursos',
  'apelaciones_sic',
  'avg_business_days_to_answer',
];

/** Days left buckets of the traffic-light distribution: [label, lowest, highest] business days left. */
const DAYS_LEFT_BUCKETS: readonly [string, number, number][] = [
  ['0', 0, 0],
  ['1', 1, 1],
  ['2', 2, 2],
  ['3', 3, 3],
  ['4–5', 4, 5],
  ['6–10', 6, 10],
  ['11–15', 11, 15],
  ['más de 15', 16, Infinity],
];

const num = (value: unknown) => (value === null || value === undefined ? 0 : Number(value));

/**
 * The figures of the supervisors' dashboard and of the regulatory export, from the PQR table on
 * SQLite or PostgreSQL. Every count groups in the database by week, type, brand and channel (a
 * few thousand rows for a year, whatever the number of PQRs), and the charts are cut from that.
 * PQRs count by the week they were filed in: "answered in term" of a week is about the PQRs
 * filed that week, the cohort a regulator asks about.
 */
export class ReportQueries {
  constructor(
    private readonly prisma: Db,
    private readonly provider: Provider,
    private readonly calendar: BusinessCalendar,
    private readonly csat: CsatSource = NO_CSAT,
  ) {}

  async summary(period: ReportPeriod, filters: ReportFilters, now: Date) {
    const [cube, open, oldest, nlu, csatByWeek, csatByAgent, brands] = await Promise.all([
      this.cube(period, filters, now),
      this.openByDeadline(filters, now),
      this.oldestOpen(filters, now),
      this.nluByWeek(period),
      this.csat.byWeek(...this.bounds(period)),
      this.csat.byAgent(...this.bounds(period)),
      this.prisma.brand.findMany({ select: { id: true, name: true } }),
    ]);
    const brandNames = new Map<string, string>([...brands.map((b): [string, string] => [b.id, b.name]), [NO_BRAND, 'No cliente']]);
    const weeks = this.weeks(period);
    const index = new Map(weeks.map((week, i) => [dayNumberOfKey(week), i]));
    const perWeek = (pick: (row: CubeRow) => number) => {
      const values = weeks.map(() => 0);
      for (const row of cube) values[index.get(row.week) ?? 0] += pick(row);
      return values;
    };
    const seriesBy = (dimension: 'type' | 'brand' | 'channel', name: (key: string) => string): Series[] => {
      const keys = [...new Set(cube.map((row) => row[dimension]))].sort();
      return keys.map((key) => ({ key, label: name(key), values: perWeek((row) => (row[dimension] === key ? row.filed : 0)) }));
    };
    const sum = (pick: (row: CubeRow) => number) => cube.reduce((total, row) => total + pick(row), 0);
    const totals = {
      filed: sum((r) => r.filed),
      answeredInTerm: sum((r) => r.inTerm),
      answeredLate: sum((r) => r.late),
      silencioPositivo: sum((r) => r.silencio),
      recursos: sum((r) => r.recursos),
      trasladosSic: sum((r) => r.traslados),
      avgBusinessDaysToAnswer: averageOf(cube.map((r) => r.answerDays)),
    };
    const nluWeeks = (rows: { week: number; n: number; key?: string }[], key?: string) => {
      const values = weeks.map(() => 0);
      for (const row of rows) if (key === undefined || row.key === key) values[index.get(row.week) ?? 0] += row.n;
      return values;
    };
    const chosen = [...new Set(nlu.corrections.map((c) => c.key))].sort();
    return {
      period,
      filters,
      generatedAt: now,
      weeks,
      totals,
      filed: {
        byType: seriesBy('type', (k) => label(LABELS.type, k)),
        byBrand: seriesBy('brand', (k) => brandNames.get(k) ?? k),
        byChannel: seriesBy('channel', (k) => label(LABELS.channel, k)),
      },
      answered: { inTerm: perWeek((r) => r.inTerm), late: perWeek((r) => r.late) },
      silencioPositivo: perWeek((r) => r.silencio),
      recursos: {
        byWeek: perWeek((r) => r.recursos),
        outcomes: { repone: sum((r) => r.repone), confirma: sum((r) => r.confirma), pendiente: sum((r) => r.recursos - r.repone - r.confirma) },
        conApelacion: sum((r) => r.apelacion),
      },
      trasladosSic: perWeek((r) => r.traslados),
      open: { ...open, oldest },
      csat: {
        available: csatByWeek !== null || csatByAgent !== null,
        byWeek: csatByWeek ?? [],
        byAgent: csatByAgent ?? [],
      },
      nlu: {
        clarifications: nluWeeks(nlu.clarifications),
        corrections: chosen.map((key) => ({ key, label: label({ ...LABELS.type, ...LABELS.intent }, key), values: nluWeeks(nlu.corrections, key) })),
      },
    };
  }

  /** One row per type, brand and channel with PQRs filed in the period, as the regulator asks for them. */
  async regulatory(period: ReportPeriod, filters: ReportFilters, now: Date): Promise<RegulatoryRow[]> {
    const cube = await this.cube(period, filters, now);
    const rows = new Map<string, RegulatoryRow>();
    const answerDays = new Map<string, AnswerDays[]>();
    for (const r of cube) {
      const key = groupKey(r);
      const row = rows.get(key) ?? {
        type: r.type,
        brand: r.brand,
        channel: r.channel,
        filed: 0,
        answered_in_term: 0,
        answered_late: 0,
        silencio_positivo: 0,
        recursos: 0,
        apelaciones_sic: 0,
        avg_business_days_to_answer: null,
      };
      answerDays.set(key, [...(answerDays.get(key) ?? []), r.answerDays]);
      row.filed += r.filed;
      row.answered_in_term += r.inTerm;
      row.answered_late += r.late;
      row.silencio_positivo += r.silencio;
      row.recursos += r.recursos;
      row.apelaciones_sic += r.traslados;
      rows.set(key, row);
    }
    for (const [key, row] of rows) row.avg_business_days_to_answer = averageOf(answerDays.get(key) ?? []);
    const typeOrder = (type: string) => (PQR_TYPES as readonly string[]).indexOf(type);
    return [...rows.values()].sort((a, b) => typeOrder(a.type) - typeOrder(b.type) || a.brand.localeCompare(b.brand) || a.channel.localeCompare(b.channel));
  }

  /** Start of `from` and end of `to`, in Bogotá. */
  private bounds(period: ReportPeriod): [Date, Date] {
    return [startOfBogotaDay(period.from), endOfBogotaDay(period.to)];
  }

  /** Mondays of the weeks the period touches. */
  private weeks(period: ReportPeriod): string[] {
    const weeks: string[] = [];
    for (let day = weekStartOf(dayNumberOfKey(period.from)); day <= dayNumberOfKey(period.to); day += 7) weeks.push(keyOfDayNumber(day));
    return weeks;
  }

  /** The Bogotá day number (days since 1970-01-01) of a timestamp column, in the database's dialect. */
  private day(column: string): Sql {
    return raw(
      this.provider === 'postgresql'
        ? `(("${column}" - interval '${-BOGOTA_UTC_OFFSET_MINUTES} minutes')::date - DATE '1970-01-01')`
        : `((CAST(strftime('%s', "${column}") AS INTEGER) + ${OFFSET_SECONDS}) / 86400)`,
    );
  }

  /** The day number of the Monday that starts the Bogotá week of a timestamp column. */
  private week(column: string): Sql {
    return raw(
      this.provider === 'postgresql'
        ? `(date_trunc('week', "${column}" - interval '${-BOGOTA_UTC_OFFSET_MINUTES} minutes')::date - DATE '1970-01-01')`
        : `((CAST(strftime('%s', "${column}") AS INTEGER) + ${OFFSET_SECONDS} + ${MONDAY_SHIFT_DAYS * 86400}) / 604800 * 7 - ${MONDAY_SHIFT_DAYS})`,
    );
  }

  private where(filters: ReportFilters, period?: ReportPeriod, ...more: Sql[]): Sql {
    const conditions: Sql[] = [...more];
    if (period) {
      const [start, end] = this.bounds(period);
      conditions.push(sql`"filedAt" >= ${start}`, sql`"filedAt" <= ${end}`);
    }
    if (filters.type) conditions.push(sql`"type" = ${filters.type}`);
    if (filters.brand) conditions.push(filters.brand === NO_BRAND ? sql`"brandId" IS NULL` : sql`"brandId" = ${filters.brand}`);
    if (filters.channel) conditions.push(sql`"entryChannel" = ${filters.channel}`);
    return conditions.length ? sql`WHERE ${join(conditions, ' AND ')}` : empty;
  }

  /**
   * A report query. On PostgreSQL the planner cannot foresee how few groups (weeks × types ×
   * brands × channels) a year of PQRs makes, and with the default 4 MB of work_mem it sorts them
   * on disk instead of hashing; JIT compilation costs more than it saves on these scans.
   */
  private async query(statement: Sql): Promise<Record<string, unknown>[]> {
    if (this.provider !== 'postgresql') return this.prisma.$queryRaw<Record<string, unknown>[]>(statement);
    const [, , rows] = await this.prisma.$transaction([
      this.prisma.$executeRawUnsafe("SET LOCAL work_mem = '32MB'"),
      this.prisma.$executeRawUnsafe('SET LOCAL jit = off'),
      this.prisma.$queryRaw<Record<string, unknown>[]>(statement),
    ], { timeout: 60_000 });
    return rows;
  }

  /**
   * Counts of the PQRs filed in the period, per filing week, type, brand and channel, in one pass.
   * Business days to answer come from a running count of business days per day, computed here
   * with the calendar (holidays, overrides): the answer's day of the term is its running count
   * minus the first day's, plus one (1 = the first business day after reception, 0 = the day of
   * reception). PostgreSQL reads the count from an array by day (a join makes it sort a million
   * rows); SQLite joins it as a small table.
   */
  private async cube(period: ReportPeriod, filters: ReportFilters, now: Date): Promise<CubeRow[]> {
    const first = dayNumberOfKey(period.from);
    // Answers come after filing, up to today; one given over a year after the period is not averaged (it bounds the table).
    const last = Math.min(Math.max(dayNumberOfKey(period.to), dayNumberOfKey(todayOf(now))), dayNumberOfKey(period.to) + 400) + 1;
    const counts = this.runningBusinessDays(first, last);
    let calendar = empty;
    let joins = empty;
    let answered = raw('answered.n');
    let counted = raw('counted.n');
    if (this.provider === 'postgresql') {
      const array = `('{${counts.join(',')}}'::int[])`;
      answered = sql`${raw(array)}[${this.day('answeredAt')} - ${raw(String(first - 1))}]`;
      counted = sql`${raw(array)}[${this.day('countedFrom')} - ${raw(String(first - 1))}]`;
    } else {
      calendar = sql`WITH cal(day, n) AS (VALUES ${raw(counts.map((n, i) => `(${first + i}, ${n})`).join(', '))})`;
      joins = sql`LEFT JOIN cal answered ON answered.day = ${this.day('answeredAt')} LEFT JOIN cal counted ON counted.day = ${this.day('countedFrom')}`;
    }
    const rows = await this.query(sql`
      ${calendar}
      SELECT ${this.week('filedAt')} AS week, "type", ${BRAND} AS brand, "entryChannel" AS channel,
        COUNT(*) AS filed,
        SUM(CASE WHEN "answeredAt" IS NOT NULL AND "answeredAt" <= "dueDate" THEN 1 ELSE 0 END) AS in_term,
        SUM(CASE WHEN "answeredAt" > "dueDate" THEN 1 ELSE 0 END) AS late,
        SUM(CASE WHEN "vencida" THEN 1 ELSE 0 END) AS silencio,
        SUM(CASE WHEN "recursoFiledAt" IS NOT NULL THEN 1 ELSE 0 END) AS recursos,
        SUM(CASE WHEN "recursoKind" = 'reposicion_apelacion' THEN 1 ELSE 0 END) AS apelacion,
        SUM(CASE WHEN "decisionOutcome" = 'repone' THEN 1 ELSE 0 END) AS repone,
        SUM(CASE WHEN "decisionOutcome" = 'confirma' THEN 1 ELSE 0 END) AS confirma,
        SUM(CASE WHEN "trasladadaAt" IS NOT NULL THEN 1 ELSE 0 END) AS traslados,
        SUM(${answered} - ${counted} + 1) AS answer_days,
        SUM(CASE WHEN ${answered} IS NOT NULL AND ${counted} IS NOT NULL THEN 1 ELSE 0 END) AS answers_timed
      FROM "Pqr" ${joins}
      ${this.where(filters, period)}
      GROUP BY 1, 2, 3, 4`);
    return rows.map((r) => ({
      week: num(r.week),
      type: String(r.type),
      brand: String(r.brand),
      channel: String(r.channel),
      filed: num(r.filed),
      inTerm: num(r.in_term),
      late: num(r.late),
      silencio: num(r.silencio),
      recursos: num(r.recursos),
      apelacion: num(r.apelacion),
      repone: num(r.repone),
      confirma: num(r.confirma),
      traslados: num(r.traslados),
      answerDays: { days: num(r.answer_days), count: num(r.answers_timed) },
    }));
  }

  /** Business days from `first` up to each day to `last`, both included, in order of day. */
  private runningBusinessDays(first: number, last: number): number[] {
    const out: number[] = [];
    let count = 0;
    for (let day = first; day <= last; day++) {
      if (this.calendar.isBusinessDay(keyOfDayNumber(day))) count++;
      out.push(count);
    }
    return out;
  }

  /**
   * Open cases now by business days left on the step the operator owes (the queue's traffic light,
   * same rule, `pendingDeadline`): grouped in the database by status and deadline days, then placed
   * in buckets. Only cases that may owe something are grouped (answered and notified cases stay
   * open for a recurso but owe nothing, and they are most of the table); the rest are counted.
   */
  private async openByDeadline(filters: ReportFilters, now: Date) {
    const mayOwe = sql`("status" IN ('radicada', 'en_tramite', 'recurso_interpuesto')
      OR ("status" = 'respondida' AND "notifiedAt" IS NULL)
      OR ("status" = 'reposicion_decidida' AND ("decisionNotifiedAt" IS NULL OR ("sicDueDate" IS NOT NULL AND "trasladadaAt" IS NULL))))`;
    const [rows, [open]] = await Promise.all([
      this.query(sql`
        SELECT "status", ${this.day('dueDate')} AS due, ${this.day('recursoDueDate')} AS recurso_due, ${this.day('sicDueDate')} AS sic_due,
          CASE WHEN "notifiedAt" IS NULL THEN 0 ELSE 1 END AS notified, CASE WHEN "decisionNotifiedAt" IS NULL THEN 0 ELSE 1 END AS decision_notified,
          CASE WHEN "trasladadaAt" IS NULL THEN 0 ELSE 1 END AS transferred, COUNT(*) AS n
        FROM "Pqr" ${this.where(filters, undefined, mayOwe)}
        GROUP BY 1, 2, 3, 4, 5, 6, 7`),
      this.query(sql`SELECT COUNT(*) AS n FROM "Pqr" ${this.where(filters, undefined, sql`"status" IN (${join([...OPEN_STATUSES])})`)}`),
    ]);
    const total = num(open.n);
    const endOf = (day: unknown) => (day === null || day === undefined ? null : endOfBogotaDay(keyOfDayNumber(num(day))));
    const byLight = { overdue: 0, due_soon: 0, on_time: 0 };
    const overdueBucket = { bucket: 'vencidos', label: 'Vencidos', light: 'overdue' as const, count: 0 };
    const buckets = DAYS_LEFT_BUCKETS.map(([name, low, high]) => ({ bucket: name, label: name === '1' ? '1 día' : `${name} días`, low, high, light: low <= 3 ? ('due_soon' as const) : ('on_time' as const), count: 0 }));
    let owing = 0;
    for (const r of rows) {
      const n = num(r.n);
      const deadline = pendingDeadline({
        status: String(r.status),
        dueDate: endOf(r.due) ?? now,
        notifiedAt: num(r.notified) ? now : null,
        vencida: false,
        decisionNotifiedAt: num(r.decision_notified) ? now : null,
        recursoVencida: false,
        recursoDueDate: endOf(r.recurso_due),
        sicDueDate: endOf(r.sic_due),
        trasladadaAt: num(r.transferred) ? now : null,
      });
      if (!deadline) continue;
      owing += n;
      const light = trafficLight(deadline, now, this.calendar);
      byLight[light] += n;
      if (light === 'overdue') {
        overdueBucket.count += n;
        continue;
      }
      const left = this.calendar.businessDaysBetween(now, deadline);
      const bucket = buckets.find((b) => left >= b.low && left <= b.high);
      if (bucket) bucket.count += n;
    }
    return { total, noDeadline: total - owing, byLight, byDaysLeft: [overdueBucket, ...buckets.map(({ low: _low, high: _high, ...b }) => b)] };
  }

  private async oldestOpen(filters: ReportFilters, now: Date) {
    const rows = await this.prisma.pqr.findMany({
      where: {
        status: { in: [...OPEN_STATUSES] },
        ...(filters.type ? { type: filters.type } : {}),
        ...(filters.brand ? { brandId: filters.brand === NO_BRAND ? null : filters.brand } : {}),
        ...(filters.channel ? { entryChannel: filters.channel } : {}),
      },
      orderBy: [{ filedAt: 'asc' }, { id: 'asc' }],
      take: OLDEST_OPEN,
      select: { cun: true, type: true, status: true, brandId: true, entryChannel: true, filedAt: true, dueDate: true, notifiedAt: true, vencida: true, recursoDueDate: true, decisionNotifiedAt: true, recursoVencida: true, sicDueDate: true, trasladadaAt: true },
    });
    return rows.map((row) => {
      const deadline = pendingDeadline(row);
      return {
        cun: row.cun,
        type: row.type,
        status: row.status,
        brand: row.brandId ?? NO_BRAND,
        channel: row.entryChannel,
        filedAt: row.filedAt,
        daysOpen: Math.floor((now.getTime() - row.filedAt.getTime()) / DAY_MS),
        deadline,
        light: deadline ? trafficLight(deadline, now, this.calendar) : null,
      };
    });
  }

  /** Clarifications the bot asked and corrections users chose, per week of the period. */
  private async nluByWeek(period: ReportPeriod) {
    const [start, end] = this.bounds(period);
    const [clarifications, corrections] = await Promise.all([
      this.prisma.$queryRaw<Record<string, unknown>[]>(sql`
        SELECT ${this.week('askedAt')} AS week, COUNT(*) AS n FROM "NluClarification" WHERE "askedAt" >= ${start} AND "askedAt" <= ${end} GROUP BY 1`),
      this.prisma.$queryRaw<Record<string, unknown>[]>(sql`
        SELECT ${this.week('createdAt')} AS week, "chosen", COUNT(*) AS n FROM "NluCorrection" WHERE "createdAt" >= ${start} AND "createdAt" <= ${end} GROUP BY 1, 2`),
    ]);
    return {
      clarifications: clarifications.map((r) => ({ week: num(r.week), n: num(r.n) })),
      corrections: corrections.map((r) => ({ week: num(r.week), n: num(r.n), key: String(r.chosen) })),
    };
  }
}

function groupKey(row: { type: string; brand: string; channel: string }): string {
  return `${row.type}\u0000${row.brand}\u0000${row.channel}`;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Business days to answer, summed over `count` answered PQRs. */
interface AnswerDays {
  days: number;
  count: number;
}

function averageOf(groups: AnswerDays[]): number | null {
  const count = groups.reduce((n, g) => n + g.count, 0);
  return count ? round1(groups.reduce((total, g) => total + g.days, 0) / count) : null;
}

/** The regulatory export as CSV: a header row, then one row per type, brand and channel. */
export function regulatoryCsv(rows: RegulatoryRow[]): string {
  return stringify(
    rows.map((row) => REGULATORY_COLUMNS.map((column) => row[column] ?? '')),
    { header: true, columns: [...REGULATORY_COLUMNS], record_delimiter: 'windows' },
  );
}
