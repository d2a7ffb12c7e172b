import type { TestDatabase } from '../../helpers/database';
import { closeDesk, openDesk, type DeskHarness } from '../../helpers/desk-harness';

/**
 * 催办 counts chases in PostgreSQL, so that instances chasing the same request at the same moment
 * agree on one: the second waits on the request's row lock until the first commits, then reads its
 * chase (READ COMMITTED gives each statement a fresh snapshot) and answers 已经催过了. Another
 * instance is played here by a transaction of the test's own, which PGlite's single connection
 * cannot hold beside the service's: this file runs on a PostgreSQL server.
 */

let db: TestDatabase;
let desk: DeskHarness;

beforeAll(async () => {
  ({ db, desk } = await openDesk());
});

afterAll(() => closeDesk(desk, db));

/** Whether some session is waiting for a lock, polled for up to three seconds. */
async function someoneWaitsForALock(): Promise<boolean> {
  for (let i = 0; i < 60; i++) {
    const [row] = await db.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
    );
    if ((row?.n ?? 0) > 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

it('a chase arriving while another instance is chasing the same request waits, then is told it was chased', async () => {
  const no = await desk.report('lock.ay', '#报修 2单元楼道灯不亮');
  desk.advance(61);

  // Another instance's chase, between locking the request and committing.
  const other = db.dataSource.createQueryRunner();
  await other.connect();
  await other.startTransaction();
  try {
    const [row] = await other.manager.query<{ id: string }[]>(
      `SELECT id FROM request WHERE no = $1 FOR UPDATE`,
      [no],
    );
    await other.manager.query(
      `INSERT INTO request_event (request_id, type, actor_id, at, note, data) VALUES ($1, 'chased', 'lock.lin', $2, NULL, '{}')`,
      [row?.id, desk.clock.now()],
    );
    const chasing = desk.say('lock.ay', `催办 ${no}`);
    expect(await someoneWaitsForALock()).toBe(true);
    await other.commitTransaction();
    const said = await chasing;
    expect(said.sent.map((r) => r.body.content)).toEqual(['已经催过了，刚刚已提醒赵志强，请再等等']);
  } finally {
    if (other.isTransactionActive) await other.rollbackTransaction();
    await other.release();
  }
  expect(await desk.events(no)).toEqual(['created:lock.ay', 'routed:-', 'chased:lock.lin']);
});
