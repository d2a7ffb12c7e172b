import { PhotoKeeper } from '../../src/photos';
import type { ServiceDeps } from '../../src/service';
import { fixedClock } from '../../src/shared/clock';
import { silentLogger } from '../../src/shared/logger';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { startTestService, type RunningService } from '../helpers/test-service';
import { BOT_SECRETS } from '../helpers/wecom-payloads';
import { at, emptyStreet, newScheduler } from './scheduler/scheduler-fixtures';

/**
 * /healthz shows this instance's scheduler and photo keeper: whether they run here, each job's
 * latest run (on any instance) and last attempt here, and what is failing. Only the database
 * decides the status: a scheduler turned off, or a job failing, is there to read, not a 503.
 */

let db: TestDatabase;

beforeAll(async () => {
  db = await openTestDatabase();
  await emptyStreet(db.dataSource);
});

afterAll(() => db.close());

const NOW = at('12-01 10:05');

function keeper(): PhotoKeeper {
  return new PhotoKeeper(db.dataSource, fixedClock(NOW), silentLogger, {
    encodingAesKey: BOT_SECRETS.aesKey,
    // No photo is waiting in these tests: nothing is fetched.
    fetch: () => Promise.reject(new Error('no photo was expected')),
  });
}

/** A web service on this instance, showing `components` on /healthz. */
function serviceWith(components: ServiceDeps['components']): Promise<RunningService> {
  return startTestService({ dataSource: db.dataSource, clock: fixedClock(NOW), components });
}

async function health(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/healthz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

it('says whether the scheduler and the photo keeper run here, and when each job last ran', async () => {
  const { scheduler } = newScheduler(db.dataSource, NOW, { instance: 'web-1' });
  const photos = keeper();
  const service = await serviceWith({ scheduler, photos });
  try {
    expect(await health(service.url)).toMatchObject({
      status: 200,
      body: {
        status: 'ok',
        database: 'ok',
        outbox: { pending: 0 },
        scheduler: { state: 'stopped', instance: 'web-1', failing: false },
        photos: { state: 'stopped', failing: false, failures: 0 },
      },
    });

    // Started, the scheduler makes up Tuesday 10:05's due runs, W48's digest among them.
    await scheduler.start();
    photos.start();
    const { body } = await health(service.url);
    expect(body.photos).toMatchObject({ state: 'running' });
    expect(body.scheduler).toMatchObject({ state: 'running', failing: false });
    const { jobs } = body.scheduler as { jobs: Record<string, unknown> };
    expect(jobs.reminders).toEqual({
      schedule: '*/10 * * * *',
      lastRun: { period: '2026-12-01T02:00Z', at: NOW.toISOString(), instance: 'web-1' },
      lastAttempt: { at: NOW.toISOString(), outcome: 'ran', period: '2026-12-01T02:00Z' },
      failures: 0,
    });
    expect(jobs['weekly-digest']).toMatchObject({
      schedule: '0 9 * * 1',
      lastRun: { period: '2026-W48', instance: 'web-1' },
      lastAttempt: { outcome: 'ran', period: '2026-W48' },
    });
  } finally {
    await scheduler.stop();
    await photos.stop();
    await service.close();
  }

  // An instance with every job turned off and the robot channel off: nothing wrong with it, and it
  // still shows when the jobs last ran on the other instances.
  const off = newScheduler(db.dataSource, NOW, {
    instance: 'web-2',
    schedules: { reminders: null, 'auto-close': null, 'weekly-digest': null, 'building-notes': null },
  }).scheduler;
  await off.start();
  const quiet = await serviceWith({ scheduler: off, photos: null });
  try {
    const { status, body } = await health(quiet.url);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'ok',
      scheduler: { state: 'off', instance: 'web-2', failing: false },
      photos: { state: 'off' },
    });
    expect((body.scheduler as { jobs: Record<string, unknown> }).jobs.reminders).toEqual({
      schedule: 'off',
      lastRun: { period: '2026-12-01T02:00Z', at: NOW.toISOString(), instance: 'web-1' },
      failures: 0,
    });
  } finally {
    await off.stop();
    await quiet.close();
  }
});

it('shows a failing job or keeper round until it succeeds again, and still answers 200', async () => {
  // Not started: a cron tick must not run a job while its table is away.
  const { scheduler } = newScheduler(db.dataSource, NOW, { instance: 'web-3' });
  const photos = keeper();
  const service = await serviceWith({ scheduler, photos });
  try {
    // The database answers, but the tables the job and the keeper need are not there.
    await db.dataSource.query(`ALTER TABLE scheduled_run RENAME TO scheduled_run_away`);
    await db.dataSource.query(`ALTER TABLE inbound_photo RENAME TO inbound_photo_away`);
    try {
      await expect(scheduler.runJob('auto-close', at('12-01 11:00'))).rejects.toThrow();
      await expect(photos.runOnce()).rejects.toThrow();
    } finally {
      await db.dataSource.query(`ALTER TABLE scheduled_run_away RENAME TO scheduled_run`);
      await db.dataSource.query(`ALTER TABLE inbound_photo_away RENAME TO inbound_photo`);
    }
    const failing = await health(service.url);
    expect(failing).toMatchObject({ status: 200, body: { status: 'ok', database: 'ok' } });
    expect(failing.body.scheduler).toMatchObject({
      failing: true,
      jobs: {
        'auto-close': {
          failures: 1,
          // The error's kind, not its message: that is in the log.
          lastAttempt: { outcome: 'failed', period: '2026-12-01T03:00Z', error: 'QueryFailedError 42P01' },
        },
        reminders: { failures: 0 },
      },
    });
    expect(failing.body.photos).toMatchObject({
      failing: true,
      failures: 1,
      lastAttempt: { outcome: 'failed', error: 'QueryFailedError 42P01', at: NOW.toISOString() },
    });

    expect(await scheduler.runJob('auto-close', at('12-01 11:00'))).toMatchObject({ status: 'ran' });
    expect(await photos.runOnce()).toBe(0);
    const recovered = await health(service.url);
    expect(recovered.body.scheduler).toMatchObject({
      failing: false,
      jobs: { 'auto-close': { failures: 0, lastAttempt: { outcome: 'ran' } } },
    });
    expect(recovered.body.photos).toMatchObject({
      failing: false,
      failures: 0,
      lastAttempt: { outcome: 'ok', photos: 0 },
      sinceStart: { kept: 0, retried: 0, failed: 0 },
    });
  } finally {
    await service.close();
  }
});
