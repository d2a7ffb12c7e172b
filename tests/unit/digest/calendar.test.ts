import {
  formatIsoWeek,
  isoWeekAt,
  isoWeekOfDate,
  lastFullWeekBefore,
  localParts,
  mondayOf,
  parseIsoWeek,
  shiftWeek,
  weekBounds,
  weekStartingAt,
  weeksInYear,
  zonedInstant,
} from '../../../src/digest/calendar';

describe('ISO weeks', () => {
  it.each([
    ['2026-01-01', '2026-W01'],
    ['2025-12-29', '2026-W01'],
    ['2026-11-23', '2026-W48'],
    ['2026-11-29', '2026-W48'],
    ['2026-11-30', '2026-W49'],
    ['2026-12-31', '2026-W53'],
    ['2027-01-03', '2026-W53'],
    ['2027-01-04', '2027-W01'],
    ['2024-12-30', '2025-W01'],
    ['2021-01-03', '2020-W53'],
  ])('%s is in %s', (date, week) => {
    const [year, month, day] = date.split('-').map(Number) as [number, number, number];
    expect(formatIsoWeek(isoWeekOfDate({ year, month, day }))).toBe(week);
  });

  it('knows which years have 53 weeks and refuses weeks a year lacks', () => {
    expect([2020, 2021, 2025, 2026, 2027].map(weeksInYear)).toEqual([53, 52, 52, 53, 52]);
    expect(parseIsoWeek('2026-W53')).toEqual({ year: 2026, week: 53 });
    expect(parseIsoWeek('2025-W53')).toBeNull();
    expect(parseIsoWeek('2026w48')).toEqual({ year: 2026, week: 48 });
    for (const bad of ['2026-48', '2026-W0', 'W48', '2026-W480', '']) expect(parseIsoWeek(bad)).toBeNull();
  });

  it('reads only the years the service can have data for (2000–2100)', () => {
    expect(parseIsoWeek('2000-W01')).toEqual({ year: 2000, week: 1 });
    expect(parseIsoWeek('2100-W52')).toEqual({ year: 2100, week: 52 });
    // 9999 overflows PostgreSQL's timestamps; Date.UTC reads 0000–0099 as 1900–1999.
    for (const far of ['9999-W52', '0000-W01', '0099-W01', '1999-W52', '2101-W01']) {
      expect(parseIsoWeek(far)).toBeNull();
    }
  });

  it('starts a week on Monday 00:00 in the street time zone', () => {
    const w48 = { year: 2026, week: 48 };
    expect(mondayOf(w48)).toEqual({ year: 2026, month: 11, day: 23 });
    const { start, end } = weekBounds(w48, 'Asia/Shanghai');
    expect(start.toISOString()).toBe('2026-11-22T16:00:00.000Z');
    expect(end.toISOString()).toBe('2026-11-29T16:00:00.000Z');
    expect(weekStartingAt(start, 'Asia/Shanghai')).toEqual(w48);
    expect(() => weekStartingAt(end, 'UTC')).toThrow(RangeError);
    expect(shiftWeek({ year: 2026, week: 53 }, 1)).toEqual({ year: 2027, week: 1 });
    expect(shiftWeek({ year: 2027, week: 1 }, -1)).toEqual({ year: 2026, week: 53 });
  });

  it('reports, on Monday morning, the week that ended at midnight', () => {
    const tz = 'Asia/Shanghai';
    expect(lastFullWeekBefore(new Date('2026-11-30T09:00:00+08:00'), tz)).toEqual({ year: 2026, week: 48 });
    expect(lastFullWeekBefore(new Date('2026-11-30T00:00:00+08:00'), tz)).toEqual({ year: 2026, week: 48 });
    expect(lastFullWeekBefore(new Date('2026-11-29T23:59:00+08:00'), tz)).toEqual({ year: 2026, week: 47 });
    // Sunday 20:00 UTC is already Monday in Shanghai.
    expect(isoWeekAt(new Date('2026-11-29T20:00:00Z'), tz)).toEqual({ year: 2026, week: 49 });
  });
});

describe('wall-clock time', () => {
  it('converts between instants and local times, also across daylight saving', () => {
    expect(zonedInstant({ year: 2026, month: 12, day: 1, hour: 10 }, 'Asia/Shanghai').toISOString()).toBe(
      '2026-12-01T02:00:00.000Z',
    );
    // New York springs forward on 2026-03-08: the week is an hour short.
    const { start, end } = weekBounds({ year: 2026, week: 10 }, 'America/New_York');
    expect(start.toISOString()).toBe('2026-03-02T05:00:00.000Z');
    expect(end.toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect(localParts(new Date('2026-03-08T07:30:00Z'), 'America/New_York')).toMatchObject({
      hour: 3,
      minute: 30,
    });
    expect(localParts(new Date('2026-11-30T01:00:00Z'), 'Asia/Shanghai')).toEqual({
      year: 2026,
      month: 11,
      day: 30,
      hour: 9,
      minute: 0,
      second: 0,
      weekday: 1,
    });
  });
});
