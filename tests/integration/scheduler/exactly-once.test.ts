import { getTasks } from 'node-cron';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../../src/db/data-source';
import type { JobOutcome } from '../../../src/scheduler';
import { openTestDatabase, type TestDatabase } from '../../helpers/database';
import { generateStreet, insertStreet } from '../../helpers/synthetic-street';
import { at, newScheduler, outbox, sweepInstants } from './scheduler-fixtures';

/**
 * Two scheduler instances on one database (on PostgreSQL, two connection pools, as two processes
 * would have): every sweep, digest and building note runs once, and a digest that fell due while
 * both were down goes out once when they come back.
 */

let db: TestDatabase;
let second: DataSource;

beforeAll(async () => {
  db = await openTestDatabase();
  // On the embedded database there is one session to share; on PostgreSQL, a second pool.
  second = db.url ? await openDatabase({ databaseUrl: db.url, dataDir: 'unused' }) : db.dataSource;
  const street = generateStreet({
    seed: 48,
    requests: 500,
    from: at('11-09 00:00'),
    to: at('12-01 08:00'),
    asOf: at('12-01 09:00'),
  });
  await insertStreet(db.dataSource, street);
});

afterAll(async () => {
  if (second !== db.dataSource) await second.destroy();
  await db.close();
});

type Ran = Extract<JobOutcome, { status: 'ran' }>;
const ran = (outcomes: JobOutcome[]) => outcomes.filter((o): o is Ran => o.status === 'ran');
const figure = (outcome: Ran | undefined, key: string) => Number(outcome?.summary[key] ?? 0);

it('sweeps each period once and reminds each request once per stage', async () => {
  const a = newScheduler(db.dataSource, at('12-01 09:00'), { instance: 'a' }).scheduler;
  const b = newScheduler(second, at('12-01 09:00'), { instance: 'b' }).scheduler;
  let reminded = 0;
  let escalated = 0;
  for (const instant of sweepInstants(at('12-01 09:00'), at('12-01 12:00'))) {
    const outcomes = await Promise.all([a.runJob('reminders', instant), b.runJob('reminders', instant)]);
    expect(ran(outcomes)).toHaveLength(1);
    const summary =
      ran(outcomes)[0]?.status === 'ran'
        ? (ran(outcomes)[0] as { summary: Record<string, number> }).summary
        : {};
    reminded += summary.reminded ?? 0;
    escalated += summary.escalated ?? 0;
  }
  const [stages] = await db.dataSource.query<{ reminded: string; escalated: string }[]>(
    `SELECT count(*) FILTER (WHERE outcome = 'reminded') AS reminded,
            count(*) FILTER (WHERE outcome LIKE 'escalated%') AS escalated
     FROM request_reminder`,
  );
  expect([Number(stages?.reminded), Number(stages?.escalated)]).toEqual([reminded, escalated]);
  // A street left unswept for weeks has plenty to chase at its first sweep.
  expect(reminded).toBeGreaterThan(50);
  expect(escalated).toBeGreaterThan(0);
  const reminders = await outbox(db.dataSource, ['reminder']);
  expect(reminders).toHaveLength(reminded);
  expect(new Set(reminders.map((r) => r.dedupe_key)).size).toBe(reminded);
  const runs = await db.dataSource.query<{ n: string }[]>(
    `SELECT count(*) AS n FROM scheduled_run WHERE job = 'reminders'`,
  );
  expect(Number(runs[0]?.n)).toBe(19);
});

it('sends each weekly digest and building note once', async () => {
  const a = newScheduler(db.dataSource, at('11-30 09:00'), { instance: 'a' }).scheduler;
  const b = newScheduler(second, at('11-30 09:00'), { instance: 'b' }).scheduler;
  const digest = await Promise.all([
    a.runJob('weekly-digest', at('11-30 09:00')),
    b.runJob('weekly-digest', at('11-30 09:00')),
    a.runJob('weekly-digest', at('11-30 09:00')),
  ]);
  expect(ran(digest)).toHaveLength(1);
  expect(ran(digest)[0]).toMatchObject({ period: '2026-W48', summary: { destination: 'leadership' } });
  const notes = await Promise.all([
    a.runJob('building-notes', at('11-30 09:30')),
    b.runJob('building-notes', at('11-30 09:30')),
  ]);
  expect(ran(notes)).toHaveLength(1);

  const digests = await outbox(db.dataSource, ['digest']);
  const parts = figure(ran(digest)[0], 'parts');
  expect(digests.map((d) => d.dedupe_key)).toEqual(
    Array.from({ length: parts }, (_, i) => `digest:2026-W48:part${i + 1}:0`),
  );
  expect(digests.every((d) => d.destination.webhookKey === 'syn-leadership')).toBe(true);
  const weekly = await outbox(db.dataSource, ['weekly-note']);
  expect(weekly.length).toBe(figure(ran(notes)[0], 'queued'));
  expect(new Set(weekly.map((w) => w.destination.webhookKey)).size).toBe(weekly.length);
  expect(weekly[0]?.body.content).toMatch(
    /^【\d+号楼本周小结】11月23日—11月29日：收到 \d+ 件，办结 \d+ 件，/,
  );
});

