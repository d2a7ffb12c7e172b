import { readLedgerFile } from '../../../src/ledger';
import path from 'node:path';
import { weeklyFigures } from '../../../src/digest';
import type { TestDatabase } from '../../helpers/database';
import { openAdmin, closeAdmin } from './open-admin';
import { AdminClient, listedNos } from './admin-client';
import { NOW, PHONE, PHOTO_BYTES, TIME_ZONE, type AdminServer, type Seeded } from './admin-fixtures';

let db: TestDatabase;
let server: AdminServer;
let seeded: Seeded;
let client: AdminClient;

beforeAll(async () => {
  ({ db, seeded, server, client } = await openAdmin());
});

afterAll(() => closeAdmin({ db, server }));

/** Every request number matching the SQL condition, newest first: the expectation, computed apart. */
async function nosWhere(condition: string, values: unknown[] = []): Promise<number[]> {
  const rows = await db.dataSource.query<{ no: number }[]>(
    `SELECT no FROM request WHERE ${condition} ORDER BY no DESC`,
    values,
  );
  return rows.map((r) => r.no);
}

async function listAll(query: string): Promise<number[]> {
  const nos: number[] = [];
  for (let page = 1; page < 10; page++) {
    const found = listedNos(await client.text(`/admin/requests?${query}&page=${page}`));
    nos.push(...found);
    if (found.length < 20) break;
  }
  return nos;
}

