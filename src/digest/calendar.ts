/**
 * Wall-clock time in the street's time zone, and ISO weeks (Monday 00:00 local to the next Monday).
 * Everything here is pure: instants come in as arguments, never from the system clock.
 */

export interface LocalDate {
  readonly year: number;
  /** 1–12 */
  readonly month: number;
  readonly day: number;
}

export interface LocalDateTime extends LocalDate {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** ISO: 1 Monday … 7 Sunday. */
  readonly weekday: number;
}

export interface IsoWeek {
  readonly year: number;
  readonly week: number;
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** What a wall clock in timeZone shows at this instant. */
export function localParts(at: Date, timeZone: string): LocalDateTime {
  const parts = formatterFor(timeZone).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const year = get('year');
  const month = get('month');
  const day = get('day');
  return {
    year,
    month,
    day,
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay() || 7,
  };
}

/** How far timeZone's wall clock is ahead of UTC at this instant, in ms. */
function offsetAt(at: number, timeZone: string): number {
  const whole = Math.floor(at / 1000) * 1000;
  const p = localParts(new Date(whole), timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - whole;
}

/**
 * The instant at which timeZone's wall clock reads this date and time. Two passes settle the
 * offset across a daylight-saving change; a time skipped by one resolves to just after the gap.
 */
export function zonedInstant(
  t: LocalDate & { readonly hour?: number; readonly minute?: number; readonly second?: number },
  timeZone: string,
): Date {
  const wall = Date.UTC(t.year, t.month - 1, t.day, t.hour ?? 0, t.minute ?? 0, t.second ?? 0);
  const first = wall - offsetAt(wall, timeZone);
  return new Date(wall - offsetAt(first, timeZone));
}

/** A calendar date moved by whole days. */
export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The ISO week a calendar date falls in: the week (Monday first) holding that year's first Thursday is week 1. */
export function isoWeekOfDate(date: LocalDate): IsoWeek {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day));
  const weekday = d.getUTCDay() || 7;
  const thursday = new Date(d.getTime() + (4 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY_MS / 7) + 1;
  return { year, week };
}

/** The Monday that starts an ISO week, as a calendar date. */
export function mondayOf(week: IsoWeek): LocalDate {
  const jan4 = new Date(Date.UTC(week.year, 0, 4));
  const mondayOfWeek1 = jan4.getTime() - ((jan4.getUTCDay() || 7) - 1) * DAY_MS;
  const monday = new Date(mondayOfWeek1 + (week.week - 1) * 7 * DAY_MS);
  return { year: monday.getUTCFullYear(), month: monday.getUTCMonth() + 1, day: monday.getUTCDate() };
}

export function weeksInYear(year: number): number {
  return isoWeekOfDate({ year, month: 12, day: 28 }).week;
}

export function isoWeekAt(at: Date, timeZone: string): IsoWeek {
  return isoWeekOfDate(localParts(at, timeZone));
}

export function shiftWeek(week: IsoWeek, by: number): IsoWeek {
  return isoWeekOfDate(addDays(mondayOf(week), by * 7));
}

/** Monday 00:00 local of the week, and the next Monday 00:00 (exclusive). */
export function weekBounds(week: IsoWeek, timeZone: string): { start: Date; end: Date } {
  return {
    start: zonedInstant(mondayOf(week), timeZone),
    end: zonedInstant(mondayOf(shiftWeek(week, 1)), timeZone),
  };
}

/** The latest week that had ended by this instant: a digest run on Monday morning reports the week before. */
export function lastFullWeekBefore(at: Date, timeZone: string): IsoWeek {
  return shiftWeek(isoWeekAt(at, timeZone), -1);
}

/** The week starting at this instant; throws unless it is a Monday 00:00 in timeZone. */
export function weekStartingAt(weekStart: Date, timeZone: string): IsoWeek {
  const week = isoWeekAt(weekStart, timeZone);
  if (weekBounds(week, timeZone).start.getTime() !== weekStart.getTime()) {
    throw new RangeError(`${weekStart.toISOString()} is not a Monday 00:00 in ${timeZone}`);
  }
  return week;
}

/** 2026-W48 */
export function formatIsoWeek(week: IsoWeek): string {
  return `${week.year}-W${String(week.week).padStart(2, '0')}`;
}

// Weeks a person may ask for (URL, CLI). Outside these the date arithmetic goes wrong: Date.UTC
// reads years 0–99 as 1900–1999, and PostgreSQL cannot hold the time zone offsets of year 9999.
export const FIRST_WEEK_YEAR = 2000;
export const LAST_WEEK_YEAR = 2100;

/**
 * Reads 2026-W48 (or 2026W48, 2026-w48); null for anything else, a year outside 2000–2100 or a
 * week the year does not have.
 */
export function parseIsoWeek(text: string): IsoWeek | null {
  const match = /^(\d{4})-?[Ww](\d{1,2})$/.exec(text.trim());
  if (!match) return null;
  const year = Number(match[1]);
  const week = Number(match[2]);
  if (year < FIRST_WEEK_YEAR || year > LAST_WEEK_YEAR) return null;
  if (week < 1 || week > weeksInYear(year)) return null;
  return { year, week };
}

/** 11月23日 */
export function formatMonthDay(date: LocalDate): string {
  return `${date.month}月${date.day}日`;
}

/** The calendar dates a week covers, Monday and Sunday, for headings. */
export function weekDates(week: IsoWeek): { monday: LocalDate; sunday: LocalDate } {
  const monday = mondayOf(week);
  return { monday, sunday: addDays(monday, 6) };
}
