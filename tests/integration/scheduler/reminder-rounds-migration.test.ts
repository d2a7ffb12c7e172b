import { openTestDatabase, undoMigrationsThrough, type TestDatabase } from '../../helpers/database';
import {
  acknowledge,
  addRequest,
  at,
  emptyStreet,
  newScheduler,
  outbox,
  rateBad,
  resolve,
} from './scheduler-fixtures';

/**
 * Upgrading a database whose reminders were recorded once per (request, stage): a reopened
 * request's reminder of its current round keeps that round, so the first sweep after the upgrade
 * does not remind it again.
 */
let db: TestDatabase;

beforeAll(async () => {
  db = await openTestDatabase();
  await emptyStreet(db.dataSource);
});

afterAll(() => db.close());

it('keeps a reopened round already reminded before the upgrade from being reminded again', async () => {
  const ds = db.dataSource;
  const head = 'head.c1-b1';
  const reminded = await addRequest(ds, {
    compoundId: 'c1',
    buildingId: 'c1-b1',
    assigneeId: head,
    createdAt: at('10-05 10:00'),
    text: '楼道灯不亮',
  });
  const notYet = await addRequest(ds, {
    compoundId: 'c1',
    buildingId: 'c1-b1',
    assigneeId: head,
    createdAt: at('10-05 10:00'),
    text: '单元门关不上',
  });
  for (const n of [reminded, notYet]) {
    await acknowledge(ds, n, at('10-05 11:00'), head);
    await resolve(ds, n, at('10-06 11:00'), head);
    await rateBad(ds, n, at('10-07 09:00')); // a new round, due 10-14 09:00
  }
  const ids = await ds.query<{ no: number; id: string }[]>(`SELECT no, id FROM request`);
  const idOf = (no: number) => ids.find((r) => r.no === no)?.id;
  // What the old code recorded, one reminder per (request, stage): one request was reminded in
  // its reopened round, the other only before the reopening.
  for (const [no, when] of [
    [reminded, '10-14 10:00'],
    [notYet, '10-06 09:00'],
  ] as const) {
    await ds.query(
      `INSERT INTO request_reminder (request_id, stage, at, outcome) VALUES ($1, 'resolve_remind', $2, 'reminded')`,
      [idOf(no), at(when)],
    );
  }
  // Back to the schema before rounds, then the upgrade.
  await undoMigrationsThrough(ds, 'ReminderRounds1764301100000');
  await ds.runMigrations({ transaction: 'each' });

  const before = await outbox(ds, ['reminder']);
  const { scheduler } = newScheduler(ds, at('10-15 10:00'));
  await scheduler.runJob('reminders', at('10-15 10:00'));
  const queued = (await outbox(ds, ['reminder'])).slice(before.length).map((r) => r.body.content);
  // Only the request not yet reminded in its reopened round is reminded.
  expect(queued.map((text) => /^提醒：#(\d+)/u.exec(text)?.[1])).toEqual([String(notYet)]);
});
