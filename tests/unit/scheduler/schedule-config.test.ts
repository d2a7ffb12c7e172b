import { ConfigError, loadConfig } from '../../../src/config';
import { schedulerOptionsFrom } from '../../../src/scheduler';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('schedule settings', () => {
  it('defaults to the documented schedules', () => {
    expect(loadConfig({}).schedule).toEqual({
      reminders: '*/10 * * * *',
      autoClose: '0 * * * *',
      weeklyDigest: '0 9 * * 1',
      buildingNotes: '30 9 * * 1',
      quietHours: { start: 21 * 60, end: 8 * 60 },
      autoCloseAfterMinutes: 72 * 60,
    });
  });

  it('takes other schedules, off, other quiet hours and another auto-close delay', () => {
    const config = loadConfig({
      MULIN_REMINDER_SCHEDULE: '*/5 * * * *',
      MULIN_BUILDING_NOTE_SCHEDULE: 'off',
      MULIN_QUIET_HOURS: '22:30-07:00',
      MULIN_AUTO_CLOSE_AFTER: '3d',
      MULIN_TIMEZONE: 'Asia/Urumqi',
    });
    expect(config.schedule).toMatchObject({
      reminders: '*/5 * * * *',
      buildingNotes: null,
      quietHours: { start: 22 * 60 + 30, end: 7 * 60 },
      autoCloseAfterMinutes: 3 * 1440,
    });
    expect(loadConfig({ MULIN_QUIET_HOURS: 'off' }).schedule.quietHours).toBeNull();
    expect(schedulerOptionsFrom(config)).toEqual({
      timeZone: 'Asia/Urumqi',
      schedules: {
        reminders: '*/5 * * * *',
        'auto-close': '0 * * * *',
        'weekly-digest': '0 9 * * 1',
        'building-notes': null,
      },
      quietHours: { start: 22 * 60 + 30, end: 7 * 60 },
      autoCloseAfterMinutes: 3 * 1440,
      privateNotices: false,
    });
  });

  it('gives the scheduler (and mulin digest, mulin remind) the pages’ links when MULIN_PUBLIC_URL is set', () => {
    expect(schedulerOptionsFrom(loadConfig({})).pageLinks).toBeUndefined();
    const links = schedulerOptionsFrom(
      loadConfig({ MULIN_PUBLIC_URL: 'https://mulin.example.gov.cn/' }),
    ).pageLinks;
    expect([links?.request(12), links?.figures()]).toEqual([
      'https://mulin.example.gov.cn/admin/requests/12',
      'https://mulin.example.gov.cn/admin/figures',
    ]);
  });

  it('names each bad value with what it expects', () => {
    const problems = problemsOf({
      MULIN_DIGEST_SCHEDULE: 'every monday',
      MULIN_QUIET_HOURS: '9pm-8am',
      MULIN_AUTO_CLOSE_AFTER: '0h',
      MULIN_REMINDER_SCHEDULE: '61 * * * *',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'MULIN_DIGEST_SCHEDULE: expected a cron expression such as "0 9 * * 1" (minute hour day month weekday), or off',
        'MULIN_REMINDER_SCHEDULE: expected a cron expression such as "0 9 * * 1" (minute hour day month weekday), or off',
        'MULIN_QUIET_HOURS: expected a nightly window such as 21:00-08:00 (24-hour clock), or off',
        'MULIN_AUTO_CLOSE_AFTER: expected a duration such as 72h, 3d or 90m',
      ]),
    );
    expect(problemsOf({ MULIN_QUIET_HOURS: '08:00-08:00' })).toHaveLength(1);
  });
});
