import { getTasks } from 'node-cron';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../../src/db/data-source';
import { addEvent } from '../../../src/requests/request-store';
import { SCHEDULER_LOCK_CLASS } from '../../../src/scheduler/claim';
import { openTestDatabase, usingPostgres, type TestDatabase } from '../../helpers/database';
import { acknowledge, addRequest, at, emptyStreet, newScheduler, resolve } from './scheduler-fixtures';

/** Auto-close, the cron wiring, and the job lock seen from a second connection. */

let db: TestDatabase;

beforeAll(async () => {
  db = await openTestDatabase();
  await emptyStreet(db.dataSource);
});

afterAll(async () => {
  await db.close();
});

const place = { compoundId: 'c2', buildingId: 'c2-b2', assigneeId: 'head.c2-b2' };

async function row(no: number) {
  const [r] = await db.dataSource.query<Record<string, unknown>[]>(
    `SELECT status, rating, closed_at FROM request WHERE no = $1`,
    [no],
  );
  return r;
}

it('closes resolved requests left unrated for 72 hours as confirmed, and nothing else', async () => {
  const unrated = await addRequest(db.dataSource, { ...place, createdAt: at('11-25 09:00') });
  await resolve(db.dataSource, unrated, at('11-26 10:00'), 'head.c2-b2');
  const aMinuteLater = await addRequest(db.dataSource, { ...place, createdAt: at('11-25 09:00') });
  await resolve(db.dataSource, aMinuteLater, at('11-26 10:01'), 'head.c2-b2');
  const neverResolved = await addRequest(db.dataSource, { ...place, createdAt: at('11-01 09:00') });
  const inHand = await addRequest(db.dataSource, { ...place, createdAt: at('11-02 09:00') });
  await acknowledge(db.dataSource, inHand, at('11-02 10:00'), 'head.c2-b2');
  const rated = await addRequest(db.dataSource, { ...place, createdAt: at('11-20 09:00') });
  await resolve(db.dataSource, rated, at('11-21 09:00'), 'head.c2-b2');
  await db.dataSource.transaction(async (tx) => {
    const [[r]] = await tx.query<[{ id: string }[], number]>(
      `UPDATE request SET status = 'closed', rating = 'good', closed_at = $2 WHERE no = $1 RETURNING id`,
      [rated, at('11-21 12:00')],
    );
    await addEvent(tx, r?.id ?? '', { type: 'closed', actorId: 'res.1', at: at('11-21 12:00') });
  });

  const { scheduler } = newScheduler(db.dataSource, at('11-29 10:00'));
  expect(await scheduler.runJob('auto-close', at('11-29 10:00'))).toMatchObject({
    status: 'ran',
    period: '2026-11-29T02:00Z',
    summary: { closed: 1 },
  });
  expect(await row(unrated)).toEqual({ status: 'closed', rating: null, closed_at: at('11-29 10:00') });
  expect(await row(aMinuteLater)).toMatchObject({ status: 'resolved' });
  expect(await scheduler.runJob('auto-close', at('11-29 11:00'))).toMatchObject({ summary: { closed: 1 } });
  expect(await row(aMinuteLater)).toEqual({ status: 'closed', rating: null, closed_at: at('11-29 11:00') });
  // Months later, still nothing unresolved is closed.
  expect(await scheduler.runJob('auto-close', at('12-31 11:00'))).toMatchObject({ summary: { closed: 0 } });
  expect(await row(neverResolved)).toMatchObject({ status: 'open' });
  expect(await row(inHand)).toMatchObject({ status: 'acknowledged' });
  expect(await row(rated)).toMatchObject({ status: 'closed', rating: 'good' });

  const events = await db.dataSource.query<Record<string, unknown>[]>(
    `SELECT r.no, e.actor_id, e.at, e.note, e.data FROM request_event e JOIN request r ON r.id = e.request_id
     WHERE e.type = 'closed' AND e.actor_id IS NULL ORDER BY e.id`,
  );
  expect(events).toEqual([
    {
      no: unrated,
      actor_id: null,
      at: at('11-29 10:00'),
      note: '办结后72小时未评价，自动确认办结',
      data: { auto: true },
    },
    {
      no: aMinuteLater,
      actor_id: null,
      at: at('11-29 11:00'),
      note: '办结后72小时未评价，自动确认办结',
      data: { auto: true },
    },
  ]);
});

it('runs jobs from node-cron in the street time zone and stops cleanly', async () => {
  const { scheduler, clock } = newScheduler(db.dataSource, at('12-03 10:00'), {
    schedules: {
      reminders: '* * * * * *',
      'auto-close': null,
      'weekly-digest': null,
      'building-notes': null,
    },
  });
  const tasks = getTasks().size;
  const madeUp = await scheduler.start();
  expect(madeUp.map((o) => [o.job, o.period, o.status])).toEqual([['reminders', '2026-12-03T02:00Z', 'ran']]);
  expect(await scheduler.start()).toEqual([]);
  expect(getTasks().size).toBe(tasks + 1);
  // The next tick (every second) sweeps the minute the clock now reads.
  clock.set(at('12-03 10:01'));
  const deadline = Date.now() + 5000;
  let periods: string[] = [];
  while (Date.now() < deadline && !periods.includes('2026-12-03T02:01Z')) {
    await new Promise((r) => setTimeout(r, 100));
    periods = (
      await db.dataSource.query<{ period: string }[]>(
        `SELECT period FROM scheduled_run WHERE job = 'reminders'`,
      )
    ).map((p) => p.period);
  }
  await scheduler.stop();
  expect(periods).toContain('2026-12-03T02:01Z');
  expect(getTasks().size).toBe(tasks);
});

// Two sessions holding one advisory lock need a server: the embedded database is a single session.
if (usingPostgres) {
  it('skips at once while another instance holds the job, and runs after', async () => {
    const other: DataSource = await openDatabase({ databaseUrl: db.url, dataDir: 'unused' });
    try {
      const { scheduler } = newScheduler(db.dataSource, at('12-07 09:00'));
      let release: () => void = () => undefined;
      const held = new Promise<void>((r) => (release = r));
      let locked: () => void = () => undefined;
      const isLocked = new Promise<void>((r) => (locked = r));
      const holder = other.transaction(async (tx) => {
        await tx.query(`SELECT pg_advisory_xact_lock($1::int, hashtext('weekly-digest'))`, [
          SCHEDULER_LOCK_CLASS,
        ]);
        locked();
        await held;
      });
      await isLocked;
      expect(await scheduler.runJob('weekly-digest', at('12-07 09:00'))).toEqual({
        job: 'weekly-digest',
        period: '2026-W49',
        status: 'skipped',
        reason: 'busy',
      });
      release();
      await holder;
      expect(await scheduler.runJob('weekly-digest', at('12-07 09:00'))).toMatchObject({ status: 'ran' });
    } finally {
      await other.destroy();
    }
  });
}
