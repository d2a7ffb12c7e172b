import { weekExceptions, weeklyFigures } from '../../../src/digest';
import { openTestDatabase, type TestDatabase } from '../../helpers/database';
import { acknowledge, addRequest, at, emptyStreet, rateBad, resolve, TZ } from './scheduler-fixtures';

/**
 * A 不满意 in a later week must not rewrite a closed week's figures (README: nothing after a week
 * ends changes them), and the new round's deadline is met only by a new resolution.
 *
 * P and Q: repairs created 11-05 (W45), 7 days to resolve, due 11-12 10:00 (W46). P resolved on
 * time 11-11, Q late 11-16 (W47, so overdue at the end of W46). Both 不满意 11-17 (W47): due again
 * 11-24 10:00 (W48), never resolved again.
 */

let db: TestDatabase;
const no: Record<string, number> = {};

beforeAll(async () => {
  db = await openTestDatabase();
  await emptyStreet(db.dataSource);
  const c1b1 = {
    compoundId: 'c1',
    buildingId: 'c1-b1',
    assigneeId: 'head.c1-b1',
    createdAt: at('11-05 10:00'),
  };
  no.P = await addRequest(db.dataSource, { ...c1b1, text: '楼道灯不亮' });
  no.Q = await addRequest(db.dataSource, { ...c1b1, text: '单元门关不上' });
  for (const n of [no.P, no.Q] as number[])
    await acknowledge(db.dataSource, n, at('11-05 11:00'), 'head.c1-b1');
  await resolve(db.dataSource, no.P, at('11-11 10:00'), 'head.c1-b1');
});

afterAll(async () => {
  await db.close();
});

const week = (monday: string) => ({ weekStart: at(`${monday} 00:00`), timeZone: TZ });
const resolution = async (monday: string) => (await weeklyFigures(db.dataSource, week(monday))).resolution;
const overdue = async (monday: string) =>
  (await weekExceptions(db.dataSource, week(monday))).overdue.map((r) => r.no).sort((a, b) => a - b);

it('keeps a closed week’s resolution rate and overdue list when a later 不满意 reopens', async () => {
  const P = no.P as number;
  const Q = no.Q as number;
  const w46 = { resolution: await resolution('11-09'), overdue: await overdue('11-09') };
  expect(w46.resolution).toMatchObject({ numerator: 1, denominator: 2 });
  expect(w46.overdue).toEqual([Q]);

  await resolve(db.dataSource, Q, at('11-16 12:00'), 'head.c1-b1');
  await rateBad(db.dataSource, P, at('11-17 10:00'));
  await rateBad(db.dataSource, Q, at('11-17 10:00'));

  // Re-run after the reopenings: W46 reads as it did.
  expect({ resolution: await resolution('11-09'), overdue: await overdue('11-09') }).toEqual(w46);
  // W47: nothing was due, nothing overdue (the new deadlines are in W48).
  expect(await resolution('11-16')).toMatchObject({ numerator: 0, denominator: 0 });
  expect(await overdue('11-16')).toEqual([]);
  // W48: both new deadlines passed with no resolution since the reopening.
  expect(await resolution('11-23')).toMatchObject({ numerator: 0, denominator: 2 });
  expect(await overdue('11-23')).toEqual([P, Q]);

  // Resolved again: late for the new round; W46 still untouched.
  await resolve(db.dataSource, P, at('11-25 10:00'), 'head.c1-b1');
  expect(await resolution('11-23')).toMatchObject({ numerator: 0, denominator: 2 });
  expect({ resolution: await resolution('11-09'), overdue: await overdue('11-09') }).toEqual(w46);
});

it('counts a new round’s deadline as met when it is resolved again in time', async () => {
  const R = await addRequest(db.dataSource, {
    compoundId: 'c1',
    buildingId: 'c1-b2',
    assigneeId: 'head.c1-b2',
    createdAt: at('12-01 10:00'),
  });
  await resolve(db.dataSource, R, at('12-02 10:00'), 'head.c1-b2');
  await rateBad(db.dataSource, R, at('12-03 10:00'));
  await resolve(db.dataSource, R, at('12-05 10:00'), 'head.c1-b2');
  // W50 has both deadlines: the first (12-08) met on 12-02, the second (12-10) by 12-05.
  expect(await resolution('12-07')).toMatchObject({ numerator: 2, denominator: 2 });
});
