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
/** The synthetic street's admins are not the example's 周敏: signed in as 其他 with a name. */
const AS_TESTER = { who: ':other', name: '测试员' };
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
  await client.signIn(ADMIN_TOKEN, undefined, AS_TESTER);
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
      await browser.signIn(ADMIN_TOKEN, undefined, AS_TESTER);
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

describe('the ledger', () => {
  const sectionOf = (page: string, id: string) =>
    new RegExp(`<section class="card" id="compound-${id}">[\\s\\S]*?</section>`).exec(page)?.[0] ?? '';

  it('opens on an overview of the compounds, each linked, without listing every building', async () => {
    const page = await client.text('/admin/ledger');
    expect(page).not.toContain('/admin/ledger/buildings/');
    expect(page.length).toBeLessThan(60_000);
    const overview = /<table[\s\S]*?<\/table>/.exec(page)?.[0] ?? '';
    const linked = [...overview.matchAll(/<a href="\/admin\/ledger\?compound=(c\d{4})">/g)].map((m) => m[1]);
    expect(linked).toEqual(Array.from({ length: 20 }, (_, c) => `c${String(c + 1).padStart(4, '0')}`));
    // 第1小区 has 10号楼's 205 questions, all overdue, a link to each list.
    const first =
      /<tr>\s*<td data-label="小区">\s*<a href="\/admin\/ledger\?compound=c0001">[\s\S]*?<\/tr>/.exec(
        overview,
      )?.[0];
    expect(first).toContain('href="/admin/requests?status=active&amp;compound=c0001">205</a>');
    expect(first).toContain(
      'href="/admin/requests?compound=c0001&amp;overdue=1"><span class="badge warn">205</span></a>',
    );
  });

  it("lists one compound's buildings on its own page, with a chooser for the others", async () => {
    const page = await client.text('/admin/ledger?compound=c0002');
    expect([...page.matchAll(/<section class="card" id="compound-(c\d{4})">/g)].map((m) => m[1])).toEqual([
      'c0002',
    ]);
    const buildings = [...sectionOf(page, 'c0002').matchAll(/href="\/admin\/ledger\/buildings\/(b\d{5})"/g)];
    expect(buildings.map((m) => m[1])).toEqual(
      Array.from({ length: 20 }, (_, i) => `b${String(21 + i).padStart(5, '0')}`),
    );
    const chooser = /<nav class="card small scopes" aria-label="范围">[\s\S]*?<\/nav>/.exec(page)?.[0] ?? '';
    expect(chooser).toContain('<strong>第2小区</strong>');
    expect(chooser).toContain('<a href="/admin/ledger?compound=c0003">第3小区</a>');
    expect(chooser).toContain('<a href="/admin/ledger">全街道</a>');
    expect((await client.fetch('/admin/ledger?compound=nowhere')).status).toBe(404);
    expect((await client.fetch('/admin/ledger?compund=c0002')).status).toBe(400);
  });

  it("links a building's 进行中 and 超时 counts to the list of exactly those requests", async () => {
    const section = sectionOf(await client.text('/admin/ledger?compound=c0001'), 'c0001');
    const row = /<a href="\/admin\/ledger\/buildings\/b00010">[\s\S]*?<\/tr>/.exec(section)?.[0] ?? '';
    const links = [...row.matchAll(/<a href="(\/admin\/requests\?[^"]+)"[^>]*>(?:<span[^>]*>)?(\d+)/g)].map(
      (m) => [(m[1] ?? '').replace(/&amp;/g, '&'), Number(m[2])] as const,
    );
    expect(links).toEqual([
      ['/admin/requests?status=active&building=b00010', 205],
      ['/admin/requests?building=b00010&overdue=1', 205],
    ]);
    for (const [link, n] of links) expect(/共 (\d+) 条/.exec(await client.text(link))?.[1]).toBe(String(n));
    // A building with nothing open shows plain zeros, no link to an empty list.
    const quiet = /<a href="\/admin\/ledger\/buildings\/b00011">[\s\S]*?<\/tr>/.exec(section)?.[0] ?? '';
    expect(quiet).not.toContain('/admin/requests?');
  });
});

describe("a building's page", () => {
  it('says how many requests are being handled in all when it lists only the newest 200', async () => {
    const page = await client.text('/admin/ledger/buildings/b00010');
    const active = /<h2> ?进行中的诉求[\s\S]*?<\/h2>/.exec(page)?.[0];
    expect(active).toContain('进行中的诉求 <span class="muted small">共 205 条，显示最近 200 条</span>');
    const table = page.slice(page.indexOf(active ?? ''), page.indexOf('<h2>近 90 天'));
    expect(table.match(/data-label="编号"/g)).toHaveLength(200);
    expect(table).toContain(
      '<a href="/admin/requests?status=active&amp;building=b00010">查看全部 205 条</a>',
    );
    // The last 90 days: counted and summed up in full, past the page's old 1000-row cut too.
    const [recent] = await db.dataSource.query<{ questions: number; repairs: number }[]>(
      `SELECT count(*) FILTER (WHERE category = 'question')::int AS questions,
              count(*) FILTER (WHERE category = 'repair')::int AS repairs
         FROM request WHERE building_id = 'b00010' AND created_at >= $1`,
      [new Date(NOW.getTime() - 90 * DAY)],
    );
    expect(recent?.questions).toBeGreaterThan(100);
    const history = /<h2>近 90 天[\s\S]*?<br\/>/.exec(page)?.[0];
    expect(history).toBe(
      `<h2>近 90 天 <span class="muted small">共 ${(recent?.questions ?? 0) + 3} 条</span></h2> <p class="small"> 咨询 ${recent?.questions} · 报修 3<br/>`,
    );
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
