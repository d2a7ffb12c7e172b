import type { DataSource } from 'typeorm';
import {
  compoundWeek,
  formatIsoWeek,
  formatMonthDay,
  lastFullWeekBefore,
  mondayOf,
  shiftWeek,
  weekBounds,
  weeklyFiguresForAll,
  type IsoWeek,
  type Rate,
  type WeeklyFigures,
} from '../../digest';

/**
 * The adapter between the pages' charts and the digest's weekly figures: every figure is defined
 * once, in digest/weekly-figures.ts, and only read here. Weeks are the digest's (Monday 00:00 in
 * the street's zone); the series ends with the last full week, because a week still running
 * counts deadlines that have not come yet as missed.
 */
export const SERIES_WEEKS = 12;

/**
 * How long after a week ends its figures are still read afresh: a change made just before
 * midnight, stamped with its instance's clock, may commit a moment after, and instances' clocks
 * differ by a little.
 */
export const SETTLE_MS = 10 * 60_000;

export interface WeekPoint {
  /** 2026-W48 */
  readonly week: string;
  /** 11月23日, the Monday */
  readonly label: string;
  readonly start: Date;
  readonly received: number;
  readonly resolved: number;
  readonly response: Rate;
  readonly resolution: Rate;
  readonly satisfaction: Rate;
}

/** Every scope's figures of one week: the street's (key null) and each compound's. */
export type WeekFigures = ReadonlyMap<string | null, WeeklyFigures>;

/**
 * The figures of weeks that are over, kept once read. Nothing after a week ends changes its
 * figures (weekly-figures.ts), so a page need not read a finished week twice: each week is read
 * once for every scope together (the digest's weeklyFiguresForAll, one statement), and the
 * street's page and every compound's take theirs from it. A dozen weeks took 12 statements of
 * 200 ms each on a street of 300,000 requests, at every view. Kept per process, the newest
 * `capacity` weeks; a read that fails is not kept.
 */
export class FinishedWeeks {
  private readonly kept = new Map<string, Promise<WeekFigures>>();

  constructor(private readonly capacity = 2 * SERIES_WEEKS) {}

  /** The week's figures, read now unless it ended (SETTLE_MS before `now`) and was read before. */
  figures(dataSource: DataSource, week: IsoWeek, timeZone: string, now: Date): Promise<WeekFigures> {
    const { start, end } = weekBounds(week, timeZone);
    const read = () => weeklyFiguresForAll(dataSource, { weekStart: start, timeZone });
    if (end.getTime() + SETTLE_MS > now.getTime()) return read();
    const key = `${timeZone} ${formatIsoWeek(week)}`;
    const found = this.kept.get(key);
    if (found) return found;
    const reading = read();
    this.kept.set(key, reading);
    reading.catch(() => this.kept.delete(key));
    for (const oldest of this.kept.keys()) {
      if (this.kept.size <= this.capacity) break;
      this.kept.delete(oldest);
    }
    return reading;
  }
}

export interface SeriesQuery {
  readonly now: Date;
  readonly timeZone: string;
  /** One compound; absent for the whole street. */
  readonly compoundId?: string;
  readonly weeks?: number;
}

export interface Series {
  /** Oldest first. */
  readonly points: WeekPoint[];
  /** The last full week, every scope: the compounds side by side. */
  readonly last: WeekFigures;
  readonly lastStart: Date;
}

export async function weeklySeries(
  dataSource: DataSource,
  query: SeriesQuery,
  kept: FinishedWeeks = new FinishedWeeks(),
): Promise<Series> {
  const last = lastFullWeekBefore(query.now, query.timeZone);
  const count = query.weeks ?? SERIES_WEEKS;
  const weeks: IsoWeek[] = Array.from({ length: count }, (_, i) => shiftWeek(last, i - count + 1));
  // Two weeks at a time: on a cold start (each process's first view, and the first after a week
  // ends) PostgreSQL reads two at once, not a dozen pool connections.
  const figures: WeekFigures[] = [];
  for (let i = 0; i < weeks.length; i += 2) {
    figures.push(
      ...(await Promise.all(
        weeks.slice(i, i + 2).map((week) => kept.figures(dataSource, week, query.timeZone, query.now)),
      )),
    );
  }
  const points = weeks.map((week, i): WeekPoint => {
    const { start } = weekBounds(week, query.timeZone);
    const f = compoundWeek(figures[i] ?? new Map(), query.compoundId ?? null, start);
    return {
      week: formatIsoWeek(week),
      label: formatMonthDay(mondayOf(week)),
      start,
      received: f.received,
      resolved: f.resolved,
      response: f.response,
      resolution: f.resolution,
      satisfaction: f.satisfaction,
    };
  });
  const lastWeek = figures[figures.length - 1] ?? new Map<string | null, WeeklyFigures>();
  return { points, last: lastWeek, lastStart: weekBounds(last, query.timeZone).start };
}
