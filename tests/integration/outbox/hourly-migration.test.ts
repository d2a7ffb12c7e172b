import { enqueue } from '../../../src/outbox';
import { claimDue } from '../../../src/outbox/claim';
import { openTestDatabase, undoMigrationsThrough, type TestDatabase } from '../../helpers/database';

/**
 * Upgrading a database that sent private notices within the last hour: each person's hour starts
 * with what was sent to them, so a deploy mid-hour does not hand anyone a fresh 1,000.
 */
let db: TestDatabase;

beforeAll(async () => {
  db = await openTestDatabase();
});

afterAll(() => db.close());

const MINUTE = 60_000;

async function databaseNow(): Promise<Date> {
  const [row] = await db.dataSource.query<{ now: Date }[]>(`SELECT now() AS now`);
  if (!row) throw new Error('no answer from SELECT now()');
  return row.now;
}

it('fills each person’s hour from the app messages sent in the last hour, parts included', async () => {
  const ds = db.dataSource;
  await undoMigrationsThrough(ds, 'OutboxHourly1764301500000');
  const now = await databaseNow();
  const ago = (ms: number) => new Date(now.getTime() - ms);
  /** `count` rows of the key, as the version before wrote them. */
  const rowsOf = (key: string, count: number, status: string, at: Date | null, parts: number) =>
    ds.query(
      `INSERT INTO outbox (purpose, destination, rate_key, body, status, parts_sent, sent_at, next_attempt_at)
       SELECT 'notice', $1::jsonb, $2, '{"kind":"text","content":"通知"}'::jsonb, $3, $4, $5, coalesce($5, now())
       FROM generate_series(1, $6)`,
      [
        JSON.stringify(
          key.startsWith('app:')
            ? { type: 'app_message', userIds: [key.slice(4)] }
            : { type: 'group_webhook', webhookKey: key },
        ),
        key,
        status,
        parts,
        at?.toISOString() ?? null,
        count,
      ],
    );
  const halfHourAgo = ago(30 * MINUTE);
  const tenMinutesAgo = ago(10 * MINUTE);
  await rowsOf('app:li.wei', 700, 'sent', halfHourAgo, 1);
  await rowsOf('app:li.wei', 150, 'sent', tenMinutesAgo, 2); // two parts each
  await rowsOf('app:li.wei', 50, 'sent', ago(70 * MINUTE), 1); // before the hour
  await rowsOf('app:li.wei', 3, 'failed', tenMinutesAgo, 0);
  await rowsOf('app:wang.fang', 5, 'sent', ago(5 * MINUTE), 1);
  await rowsOf('app:zhao.lei', 1, 'pending', null, 2); // part-way through its parts
  await rowsOf('wh-1', 40, 'sent', ago(5 * MINUTE), 1); // a group's webhook: no hourly cap
  // The key row the last claim left for li.wei stays as it was, but for its hour.
  await ds.query(
    `INSERT INTO outbox_rate (rate_key, recent, free_at) VALUES ('app:li.wei', $1::jsonb, $2), ('wh-1', '[]', NULL)`,
    [JSON.stringify([tenMinutesAgo.getTime()]), tenMinutesAgo.toISOString()],
  );

  await ds.runMigrations({ transaction: 'each' });

  const rate = await ds.query<
    { rate_key: string; recent: number[]; free_at: Date | null; hour_sends: [number, number][] }[]
  >(`SELECT rate_key, recent, free_at, hour_sends FROM outbox_rate ORDER BY rate_key`);
  const byKey = new Map(rate.map((r) => [r.rate_key, r]));
  expect(byKey.get('app:li.wei')).toEqual({
    rate_key: 'app:li.wei',
    recent: [tenMinutesAgo.getTime()],
    free_at: tenMinutesAgo,
    hour_sends: [
      [halfHourAgo.getTime(), 700],
      [tenMinutesAgo.getTime(), 300],
    ],
  });
  expect(byKey.get('app:wang.fang')?.hour_sends).toEqual([[ago(5 * MINUTE).getTime(), 5]]);
  // The part-way row's two parts went at a time not recorded: counted as sent at the upgrade.
  const [partWayAt, partWay] = byKey.get('app:zhao.lei')?.hour_sends[0] ?? [0, 0];
  expect(partWay).toBe(2);
  expect(partWayAt).toBeGreaterThanOrEqual(now.getTime());
  expect(byKey.get('wh-1')?.hour_sends).toEqual([]);
  expect(rate).toHaveLength(4);

  // li.wei has had 1,000 this hour: the next waits until the half hour's 700 leave it; wang.fang's goes.
  const later = await databaseNow();
  const notify = (userId: string) =>
    ds.transaction((tx) =>
      enqueue(
        tx,
        {
          purpose: 'notice',
          destination: { type: 'app_message', userIds: [userId] },
          body: { kind: 'text', content: '新通知' },
        },
        later,
      ),
    );
  const [liWei] = await notify('li.wei');
  await notify('wang.fang');
  const claim = await claimDue(ds, later, { batchSize: 10, leaseMs: 60_000, ratePerMinute: 20 });
  // zhao.lei's part-way row goes on too: 2 of their 1,000.
  expect(claim.rows.map((r) => r.rate_key)).toEqual(['app:zhao.lei', 'app:wang.fang']);
  expect(claim.deferred).toBe(1);
  const [held] = await ds.query<{ status: string; next_attempt_at: Date }[]>(
    `SELECT status, next_attempt_at FROM outbox WHERE id = $1`,
    [liWei?.id],
  );
  expect(held).toEqual({
    status: 'pending',
    next_attempt_at: new Date(halfHourAgo.getTime() + 60 * MINUTE + 1000),
  });
});
