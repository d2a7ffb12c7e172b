import type { DataSource, QueryRunner } from 'typeorm';
import { openDatabase } from '../../../src/db/data-source';
import { listOutbox } from '../../../src/outbox';
import { postersRecent } from '../../../src/requests/held-photos-store';
import { activeRequestsBy } from '../../../src/requests/repeat-posts';
import { searchRequests } from '../../../src/requests/request-search';
import { createScratchDatabase } from '../../helpers/database';

/**
 * Statements are prepared (src/db/preparing-client.ts), and after a few runs PostgreSQL may plan a
 * prepared statement once for any parameters: a generic plan. A filter on a status passed as a
 * parameter then cannot pick the status indexes, and a listing of a rare status walks the whole
 * table. These read the generic plan of the statement the code actually prepared.
 */
describe('generic plans of the listings filtered by status', () => {
  let scratch: { url: string; drop(): Promise<void> };
  let dataSource: DataSource;
  let runner: QueryRunner;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    dataSource = await openDatabase({ databaseUrl: scratch.url, dataDir: 'unused' });
    // Many sent rows and closed requests, a few dead and withdrawn: what a year leaves.
    await dataSource.query(
      `INSERT INTO outbox (purpose, destination, body, status, sent_at)
       SELECT 'reply', '{"type": "group_webhook", "webhookKey": "k"}', '{}',
              CASE WHEN g % 5000 = 0 THEN 'dead' ELSE 'sent' END, now()
       FROM generate_series(1, 20000) g`,
    );
    await dataSource.query(
      `INSERT INTO request (no, category, text, reporter_id, status, created_at, updated_at)
       SELECT g, 'repair', '楼道灯不亮', 'res' || (g % 500),
              CASE WHEN g % 5000 = 0 THEN 'withdrawn' ELSE 'closed' END, now(), now()
       FROM generate_series(1, 20000) g`,
    );
    await dataSource.query(`ANALYZE outbox`);
    await dataSource.query(`ANALYZE request`);
    runner = dataSource.createQueryRunner();
  });

  afterAll(async () => {
    await runner.release();
    await dataSource.destroy();
    await scratch.drop();
  });

  /** The generic plan of the prepared statement on this connection whose text contains `marker`. */
  async function genericPlan(marker: string, args: string): Promise<string> {
    const [prepared] = (await runner.query(
      `SELECT name FROM pg_prepared_statements WHERE statement LIKE '%' || $1 || '%'`,
      [marker],
    )) as { name: string }[];
    if (!prepared) throw new Error(`no prepared statement with ${marker}`);
    await runner.query(`SET plan_cache_mode = force_generic_plan`);
    try {
      const rows = (await runner.query(`EXPLAIN (COSTS OFF) EXECUTE ${prepared.name}(${args})`)) as {
        'QUERY PLAN': string;
      }[];
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      await runner.query(`RESET plan_cache_mode`);
    }
  }

  it('lists dead outbox rows from the status index, not by walking every sent row', async () => {
    const dead = await listOutbox(runner.manager, { status: 'dead', limit: 50 });
    expect(dead.map((r) => r.status)).toEqual(['dead', 'dead', 'dead', 'dead']);
    const plan = await genericPlan('FROM outbox', '50');
    expect(plan).toContain('ix_outbox_status');
    expect(plan).not.toContain('outbox_pkey');
  });

  it('finds withdrawn requests without walking the closed ones', async () => {
    const found = await searchRequests(runner.manager, { status: 'withdrawn' }, new Date(), {
      limit: 20,
      offset: 0,
    });
    expect(found.map((r) => r.no)).toEqual([20000, 15000, 10000, 5000]);
    const plan = await genericPlan('FROM request WHERE', '20, 0');
    expect(plan).not.toMatch(/Seq Scan|request_no_key|request_pkey/);
  });

  it('never searches by walking the requests from the newest, testing each', async () => {
    const found = await searchRequests(runner.manager, { text: '灯不亮 3' }, new Date(), {
      limit: 20,
      offset: 0,
    });
    expect(found).toEqual([]);
    // Along the number's index, a generic plan would stop after twenty matches, which a rare
    // word never gives: every request read. The order is sorted after the indexes found them.
    const plan = await genericPlan('search_text LIKE', `'%灯不亮 3%', '灯不亮3', '灯不亮 3', 20, 0`);
    expect(plan).not.toMatch(/request_no_key|request_pkey/);
  });

  it("reads a poster's recent requests, to answer a post sent twice, from an index", async () => {
    const found = await activeRequestsBy(runner.manager, ['res7', 'res8'], new Date(Date.now() - 60_000));
    // All closed but for the withdrawn: nothing a post could repeat.
    expect([...found.values()]).toEqual([[], []]);
    const plan = await genericPlan('CROSS JOIN LATERAL', `'{res7}', now()`);
    // Through the reporter's entries or the active requests of the window: a few rows either way.
    expect(plan).toMatch(/Index Scan .*using (ix_request_reporter|ix_request_active) on request/);
    expect(plan).toMatch(/Index Cond: .*created_at >=/);
    expect(plan).not.toMatch(/Seq Scan on request/);
  });

  it("reads a batch's posters' recent requests and held photos together, from indexes", async () => {
    const read = await postersRecent(runner.manager, ['res7', 'res8'], new Date(Date.now() - 60_000));
    expect([...read.requests.values()]).toEqual([[], []]);
    expect([...read.holds.values()]).toEqual([[], []]);
    const plan = await genericPlan('poster_holds', `'{res7}', now()`);
    expect(plan).toMatch(/Index Scan .*using (ix_request_reporter|ix_request_active) on request/);
    expect(plan).not.toMatch(/Seq Scan on request/);
  });
});
