import { getTasks } from 'node-cron';
import { previousFire } from '../../../src/scheduler/cron-times';
import { formatQuietHours, isQuiet, quietEnd } from '../../../src/scheduler/quiet-hours';
import { clockLength } from '../../../src/scheduler/reminder-sweep';
import { parseInstant } from '../../../src/scheduler/cli-commands';

const TZ = 'Asia/Shanghai';
const at = (s: string) => new Date(`${s}+08:00`);

describe('quiet hours', () => {
  const night = { start: 21 * 60, end: 8 * 60 };

  it.each([
    ['2026-11-29T20:59', false, '2026-11-29T20:59'],
    ['2026-11-29T21:00', true, '2026-11-30T08:00'],
    ['2026-11-29T23:59', true, '2026-11-30T08:00'],
    ['2026-11-30T00:00', true, '2026-11-30T08:00'],
    ['2026-11-30T07:59', true, '2026-11-30T08:00'],
    ['2026-11-30T08:00', false, '2026-11-30T08:00'],
  ])('%s quiet: %s, until %s', (time, quiet, until) => {
    expect(isQuiet(at(time), night, TZ)).toBe(quiet);
    expect(quietEnd(at(time), night, TZ)).toEqual(at(until));
  });

  it('handles a window that does not wrap midnight, and none at all', () => {
    const nap = { start: 12 * 60, end: 14 * 60 + 30 };
    expect(isQuiet(at('2026-11-30T13:00'), nap, TZ)).toBe(true);
    expect(quietEnd(at('2026-11-30T13:00'), nap, TZ)).toEqual(at('2026-11-30T14:30'));
    expect(isQuiet(at('2026-11-30T23:00'), nap, TZ)).toBe(false);
    expect(isQuiet(at('2026-11-30T23:00'), null, TZ)).toBe(false);
    expect([formatQuietHours(night), formatQuietHours(null)]).toEqual(['21:00–08:00', 'off']);
  });
});

describe('previousFire', () => {
  it('finds the latest due time of a weekly job, in the street time zone', () => {
    expect(previousFire('0 9 * * 1', TZ, at('2026-12-01T10:00'))).toEqual(at('2026-11-30T09:00'));
    expect(previousFire('0 9 * * 1', TZ, at('2026-11-30T09:00'))).toEqual(at('2026-11-30T09:00'));
    expect(previousFire('0 9 * * 1', TZ, at('2026-11-30T08:59'))).toEqual(at('2026-11-23T09:00'));
    expect(previousFire('0 9 * * 1', 'UTC', at('2026-11-30T09:30'))).toEqual(
      new Date('2026-11-23T09:00:00Z'),
    );
  });

  it('finds the last sweep slot, and nothing beyond the lookback', () => {
    expect(previousFire('*/10 * * * *', TZ, at('2026-12-01T10:07'))).toEqual(at('2026-12-01T10:00'));
    expect(previousFire('* * * * * *', TZ, new Date('2026-12-01T02:00:07.500Z'))).toEqual(
      new Date('2026-12-01T02:00:07Z'),
    );
    expect(previousFire('0 9 1 1 *', TZ, at('2026-12-01T10:00'))).toBeNull();
    expect(previousFire('0 9 1 1 *', TZ, at('2026-12-01T10:00'), 400)).toEqual(at('2026-01-01T09:00'));
  });

  it('leaves no task registered with node-cron', () => {
    const before = getTasks().size;
    previousFire('30 9 * * 1', TZ, at('2026-12-01T10:00'));
    expect(getTasks().size).toBe(before);
  });
});

describe('words for clocks and instants', () => {
  it('words a clock as the practice does', () => {
    expect([30, 120, 1440, 4320, 10080, 90].map(clockLength)).toEqual([
      '30分钟',
      '2小时',
      '24小时',
      '72小时',
      '7天',
      '90分钟',
    ]);
  });

  it('reads the instants operators type', () => {
    expect(parseInstant('2026-12-01T10:00+08:00', TZ)).toEqual(new Date('2026-12-01T02:00:00Z'));
    expect(parseInstant('2026-12-01T02:00Z', TZ)).toEqual(new Date('2026-12-01T02:00:00Z'));
    expect(parseInstant('2026-12-01 10:00', TZ)).toEqual(new Date('2026-12-01T02:00:00Z'));
    expect(parseInstant('2026-12-01T10:00', 'UTC')).toEqual(new Date('2026-12-01T10:00:00Z'));
    for (const bad of ['tomorrow', '2026-12-01', '2026-13-01T10:00+08:00', ''])
      expect(parseInstant(bad, TZ)).toBeNull();
  });
});
