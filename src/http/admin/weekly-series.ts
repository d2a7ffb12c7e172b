import type { DataSource } from 'typeorm';
import {
  formatMonthDay,
  lastFullWeekBefore,
  mondayOf,
  shiftWeek,
  weekBounds,
  weeklyFigures,
  type IsoWeek,
  type Rate,
} from '../../digest';

/**
 * The adapter between the pages' charts and the digest's weekly figures: every figure is defined
 * once, in digest/weekly-figures.ts, and only read here. Weeks are the digest's (Monday 00:00 in
 * the street's zone); the series ends with the last full week, because a week still running
 * counts deadlines that have not come yet as missed.
 */
export const SERIES_WEEKS = 12;

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

export interface SeriesQuery {
  readonly now: Date;
  readonly timeZone: string;
  /** One compound; absent for the whole street. */
  readonly compoundId?: string;
  readonly weeks?: number;
}

/** Oldest first. */
export async function weeklySeries(dataSource: DataSource, query: SeriesQuery): Promise<WeekPoint[]> {
  const last = lastFullWeekBefore(query.now, query.timeZone);
  const count = query.weeks ?? SERIES_WEEKS;
  const weeks: IsoWeek[] = Array.from({ length: count }, (_, i) => shiftWeek(last, i - count + 1));
  const points: WeekPoint[] = [];
  // One week after another: a dozen small queries rather than a dozen pool connections at once.
  for (const week of weeks) {
    const { start } = weekBounds(week, query.timeZone);
    const figures = await weeklyFigures(dataSource, {
      weekStart: start,
      timeZone: query.timeZone,
      compoundId: query.compoundId ?? null,
    });
    points.push({
      week: figures.week,
      label: formatMonthDay(mondayOf(week)),
      start,
      received: figures.received,
      resolved: figures.resolved,
      response: figures.response,
      resolution: figures.resolution,
      satisfaction: figures.satisfaction,
    });
  }
  return points;
}
