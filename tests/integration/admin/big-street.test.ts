import { syntheticLedger } from '../../../bench/lib/street';
import { importLedger } from '../../../src/ledger/ledger-store';
import { fixedClock } from '../../../src/shared/clock';
import { openTestDatabase, type TestDatabase } from '../../helpers/database';
import { AdminClient } from './admin-client';
import { ADMIN_TOKEN, NOW, startAdminServer, type AdminServer } from './admin-fixtures';

/**
 * The pages on a street of 400 buildings in 20 compounds, more than the pages list at once: what
 * they show first, what they leave to a link, and what they do not read twice.
 */

const DAY = 86_400_000;
let db: TestDatabase;
let server: AdminServer;
let client: AdminClient;

/** Requests straight into the table, as the busy building's test in admin-pages does. */
async function insert(rows: string, values: unknown[]): Promise<void> {
  await db.dataSource.query(
    `INSERT INTO request (no, compound_id, building_id, category, text, reporter_id, status, assignee_id,
                          created_at, updated_at, ack_due_at, resolve_due_at, closed_at)
     SELECT (SELECT COALESCE(max(no), 0) FROM request) + row_number() OVER (), * FROM (${rows}) r`,
    values,
  );
}

beforeAll(async () => {
  db = await openTestDatabase();
  const ledger = syntheticLedger({ buildings: 400, buildingsPerCompound: 20, unitsPerBuilding: 1 });
  await importLedger(db.dataSource, ledger, fixedClock(new Date(NOW.getTime() - 200 * DAY)), 'synthetic');
  const building = `'b' || lpad(b::text, 5, '0')`;
  const compound = `'c' || lpad(((b - 1) / 20 + 1)::text, 4, '0')`;
  // 25 hotspots: three repairs each in buildings 1–25 within the last 30 days.
  await insert(
    `SELECT ${compound}, ${building}, 'repair', '楼道灯不亮', 'res.' || b, 'closed', NULL,
            t, t, NULL::timestamptz, NULL::timestamptz, t
       FROM generate_series(1, 25) b, generate_series(1, 3) k,
            LATERAL (SELECT $1::timestamptz - (k * 5 + b % 3) * interval '1 day' AS t) x`,
    [NOW],
  );
  // Twelve weeks and more of one closed request a day, round the street.
  await insert(
    `SELECT ${compound}, ${building}, 'help', '帮忙买菜', 'res.h' || d, 'closed', NULL, t, t,
            NULL::timestamptz, NULL::timestamptz, t
       FROM generate_series(1, 100) d, LATERAL (SELECT 30 + d * 3 AS b) bb,
            LATERAL (SELECT $1::timestamptz - d * interval '1 day' AS t) x`,
    [NOW],
  );
  // 205 questions never taken on in 10号楼 of the first compound (b00010), 40 to 100 days old.
  await insert(
    `SELECT 'c0001', 'b00010', 'question', '物业费怎么交', 'res.q' || i, 'open', 'head.00010', t, t,
            t + interval '1 day', t + interval '7 days', NULL::timestamptz
       FROM generate_series(1, 205) i, LATERAL (SELECT $1::timestamptz - (40 + i % 60) * interval '1 day' AS t) x`,
    [NOW],
  );
  server = await startAdminServer(db.dataSource, { adminToken: ADMIN_TOKEN });
  client = new AdminClient(server.url);
  await client.signIn();
});

afterAll(async () => {
  await server.close();
  await db.close();
});

const optionsOf = (page: string, name: string) =>
  [
    ...(new RegExp(`<select name="${name}">[\\s\\S]*?</select>`).exec(page)?.[0] ?? '').matchAll(
      /<option value="([^"]+)"/g,
    ),
  ].map((m) => m[1]);

describe('the weekly figures', () => {
  it('lists the twenty biggest hotspots, with a link to all of them', async () => {
    const page = await client.text('/admin/figures');
    const section = /<h2>热点楼栋[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
    expect(section.match(/class="badge hot"/g)).toHaveLength(20);
    expect(section).toContain('<a href="/admin/figures/hotspots">查看全部 25 处</a>');
    const all = await client.text('/admin/figures/hotspots');
    expect(all.match(/class="badge hot"/g)).toHaveLength(25);
    expect(all).toContain('<title>热点楼栋 · 睦邻</title>');
    // A compound's figures list its own, here under twenty: no link.
    const one = await client.text('/admin/figures?compound=c0001');
    expect(one.match(/class="badge hot"/g)).toHaveLength(20);
    expect(one).not.toContain('/admin/figures/hotspots');
    const two = await client.text('/admin/figures/hotspots?compound=c0002');
    expect(two.match(/class="badge hot"/g)).toHaveLength(5);
    expect((await client.fetch('/admin/figures/hotspots?compound=nowhere')).status).toBe(404);
  });

  it('reads a finished week once: the next views, of the street or a compound, read none', async () => {
    const reads = jest.spyOn(db.dataSource, 'query');
    const weekReads = () => reads.mock.calls.filter(([sql]) => sql.includes('resolved_in_week')).length;
    try {
      const first = await client.text('/admin/figures');
      const read = weekReads();
      expect(await client.text('/admin/figures')).toBe(first);
      await client.text('/admin/figures?compound=c0003');
      expect(weekReads()).toBe(read);
    } finally {
      reads.mockRestore();
    }
  });

  it('reads a week that ended moments ago again, in case a late write lands in it', async () => {
    // Monday 23 November 00:05 in Shanghai: the week of the 16th ended five minutes ago.
    const monday = new Date('2026-11-22T16:05:00Z');
    const early = await startAdminServer(db.dataSource, {
      adminToken: ADMIN_TOKEN,
      clock: fixedClock(monday),
    });
    const reads = jest.spyOn(db.dataSource, 'query');
    const weekReads = () => reads.mock.calls.filter(([sql]) => sql.includes('resolved_in_week')).length;
    try {
      const browser = new AdminClient(early.url);
      await browser.signIn();
      await browser.text('/admin/figures');
      const before = weekReads();
      expect(before).toBeGreaterThanOrEqual(12);
      await browser.text('/admin/figures');
      // The street's series and the compounds' table both end with that week: read again, once.
      expect(weekReads() - before).toBe(1);
    } finally {
      reads.mockRestore();
      await early.close();
    }
  });
});

describe('the requests list', () => {
  it('asks for a compound before listing buildings and heads, then lists its own', async () => {
    const street = await client.text('/admin/requests');
    expect(optionsOf(street, 'building')).toEqual([]);
    expect(street).toContain('先选小区并筛选，再选楼栋');
    // The grid workers and the street staff only.
    expect(optionsOf(street, 'assignee').sort()).toEqual(
      [
        'admin.street',
        ...Array.from({ length: 20 }, (_, c) => `grid.c${String(c + 1).padStart(4, '0')}`),
      ].sort(),
    );
    expect(street.length).toBeLessThan(60_000);

    const compound = await client.text('/admin/requests?compound=c0002');
    expect(optionsOf(compound, 'building')).toEqual(
      Array.from({ length: 20 }, (_, i) => `b${String(21 + i).padStart(5, '0')}`),
    );
    expect(optionsOf(compound, 'assignee')).toHaveLength(1 + 20 * 2 + 1);
    // A building chosen alone lists its compound's.
    expect(optionsOf(await client.text('/admin/requests?building=b00007'), 'building')).toHaveLength(20);
  });
});
