import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../../src/db/data-source';
import { migrations } from '../../../src/db/migrations';
import { createScratchDatabase } from '../../helpers/database';

/**
 * A migration over a large street (an index rebuilt over a million requests, a column backfilled)
 * can take longer than the pool's query timeout, which is there so a callback answers 503 quickly
 * when the database stalls. The service must still start: migrations are not under that timeout.
 */
let scratch: { url: string; drop(): Promise<void> };
const opened: DataSource[] = [];

beforeAll(async () => {
  scratch = await createScratchDatabase();
});

afterAll(async () => {
  await Promise.all(opened.map((d) => d.destroy()));
  await scratch.drop();
});

it('a migration that takes longer than the query timeout still runs, and the service starts', async () => {
  const first = await openDatabase({ databaseUrl: scratch.url, dataDir: 'unused' });
  await first.undoLastMigration({ transaction: 'each' });
  await first.destroy();

  // Another session holds the migrations table for longer than the query timeout, as a long
  // migration's statement would take: the pending migration must wait for it, not give up.
  const holder = new Client({ connectionString: scratch.url });
  await holder.connect();
  await holder.query(`BEGIN; LOCK TABLE mulin_migrations IN ACCESS EXCLUSIVE MODE`);
  const released = new Promise<void>((resolve, reject) =>
    setTimeout(() => {
      holder
        .query('COMMIT')
        .then(() => holder.end())
        .then(resolve, reject);
    }, 1500),
  );

  const dataSource = await openDatabase({ databaseUrl: scratch.url, dataDir: 'unused', queryTimeoutMs: 300 });
  opened.push(dataSource);
  await released;

  const applied = await dataSource.query<{ name: string }[]>(`SELECT name FROM mulin_migrations`);
  expect(applied.map((m) => m.name).sort()).toEqual(migrations.map((m) => m.name).sort());
  // The service's own statements keep the timeout.
  await expect(dataSource.query(`SELECT pg_sleep(1)`)).rejects.toThrow(/timeout/i);
});
