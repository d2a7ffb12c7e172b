import type { DataSource } from 'typeorm';
import { openDatabase } from '../../../src/db/data-source';
import { isStalePreparedStatement } from '../../../src/db/preparing-client';
import { searchRequests } from '../../../src/requests/request-search';
import { addEvent, findRequestByNo, insertRequest, listEvents } from '../../../src/requests/request-store';
import { createScratchDatabase } from '../../helpers/database';

/**
 * Named prepared statements (src/db/preparing-client.ts), read back from the server's own list of
 * the session's prepared statements (pg_prepared_statements), on a real PostgreSQL.
 */
describe('prepared statements on PostgreSQL', () => {
  let scratch: { url: string; drop(): Promise<void> };

  beforeAll(async () => {
    scratch = await createScratchDatabase();
  });

  afterAll(async () => {
    await scratch.drop();
  });

  /** Runs `work` on a DataSource of its own, opened as the service opens one, then closes it. */
  async function withDataSource(
    work: (dataSource: DataSource) => Promise<void>,
    prepareStatements = true,
  ): Promise<void> {
    const dataSource = await openDatabase({ databaseUrl: scratch.url, dataDir: 'unused', prepareStatements });
    try {
      await work(dataSource);
    } finally {
      await dataSource.destroy();
    }
  }

  /** Runs `work` on one connection, then returns that connection's prepared statements. */
  async function onOneConnection(
    dataSource: DataSource,
    work: (query: (sql: string, params?: unknown[]) => Promise<unknown>) => Promise<void>,
  ): Promise<{ name: string; statement: string }[]> {
    const runner = dataSource.createQueryRunner();
    try {
      await work((sql, params) => runner.query(sql, params));
      return (await runner.query(`SELECT name, statement FROM pg_prepared_statements ORDER BY name`)) as {
        name: string;
        statement: string;
      }[];
    } finally {
      await runner.release();
    }
  }

  it('prepares a statement with parameters once per connection, by a name taken from its text', async () => {
    await withDataSource(async (dataSource) => {
      const sums: unknown[] = [];
      const prepared = await onOneConnection(dataSource, async (query) => {
        for (const n of [1, 2, 3]) sums.push(await query(`SELECT $1::int + 1 AS sum`, [n]));
        await query(`SELECT 1 AS no_parameters`);
      });
      expect(sums).toEqual([[{ sum: 2 }], [{ sum: 3 }], [{ sum: 4 }]]);
      // The migrations' statements may be there too, when they ran on this connection.
      expect(prepared.filter((p) => p.statement.includes('AS sum'))).toEqual([
        { name: expect.stringMatching(/^mulin_[0-9a-f]{20}_0$/), statement: 'SELECT $1::int + 1 AS sum' },
      ]);
    });
  });

  it('keeps TypeORM results as they were: rows, and [rows, count] for an UPDATE', async () => {
    await withDataSource(async (dataSource) => {
      await dataSource.query(`CREATE TABLE IF NOT EXISTS prepared_probe (id int PRIMARY KEY, v text)`);
      await dataSource.query(`INSERT INTO prepared_probe VALUES (1, 'a'), (2, 'b') ON CONFLICT DO NOTHING`);
      const updated: unknown = await dataSource.query(
        `UPDATE prepared_probe SET v = $1 WHERE id <= $2 RETURNING id`,
        ['c', 2],
      );
      expect(updated).toEqual([[{ id: 1 }, { id: 2 }], 2]);
      await expect(dataSource.query(`SELECT v FROM prepared_probe WHERE id = $1`, [2])).resolves.toEqual([
        { v: 'c' },
      ]);
    });
  });

  it('stops naming statements past 256 texts on a connection, and still runs them', async () => {
    await withDataSource(async (dataSource) => {
      const answers: unknown[] = [];
      const prepared = await onOneConnection(dataSource, async (query) => {
        for (let i = 0; i < 300; i++) answers.push(await query(`SELECT $1::int AS n, ${i} AS variant`, [i]));
      });
      expect(answers).toEqual(Array.from({ length: 300 }, (_, i) => [{ n: i, variant: i }]));
      // Every name taken (the migrations' statements count against the bound too).
      expect(prepared).toHaveLength(256);
    });
  });

  it('prepares a statement afresh after a migration changed the columns it returns, failing it once per process', async () => {
    const dataSource = await openDatabase({ databaseUrl: scratch.url, dataDir: 'unused' });
    const newer = await openDatabase({ databaseUrl: scratch.url, dataDir: 'unused' });
    const first = dataSource.createQueryRunner();
    const second = dataSource.createQueryRunner();
    try {
      await dataSource.query(`CREATE TABLE IF NOT EXISTS migrated_probe (id int PRIMARY KEY, v text)`);
      await dataSource.query(`INSERT INTO migrated_probe VALUES (1, 'a') ON CONFLICT DO NOTHING`);
      const read = (runner: typeof first) => runner.query(`SELECT * FROM migrated_probe WHERE id = $1`, [1]);
      // Both connections hold the statement prepared.
      await expect(read(first)).resolves.toEqual([{ id: 1, v: 'a' }]);
      await expect(read(second)).resolves.toEqual([{ id: 1, v: 'a' }]);
      // A newer instance migrates while this one runs.
      await newer.query(`ALTER TABLE migrated_probe ADD COLUMN w text DEFAULT 'b'`);
      // Known by its code and routine (the message is translated where lc_messages is not English).
      const stale: unknown = await read(first).catch((error: unknown) => error);
      expect(stale).toMatchObject({ driverError: { code: '0A000', routine: 'RevalidateCachedQuery' } });
      expect(isStalePreparedStatement(stale)).toBe(true);
      await expect(read(first)).resolves.toEqual([{ id: 1, v: 'a', w: 'b' }]);
      // The other connection never runs the stale statement again.
      await expect(read(second)).resolves.toEqual([{ id: 1, v: 'a', w: 'b' }]);
    } finally {
      await first.release();
      await second.release();
      await newer.destroy();
      await dataSource.destroy();
    }
  });

  it('keeps reading requests and events across a migration that adds columns to their tables', async () => {
    const dataSource = await openDatabase({ databaseUrl: scratch.url, dataDir: 'unused' });
    const newer = await openDatabase({ databaseUrl: scratch.url, dataDir: 'unused' });
    const runner = dataSource.createQueryRunner();
    try {
      const at = new Date('2026-11-28T06:00:00Z');
      const created = await dataSource.transaction(async (tx) => {
        const request = await insertRequest(tx, {
          no: 9001,
          compoundId: 'c1',
          buildingId: 'b1',
          unitNo: 2,
          room: null,
          category: 'repair',
          text: '楼道灯不亮',
          imageUrls: [],
          reporterId: 'res1',
          chatId: null,
          status: 'open',
          priority: 'normal',
          hazard: null,
          utility: null,
          assigneeId: 'unit2.b1',
          teamIds: [],
          ackDueAt: null,
          resolveDueAt: null,
          inboundId: null,
          createdAt: at,
        });
        await addEvent(tx, request.id, { type: 'created', actorId: 'res1', at });
        return request;
      });
      const readAll = async () => ({
        request: await findRequestByNo(runner.manager, 9001, false),
        events: await listEvents(runner.manager, [created.id]),
        found: await searchRequests(runner.manager, {}, at, { limit: 5, offset: 0 }),
      });
      const before = await readAll();
      expect(before.request).toEqual(created);
      // A newer instance migrates while this one runs, adding a column to each table read.
      await newer.query(`ALTER TABLE request ADD COLUMN added_later text DEFAULT 'x'`);
      await newer.query(`ALTER TABLE request_event ADD COLUMN added_later text DEFAULT 'x'`);
      try {
        // The same prepared statements, on the same connection: no stale plan, the same rows.
        await expect(readAll()).resolves.toEqual(before);
      } finally {
        await newer.query(`ALTER TABLE request DROP COLUMN added_later`);
        await newer.query(`ALTER TABLE request_event DROP COLUMN added_later`);
      }
    } finally {
      await runner.release();
      await newer.destroy();
      await dataSource.destroy();
    }
  });

  it('prepares nothing with DATABASE_PREPARE=off', async () => {
    await withDataSource(async (dataSource) => {
      const prepared = await onOneConnection(dataSource, async (query) => {
        await query(`SELECT $1::int + 1 AS sum`, [1]);
      });
      // Not this statement, nor the migrations' before it.
      expect(prepared).toEqual([]);
    }, false);
  });
});