it('makes up a digest missed while every instance was down, once, when quiet hours end', async () => {
  // W49's digest was due Monday 12-07 09:00; both instances come back on Tuesday at 23:00.
  const tuesdayNight = at('12-08 23:00');
  const a = newScheduler(db.dataSource, tuesdayNight, { instance: 'a' }).scheduler;
  const b = newScheduler(second, tuesdayNight, { instance: 'b' }).scheduler;
  const tasksBefore = getTasks().size;
  try {
    const [fromA, fromB] = await Promise.all([a.start(), b.start()]);
    // Put off until morning, not queued held: nothing to the leadership group waits behind it.
    expect([...fromA, ...fromB].filter((o) => o.job === 'weekly-digest')).toEqual([
      { job: 'weekly-digest', period: '2026-W49', status: 'skipped', reason: 'quiet' },
      { job: 'weekly-digest', period: '2026-W49', status: 'skipped', reason: 'quiet' },
    ]);
    // Four jobs and the make-up at the end of quiet hours, on each.
    expect(getTasks().size).toBe(tasksBefore + 2 * 5);
  } finally {
    await a.stop();
    await b.stop();
  }
  expect(getTasks().size).toBe(tasksBefore);
  const ofW49 = async () =>
    (await outbox(db.dataSource, ['digest'])).filter((d) => d.dedupe_key?.startsWith('digest:2026-W49'));
  expect(await ofW49()).toEqual([]);

  // Wednesday 08:00, both instances' make-up at the end of quiet hours: one of them queues it.
  const morning = at('12-09 08:00');
  const weekly = ['weekly-digest', 'building-notes'] as const;
  const outcomes = await Promise.all([a.makeUp(morning, weekly), b.makeUp(morning, weekly)]);
  const digestRuns = ran(outcomes.flat()).filter((o) => o.job === 'weekly-digest');
  expect(digestRuns.map((o) => o.period)).toEqual(['2026-W49']);
  const w49 = await ofW49();
  expect(w49.length).toBeGreaterThan(0);
  for (const d of w49) {
    expect(d.created_at.toISOString()).toBe(morning.toISOString());
    expect(d.next_attempt_at.toISOString()).toBe(morning.toISOString());
  }

  // A restart the next morning finds it done.
  const c = newScheduler(db.dataSource, at('12-09 10:00'), { instance: 'c' }).scheduler;
  try {
    const again = await c.start();
    expect(ran(again).filter((o) => o.job === 'weekly-digest')).toEqual([]);
    expect(again.filter((o) => o.job === 'weekly-digest')).toEqual([
      { job: 'weekly-digest', period: '2026-W49', status: 'skipped', reason: 'done' },
    ]);
  } finally {
    await c.stop();
  }
  expect(
    (await outbox(db.dataSource, ['digest'])).filter((d) => d.dedupe_key?.startsWith('digest:2026-W49')),
  ).toHaveLength(w49.length);
});

it('leaves a digest more than three days late to the operator', async () => {
  // W50's digest was due Monday 12-14 09:00; Thursday noon is 75 hours later.
  const d = newScheduler(db.dataSource, at('12-17 12:00'), { instance: 'd' }).scheduler;
  try {
    const outcomes = await d.start();
    expect(outcomes.filter((o) => o.job === 'weekly-digest')).toEqual([]);
  } finally {
    await d.stop();
  }
  const w50 = (await outbox(db.dataSource, ['digest'])).filter((r) =>
    r.dedupe_key?.startsWith('digest:2026-W50'),
  );
  expect(w50).toEqual([]);
});