describe('the requests list', () => {
  it('shows the newest twenty with the total and pages through the rest', async () => {
    const first = await client.text('/admin/requests');
    expect(first).toContain(`共 ${seeded.total} 条`);
    expect(listedNos(first)).toEqual((await nosWhere('true')).slice(0, 20));
    expect(first).toContain('第 1 / 3 页');
    expect(await listAll('')).toEqual(await nosWhere('true'));
  });

  it.each([
    ['status=open', `status = 'open'`],
    ['status=active', `status IN ('open', 'acknowledged')`],
    ['status=closed', `status = 'closed'`],
    ['compound=changzhong-3c', `compound_id = 'changzhong-3c'`],
    ['building=jw-b7', `building_id = 'jw-b7'`],
    ['category=parking', `category = 'parking'`],
    [
      // Newest first when asked: 超时 alone lists the longest overdue first (requests-list.test.ts).
      'overdue=1&sort=newest',
      `(status = 'open' AND ack_due_at < '2026-11-25T06:00:00Z') OR (status IN ('open','acknowledged') AND resolve_due_at < '2026-11-25T06:00:00Z')`,
    ],
    ['escalated=1', `escalation_level > 0`],
    ['council=1', `council`],
    ['q=漏水', `text LIKE '%漏水%'`],
    [
      'compound=jinianlu&category=repair&status=open',
      `compound_id = 'jinianlu' AND category = 'repair' AND status = 'open'`,
    ],
  ])('?%s lists exactly the matching requests', async (query, condition) => {
    const expected = await nosWhere(condition);
    expect(expected.length).toBeGreaterThan(0);
    expect(await listAll(query)).toEqual(expected);
  });

  it('finds a request by its number, and takes % and _ literally', async () => {
    expect(await listAll(`q=%23${seeded.phone}`)).toEqual([seeded.phone]);
    expect(await listAll('q=%25')).toEqual([]);
    expect(await listAll('q=_')).toEqual([]);
  });

  it('keeps the filters in the form, the pager and the export link', async () => {
    const page = await client.text('/admin/requests?status=active&compound=jiangwan&overdue=1');
    expect(page).toMatch(/<option value="active"\s+selected/);
    expect(page).toMatch(/<option value="jiangwan"\s+selected/);
    expect(page).toMatch(/name="overdue" value="1"\s+checked/);
    expect(page).toContain('href="/admin/requests.csv?status=active&amp;compound=jiangwan&amp;overdue=1"');
  });

  it('drops the empty fields the form sends, so the address names only the filters set', async () => {
    const res = await client.fetch('/admin/requests?status=&compound=&building=jw-b7&category=&q=&overdue=1');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/requests?building=jw-b7&overdue=1');
    const csv = await client.fetch('/admin/requests.csv?status=&building=jw-b7&q=');
    expect(csv.status).toBe(200);
  });

  it('cannot be made to read back the digits a page masks, a few at a time', async () => {
    // The request's text holds 13912345678; the page shows 139****5678.
    for (const probe of ['391234', '9123', '1234', '５６７８']) {
      expect(await listAll(`q=${encodeURIComponent(probe)}`)).toEqual([]);
    }
    expect(await listAll(`q=${encodeURIComponent('厨房水管漏水')}`)).toContain(seeded.phone);
    // Other digits in a text are still found: a room number, a unit.
    expect(await listAll(`q=1${encodeURIComponent('单元厨房')}`)).toContain(seeded.phone);
  });

  it('refuses to search for a phone number, taking it out of the address at once', async () => {
    const res = await client.fetch(`/admin/requests?building=cz-b12&q=${PHONE}`);
    expect(res.status).toBe(303);
    const location = res.headers.get('location') ?? '';
    expect(location).toBe('/admin/requests?building=cz-b12&notice=phone');
    expect(await client.text(location)).toContain('不能用电话号码搜索');
    expect((await client.fetch(`/admin/requests.csv?q=139-1234-5678`)).status).toBe(303);
  });

  it('sends a page past the end to the last page, keeping the filters', async () => {
    const pages = Math.ceil(seeded.total / 20);
    const past = await client.fetch('/admin/requests?page=99');
    expect(past.status).toBe(303);
    expect(past.headers.get('location')).toBe(`/admin/requests?page=${pages}`);
    expect(await client.text(`/admin/requests?page=${pages}`)).toContain(`第 ${pages} / ${pages} 页`);

    const active = (await nosWhere(`status IN ('open', 'acknowledged') AND compound_id = 'jiangwan'`)).length;
    expect(active).toBeGreaterThan(0);
    const lastActive = Math.ceil(active / 20);
    const filtered = await client.fetch('/admin/requests?status=active&compound=jiangwan&page=50');
    expect(filtered.status).toBe(303);
    expect(filtered.headers.get('location')).toBe(
      `/admin/requests?status=active&compound=jiangwan${lastActive > 1 ? `&page=${lastActive}` : ''}`,
    );

    const none = await client.fetch('/admin/requests?q=%E6%B2%A1%E6%9C%89%E8%BF%99%E4%BA%8B&page=2');
    expect(none.status).toBe(303);
    expect(none.headers.get('location')).toBe('/admin/requests?q=%E6%B2%A1%E6%9C%89%E8%BF%99%E4%BA%8B');
  });

  it.each(['status=pending', 'stauts=open', 'page=0', 'page=abc', 'building=5号楼', `q=${'字'.repeat(51)}`])(
    'answers ?%s with 400',
    async (query) => {
      expect((await client.fetch(`/admin/requests?${query}`)).status).toBe(400);
    },
  );
});

describe("a request's page", () => {
  it('shows what was asked, where, the clocks and the timeline in order, phone numbers masked', async () => {
    const page = await client.text(`/admin/requests/${seeded.phone}`);
    expect(page).toContain(`<title>诉求 #${seeded.phone} · 睦邻</title>`);
    expect(page).toContain('1单元厨房水管漏水，电话139****5678');
    expect(page).toContain('href="/admin/ledger/buildings/cz-b12"');
    expect(page).toContain('已上报网格员');
    expect(page).toContain('已列入议事会议题');
    const steps = [...page.matchAll(/<strong>([^<]+)<\/strong>/g)].map((m) => m[1]);
    expect(steps).toEqual(['居民提交', '自动分派', '接单', '上报']);
    expect(page).toContain('需要换水管，业主电话139****5678');
    expect(page).not.toContain(PHONE);
  });

  it('puts the reminders the desk sent into the timeline, in time order', async () => {
    const [request] = await db.dataSource.query<{ id: string }[]>(`SELECT id FROM request WHERE no = $1`, [
      seeded.phone,
    ]);
    const at = async (type: string) => {
      const [e] = await db.dataSource.query<{ at: Date }[]>(
        `SELECT at FROM request_event WHERE request_id = $1 AND type = $2 ORDER BY id LIMIT 1`,
        [request?.id, type],
      );
      if (!e) throw new Error(`no ${type} event`);
      return new Date(e.at).getTime();
    };
    const between = (a: number, b: number) => new Date((a + b) / 2);
    const [routed, acknowledged, escalated] = [
      await at('routed'),
      await at('acknowledged'),
      await at('escalated'),
    ];
    const remind = (stage: string, when: Date, outcome: string) =>
      db.dataSource.query(
        `INSERT INTO request_reminder (request_id, stage, at, outcome) VALUES ($1, $2, $3, $4)`,
        [request?.id, stage, when, outcome],
      );
    await remind('ack_remind', between(routed, acknowledged), 'reminded');
    // Due, but with nowhere to go: shown, and said so.
    await remind('resolve_remind', between(acknowledged, escalated), 'reminder not delivered');
    // An escalation is the request's own event already; its stage row adds nothing to show.
    await remind('resolve_escalate', new Date(escalated), 'escalated to level 1');
    try {
      const page = await client.text(`/admin/requests/${seeded.phone}`);
      const steps = [...page.matchAll(/<strong>([^<]+)<\/strong>/g)].map((m) => m[1]);
      expect(steps).toEqual(['居民提交', '自动分派', '提醒接单', '接单', '提醒办结', '上报']);
      expect(page.match(/未能送达/g)).toHaveLength(1);
      expect(page.indexOf('未能送达')).toBeGreaterThan(page.indexOf('<strong>提醒办结</strong>'));
    } finally {
      await db.dataSource.query(`DELETE FROM request_reminder WHERE request_id = $1`, [request?.id]);
    }
  });

  it("shows the photos Mulin kept, never WeCom's short-lived links", async () => {
    const page = await client.text(`/admin/requests/${seeded.phone}`);
    const [kept] = await db.dataSource.query<{ id: string }[]>(
      `SELECT id FROM inbound_photo WHERE status = 'kept'`,
    );
    expect(page).toContain(`<img src="/admin/photos/${kept?.id}"`);
    expect(page).toContain('照片未能保存（链接已过期）');
    expect(page).toContain('照片保存中');
    expect(page).not.toContain('127.0.0.1:9/wecom');
  });

  it('serves a kept photo with its type, kept by no cache, only when signed in', async () => {
    const [kept] = await db.dataSource.query<{ id: string }[]>(
      `SELECT id FROM inbound_photo WHERE status = 'kept'`,
    );
    const res = await client.fetch(`/admin/photos/${kept?.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    // Like the pages: a copy in a shared office browser's cache would outlive 退出.
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(PHOTO_BYTES);
    const anonymous = await fetch(`${server.url}/admin/photos/${kept?.id}`, { redirect: 'manual' });
    expect([302, 303, 401]).toContain(anonymous.status);
    const [notKept] = await db.dataSource.query<{ id: string }[]>(
      `SELECT id FROM inbound_photo WHERE status <> 'kept' LIMIT 1`,
    );
    for (const id of [notKept?.id, '0', 'abc', '99999999999999999999'])
      expect((await client.fetch(`/admin/photos/${id}`)).status).toBe(404);
  });

  it('shows a rating and its note', async () => {
    const [rated] = await db.dataSource.query<{ no: number }[]>(
      `SELECT no FROM request WHERE rating = 'bad' ORDER BY no LIMIT 1`,
    );
    const page = await client.text(`/admin/requests/${rated?.no}`);
    expect(page).toContain('不满意');
    expect(page).toContain('还是不行');
  });

  it("renders a resident's markup as text", async () => {
    const page = await client.text(`/admin/requests/${seeded.script}`);
    expect(page).toContain(
      '&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;&lt;b&gt;建议&lt;/b&gt;加装路灯 &amp; 监控',
    );
    expect(page).not.toMatch(/<script|<b>/i);
    expect(await client.text('/admin/requests')).not.toMatch(/<script|<b>/i);
  });

  it.each(['999', '0', 'abc', '99999999999', '1.5'])('answers /admin/requests/%s with 404', async (no) => {
    expect((await client.fetch(`/admin/requests/${no}`)).status).toBe(404);
  });
});

describe('the ledger', () => {
  it('opens on the compounds, each linked to its own buildings', async () => {
    const page = await client.text('/admin/ledger');
    expect(page).toContain('江湾街道 台账');
    for (const [id, name] of [
      ['jiangwan', '江湾小区'],
      ['jinianlu', '纪念路新村'],
      ['changzhong-3c', '场中路三村'],
    ])
      expect(page).toContain(`<td data-label="小区"><a href="/admin/ledger?compound=${id}">${name}</a></td>`);
    expect(page).not.toContain('/admin/ledger/buildings/');
  });

  it("lists a compound's buildings with their paths, heads and open requests, hotspots flagged", async () => {
    const page = await client.text('/admin/ledger?compound=jiangwan');
    expect(page).toContain('江湾街道 台账');
    expect(page).toContain('<title>江湾小区 台账 · 睦邻</title>');
    expect(page).toContain('自治提升型');
    expect(page).toContain('兜底保障型');
    expect(page).toContain('钱桂芳');
    const sevenRow =
      /<a href="\/admin\/ledger\/buildings\/jw-b7">7号楼<\/a>([\s\S]*?)<\/tr>/.exec(page)?.[0] ?? '';
    expect(sevenRow).toContain('热点');
    const jinianlu = await client.text('/admin/ledger?compound=jinianlu');
    expect(jinianlu).toContain('href="/admin/ledger/buildings/jnl-b2"');
    expect(jinianlu).not.toMatch(/buildings\/jnl-b2">2号楼<\/a>\s*<span class="badge hot">/);
  });

  it("shows a building's ledger entry, profile, open requests, last 90 days and its hotspot", async () => {
    const page = await client.text('/admin/ledger/buildings/jw-b7');
    expect(page).toContain('江湾小区 7号楼');
    expect(page).toContain('王建国');
    expect(page).toContain('赵志强');
    expect(page).toContain('暂无单元长');
    expect(page).toContain('热点提示');
    expect(page).toContain(`「报修」3 次`);
    for (const no of seeded.hotspot) expect(page).toContain(`href="/admin/requests/${no}"`);
    expect(page).not.toContain('wrkB7FAKE');
    expect(page).not.toContain('0000fake');
  });

  it("shows the street's survey of the building", async () => {
    const page = await client.text('/admin/ledger/buildings/jw-b5');
    const read = readLedgerFile(path.join(__dirname, '..', '..', '..', 'examples', 'ledger.yaml'));
    if (!read.ok) throw new Error('example ledger');
    const profile = read.ledger.compounds[0]?.buildings[0]?.profile ?? {};
    expect(Object.keys(profile).length).toBeGreaterThan(2);
    expect(page).toContain('楼栋画像');
    for (const [key, value] of Object.entries(profile)) {
      expect(page).toContain(`<dt>${key}</dt>`);
      expect(page).toContain(Array.isArray(value) ? value.join('、') : String(value));
    }
    // The main dimensions first, whatever order jsonb keeps.
    expect(page.indexOf('居民结构')).toBeLessThan(page.indexOf('<dt>设施'));
    expect(page.indexOf('<dt>设施')).toBeLessThan(page.indexOf('自治基础'));
  });

  it("tells the ledger's editor in plain words how to add a survey the building lacks", async () => {
    const read = readLedgerFile(path.join(__dirname, '..', '..', '..', 'examples', 'ledger.yaml'));
    if (!read.ok) throw new Error('example ledger');
    const bare = read.ledger.compounds.flatMap((c) => c.buildings).find((b) => !b.profile);
    if (!bare) throw new Error('every example building has a profile');
    const card = /<h2>楼栋画像<\/h2>[\s\S]*?<\/section>/.exec(
      await client.text(`/admin/ledger/buildings/${bare.id}`),
    )?.[0];
    expect(card).toContain('还没有这栋楼的画像');
    expect(card).toContain('<code>profile:</code>');
    expect(card).toContain('重新导入台账');
    // The YAML key is the only word of the file's own: no bare field name in the sentence.
    const words = (card ?? '').replace('<code>profile:</code>', '').replace(/<[^>]*>/g, '');
    expect(words).not.toMatch(/[A-Za-z]/);
  });

  it('does not flag a building with two of a kind', async () => {
    expect(await client.text('/admin/ledger/buildings/jnl-b2')).not.toContain('热点提示');
  });

  it('answers an unknown building with 404', async () => {
    expect((await client.fetch('/admin/ledger/buildings/nowhere')).status).toBe(404);
  });
});

describe('the weekly figures', () => {
  it('charts twelve weeks as the digest computes them, for the street and per compound', async () => {
    for (const compound of [undefined, 'jiangwan']) {
      const page = await client.text(`/admin/figures${compound ? `?compound=${compound}` : ''}`);
      const weeks = [...page.matchAll(/class="muted small wk">(2026-W\d\d)</g)].map((m) => m[1]);
      expect(weeks).toHaveLength(12);
      expect(weeks[0]).toBe('2026-W47');
      expect(weeks[11]).toBe('2026-W36');
      const bars = [...page.matchAll(/<rect [^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
      expect(bars.filter((h) => h > 0).length).toBeGreaterThan(10);
      expect(page).toMatch(/<path d="M[\d. LM]+"/);

      // W47 as the digest has it: the page reads the one definition of the rates.
      const w47 = await weeklyFigures(db.dataSource, {
        weekStart: new Date('2026-11-15T16:00:00Z'),
        timeZone: TIME_ZONE,
        compoundId: compound ?? null,
      });
      const row = /wk">2026-W47<[\s\S]*?<\/tr>/.exec(page)?.[0] ?? '';
      const cells = [...row.matchAll(/class="num">\s*([^<]*)/g)].map((m) => m[1]?.trim());
      expect(cells.slice(0, 2)).toEqual([String(w47.received), String(w47.resolved)]);
      const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)}%`);
      expect(cells.slice(2)).toEqual(
        [w47.response, w47.resolution, w47.satisfaction].map((r) => pct(r.value)),
      );
    }
  });

  it("sets every compound's last full week side by side, as the digest computes it", async () => {
    const page = await client.text('/admin/figures');
    const table = page.slice(page.indexOf('各小区上周'));
    const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)}%`);
    const seen = [];
    for (const [, id, body] of table.matchAll(
      /href="\/admin\/figures\?compound=([^"]+)">[^<]*<\/a><\/td>([\s\S]*?)<\/tr>/g,
    )) {
      const f = await weeklyFigures(db.dataSource, {
        weekStart: new Date('2026-11-15T16:00:00Z'),
        timeZone: TIME_ZONE,
        compoundId: id ?? null,
      });
      const cells = [...(body ?? '').matchAll(/class="num">\s*([^<]*)/g)].map((m) => m[1]?.trim());
      expect(cells).toEqual([
        String(f.received),
        ...[f.response, f.resolution, f.satisfaction].map((r) => pct(r.value)),
      ]);
      seen.push({ id, received: f.received });
    }
    expect(seen.map((c) => c.id).sort()).toEqual(['changzhong-3c', 'jiangwan', 'jinianlu'].sort());
    expect(seen.some((c) => c.received > 0)).toBe(true);
  });

  it('lists the hotspots', async () => {
    const page = await client.text('/admin/figures');
    expect(page).toContain('热点楼栋');
    expect(page).toMatch(/江湾小区 7号楼<\/a>\s*「报修」3 次/);
    expect(await client.text('/admin/figures?compound=jinianlu')).not.toContain('江湾小区 7号楼</a>');
  });

  it('answers an unknown compound with 404 and a bad query with 400', async () => {
    expect((await client.fetch('/admin/figures?compound=nowhere')).status).toBe(404);
    expect((await client.fetch('/admin/figures?week=1')).status).toBe(400);
  });
});

it('never shows a phone number or puts a request into a title, on any page', async () => {
  const read = readLedgerFile(path.join(__dirname, '..', '..', '..', 'examples', 'ledger.yaml'));
  if (!read.ok) throw new Error('example ledger');
  const phones = read.ledger.people.flatMap((p) => (p.phone ? [p.phone] : []));
  const buildings = read.ledger.compounds.flatMap((c) => c.buildings.map((b) => b.id));
  const nos = await nosWhere('true');
  const pages = [
    '/admin/requests',
    '/admin/requests?page=2',
    '/admin/requests?page=3',
    '/admin/ledger',
    ...read.ledger.compounds.map((c) => `/admin/ledger?compound=${c.id}`),
    '/admin/figures',
    ...nos.map((no) => `/admin/requests/${no}`),
    ...buildings.map((id) => `/admin/ledger/buildings/${id}`),
  ];
  for (const pagePath of pages) {
    const page = await client.text(pagePath);
    expect([pagePath, /1[3-9]\d{9}/.exec(page)?.[0]]).toEqual([pagePath, undefined]);
    for (const phone of phones) expect(page).not.toContain(phone);
    const title = /<title>([^<]*)<\/title>/.exec(page)?.[1] ?? '';
    expect(title).toMatch(/^(诉求列表|诉求 #\d+|台账|\S+ 台账|周报数据|\S+ \S+号楼) · 睦邻$/);
  }
});

// Last in the file: it adds a thousand requests, which the counts above do not expect.
describe("a busy building's page", () => {
  it('counts every request of the last 90 days and links to all of them without promising that count', async () => {
    const [{ next } = { next: 0 }] = await db.dataSource.query<{ next: number }[]>(
      `SELECT max(no) + 1 AS next FROM request`,
    );
    // 1001 closed suggestions in the last 90 days (past the page's 1000-row read), 5 before.
    await db.dataSource.query(
      `INSERT INTO request (no, compound_id, building_id, category, text, reporter_id, status,
                            created_at, updated_at, closed_at)
       SELECT $1::int + i, 'jiangwan', 'jw-b8', 'suggestion', '建议加装晾衣架', 'res.busy', 'closed', at, at, at
         FROM generate_series(0, 1005) AS i,
              LATERAL (SELECT $2::timestamptz - (CASE WHEN i < 1001 THEN i * 7 ELSE 91 * 24 * 60 END)
                                                * interval '1 minute' AS at) t`,
      [next, NOW],
    );
    const page = await client.text('/admin/ledger/buildings/jw-b8');
    // Matched out of the page, so that a failure shows the heading and the link, not the whole page.
    expect(/近 90 天 <span class="muted small">[^<]*</.exec(page)?.[0]).toBe(
      '近 90 天 <span class="muted small">共 1,001 条<',
    );
    // The summary counts every one of them, not the rows the page lists.
    expect(/<p class="small"> 建议 \d+/.exec(page)?.[0]).toBe('<p class="small"> 建议 1001');
    const links = [...page.matchAll(/<a href="(\/admin\/requests\?building=jw-b8)">([^<]*)<\/a>/g)];
    expect(links.map((m) => m[2])).toEqual(['查看本楼全部诉求（不限时间）']);
    // The hotspot (1001 suggestions in 30 days) links its newest ten, not all of them.
    const hotspot = /<strong>热点提示[\s\S]*?<\/ul>/.exec(page)?.[0] ?? '';
    expect(hotspot).toContain('「建议」1001');
    expect([...hotspot.matchAll(/href="\/admin\/requests\/(\d+)"/g)].map((m) => Number(m[1]))).toEqual(
      // The highest numbers: numbers are given in order of arrival (this test's dates run backwards).
      Array.from({ length: 10 }, (_, i) => next + 991 + i),
    );
    expect(hotspot).toContain('（只列出最近 10 件）');
    const all = await nosWhere(`building_id = 'jw-b8'`);
    expect(all.length).toBe(1006);
    const list = await client.text(links[0]?.[1] ?? '');
    expect(/共 \d+ 条/.exec(list)?.[0]).toBe(`共 ${all.length} 条`);
  });
});
