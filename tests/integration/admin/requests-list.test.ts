import type { TestDatabase } from '../../helpers/database';
import { openAdmin, closeAdmin } from './open-admin';
import { AdminClient, listedNos } from './admin-client';
import { NOW, type AdminServer, type Seeded } from './admin-fixtures';

/** Finding what needs doing in the requests list: by number, by what is stuck longest, page by page. */

let db: TestDatabase;
let server: AdminServer;
let seeded: Seeded;
let client: AdminClient;

beforeAll(async () => {
  ({ db, seeded, server, client } = await openAdmin());
});

afterAll(() => closeAdmin({ db, server }));

interface Row {
  no: number;
  status: string;
  ack_due_at: Date | null;
  resolve_due_at: Date | null;
}

async function rowsWhere(condition: string, values: unknown[] = []): Promise<Row[]> {
  return db.dataSource.query<Row[]>(
    `SELECT no, status, ack_due_at, resolve_due_at FROM request WHERE ${condition} ORDER BY no DESC`,
    values,
  );
}

/** Runs `body` with one more request (text, building) in the table, taken out again after. */
async function withRequest(text: string, buildingId: string, body: () => Promise<void>): Promise<void> {
  const [row] = await db.dataSource.query<{ id: string }[]>(
    `INSERT INTO request (no, compound_id, building_id, category, text, reporter_id, status, created_at, updated_at)
     SELECT max(no) + 1, (SELECT compound_id FROM building WHERE id = $2), $2, 'suggestion', $1, 'res.extra',
            'closed', $3, $3 FROM request
     RETURNING id`,
    [text, buildingId, NOW],
  );
  try {
    await body();
  } finally {
    await db.dataSource.query(`DELETE FROM request WHERE id = $1`, [row?.id]);
  }
}

async function listAll(query: string): Promise<number[]> {
  const nos: number[] = [];
  for (let page = 1; page < 10; page++) {
    const found = listedNos(await client.text(`/admin/requests?${query}${query ? '&' : ''}page=${page}`));
    nos.push(...found);
    if (found.length < 20) break;
  }
  return nos;
}

/** The deadline an overdue request missed first, computed here apart from the code under test. */
function missed(r: Row): number {
  const now = NOW.getTime();
  const times: number[] = [];
  if (r.status === 'open' && r.ack_due_at && new Date(r.ack_due_at).getTime() < now)
    times.push(new Date(r.ack_due_at).getTime());
  if (
    ['open', 'acknowledged'].includes(r.status) &&
    r.resolve_due_at &&
    new Date(r.resolve_due_at).getTime() < now
  )
    times.push(new Date(r.resolve_due_at).getTime());
  return Math.min(...times);
}

const OVERDUE = `(status = 'open' AND ack_due_at < $1) OR (status IN ('open','acknowledged') AND resolve_due_at < $1)`;

describe('a number typed in the search box', () => {
  it('lists the request with that number first, then the texts holding it', async () => {
    // Filler posts end in （k）, so 5 is in #5's text and in #15's, #25's, #35's (the 5 in a phone
    // number is not searched).
    const others = (await rowsWhere(`text LIKE '%5%' AND no <> 5 AND no <> $1`, [seeded.phone])).map(
      (r) => r.no,
    );
    expect(others.length).toBeGreaterThan(1);
    expect(others.every((no) => no > 5)).toBe(true);
    const nos = await listAll('q=5');
    expect(nos[0]).toBe(5);
    expect(nos.slice(1).sort((a, b) => b - a)).toEqual(others);
  });

  it('looks the request up by its number alone when it is written as one: #5, ＃5 or 5号', async () => {
    await withRequest('5号楼门口堆了杂物 #5', 'jw-b5', async () => {
      const reads = jest.spyOn(db.dataSource, 'query');
      try {
        for (const q of ['#5', '＃5', '5号', ' 5号 ']) {
          expect([q, await listAll(`q=${encodeURIComponent(q)}`)]).toEqual([q, [5]]);
        }
        // Read by its number: no statement searched the texts.
        const searches = reads.mock.calls
          .map(([sql]) => sql)
          .filter((sql) => /LIKE|search_text|regexp_replace/.test(sql));
        expect(searches).toEqual([]);
      } finally {
        reads.mockRestore();
      }
      // A number no request has lists nothing, rather than the texts holding it.
      expect(await listAll(`q=${encodeURIComponent('#99999')}`)).toEqual([]);
      // The same in the export.
      const csv = await (await client.fetch(`/admin/requests.csv?q=${encodeURIComponent('5号')}`)).text();
      const exported = csv.split('\r\n').slice(1).filter(Boolean);
      expect(exported.map((line) => Number(line.split(',')[0]))).toEqual([5]);
    });
  });
});

describe('what is stuck first', () => {
  it('lists overdue requests longest overdue first when 超时 is ticked, and says so', async () => {
    const overdue = await rowsWhere(OVERDUE, [NOW]);
    expect(overdue.length).toBeGreaterThan(2);
    const expected = [...overdue].sort((a, b) => missed(a) - missed(b) || b.no - a.no).map((r) => r.no);
    expect(expected).not.toEqual(overdue.map((r) => r.no));
    expect(await listAll('overdue=1')).toEqual(expected);
    const page = await client.text('/admin/requests?overdue=1');
    expect(page).toMatch(/<option value=""\s+selected>\s*超时最久\s*<\/option>/);
  });

  it('sorts by the choice made, keeping it in the pager and the form', async () => {
    const all = (await rowsWhere('true')).map((r) => r.no);
    expect(await listAll('sort=oldest')).toEqual([...all].reverse());
    const overdue = await rowsWhere(OVERDUE, [NOW]);
    expect(await listAll('overdue=1&sort=newest')).toEqual(overdue.map((r) => r.no));
    // Overdue first without the filter too, the rest newest first.
    const byMissed = [...overdue].sort((a, b) => missed(a) - missed(b) || b.no - a.no).map((r) => r.no);
    const rest = all.filter((no) => !byMissed.includes(no));
    expect(await listAll('sort=overdue')).toEqual([...byMissed, ...rest]);
    const page = await client.text('/admin/requests?sort=oldest');
    expect(page).toMatch(/<option value="oldest"\s+selected>/);
    expect(page).toContain('href="/admin/requests?sort=oldest&amp;page=2"');
    // The export keeps the filters; its order is its own.
    expect(page).toContain('href="/admin/requests.csv"');
  });

  it('drops a sort that is the default from the address', async () => {
    const res = await client.fetch('/admin/requests?overdue=1&sort=overdue&status=');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/requests?overdue=1');
  });

  it('says on an overdue request which deadline it missed and by how long', async () => {
    // The 7号楼 repair of nine days ago has never been acknowledged: due a day after it came in.
    const [r] = await rowsWhere(`no = $1`, [seeded.hotspot[1]]);
    expect(r?.status).toBe('open');
    const days = Math.floor((NOW.getTime() - new Date(r?.ack_due_at ?? 0).getTime()) / 86_400_000);
    expect(days).toBe(8);
    const row = rowOf(await client.text('/admin/requests?building=jw-b7'), seeded.hotspot[1] ?? 0);
    expect(row).toContain('超时未接单 8天');
    // Acknowledged, past its resolve deadline (the escalated repair is due in a week: not yet).
    const [late] = await rowsWhere(`status = 'acknowledged' AND resolve_due_at < $1`, [NOW]);
    if (late) {
      const hours = (NOW.getTime() - new Date(late.resolve_due_at ?? 0).getTime()) / 3_600_000;
      const page = await client.text(`/admin/requests?q=%23${late.no}`);
      expect(rowOf(page, late.no)).toContain(
        `超时未办结 ${hours < 24 ? `${Math.floor(hours)}小时` : `${Math.floor(hours / 24)}天`}`,
      );
    }
    expect(await client.text(`/admin/requests/${seeded.hotspot[1]}`)).toContain('超时未接单 8天');
  });
});

/** The table row of one request on a list page. */
function rowOf(page: string, no: number): string {
  return (
    new RegExp(`<tr>\\s*<td[^>]*data-label="编号">\\s*<a href="/admin/requests/${no}">[\\s\\S]*?</tr>`).exec(
      page,
    )?.[0] ?? ''
  );
}

describe('the pager', () => {
  it('links the first and the last page, and every link it draws opens', async () => {
    const pages = Math.ceil(seeded.total / 20);
    expect(pages).toBe(3);
    const first = await client.text('/admin/requests');
    expect(first).toContain(`<a href="/admin/requests?page=${pages}">末页</a>`);
    expect(first).not.toMatch(/<a [^>]*>首页<\/a>/);
    const last = await client.text(`/admin/requests?page=${pages}`);
    expect(last).toContain('<a href="/admin/requests">首页</a>');
    expect(last).not.toMatch(/<a [^>]*>末页<\/a>/);
    for (const page of [first, last, await client.text('/admin/requests?page=2')]) {
      const nav = /<nav class="pager"[\s\S]*?<\/nav>/.exec(page)?.[0] ?? '';
      const links = [...nav.matchAll(/href="([^"]+)"/g)].map((m) => (m[1] ?? '').replace(/&amp;/g, '&'));
      expect(links.length).toBeGreaterThan(0);
      for (const link of links) expect([link, (await client.fetch(link)).status]).toEqual([link, 200]);
    }
  });
});

describe('where a request is and who has it', () => {
  const nosOf = async (condition: string, values: unknown[] = []) =>
    (await rowsWhere(condition, values)).map((r) => r.no);

  it("finds a building's requests by its name, alone or after its compound's", async () => {
    const seven = await nosOf(`building_id = 'jw-b7'`);
    expect(seven.length).toBeGreaterThan(2);
    for (const q of ['7号楼', '江湾小区7号楼', '江湾小区 7号楼', ' 7号楼 ']) {
      expect([q, await listAll(`q=${encodeURIComponent(q)}`)]).toEqual([q, seven]);
    }
    // 1号楼 is 纪念路新村's; narrowed to 江湾小区, which has none, nothing is found.
    expect(await listAll(`q=${encodeURIComponent('1号楼')}`)).toEqual(await nosOf(`building_id = 'jnl-b1'`));
    expect(await listAll(`compound=jiangwan&q=${encodeURIComponent('1号楼')}`)).toEqual([]);
    // Words in the text still count: a post from elsewhere that names the building is found too.
    await withRequest('江湾小区7号楼门口的路灯坏了', 'jnl-b1', async () => {
      const [extra] = await nosOf(`text LIKE '%7号楼%' AND building_id <> 'jw-b7'`);
      expect(extra).toBeDefined();
      expect(await listAll(`q=${encodeURIComponent('7号楼')}`)).toEqual([extra, ...seven]);
    });
  });

  it("finds a handler's requests by name, and filters by 处理人", async () => {
    const hers = await nosOf(`assignee_id = 'li.xl'`);
    expect(hers.length).toBeGreaterThan(0);
    expect(await listAll(`q=${encodeURIComponent('李秀兰')}`)).toEqual(hers);
    expect(await listAll('assignee=li.xl')).toEqual(hers);
    const theirs = await nosOf(`assignee_id = 'xu.f'`);
    expect(await listAll('assignee=xu.f')).toEqual(theirs);
    const page = await client.text('/admin/requests?assignee=li.xl');
    expect(page).toMatch(/<option value="li\.xl"\s+selected>\s*李秀兰/);
    expect(page).toContain('href="/admin/requests.csv?assignee=li.xl"');
    const csv = await (await client.fetch('/admin/requests.csv?assignee=li.xl')).text();
    const rows = csv.split('\r\n').slice(1).filter(Boolean);
    expect(rows.map((line) => Number(line.split(',')[0]))).toEqual(hers);
  });

  it('offers the handlers of the chosen compound, and the street staff', async () => {
    const handlers = (page: string) =>
      [
        ...(/<select name="assignee">[\s\S]*?<\/select>/.exec(page)?.[0] ?? '').matchAll(
          /<option value="([^"]+)"/g,
        ),
      ]
        .map((m) => m[1])
        .sort();
    const jiangwan = handlers(await client.text('/admin/requests?compound=jiangwan'));
    // The grid worker, the building and unit heads of 江湾小区, the street's admins.
    expect(jiangwan).toEqual(
      [
        'liu.t',
        'qian.gf',
        'wu.sz',
        'zheng.hp',
        'zhang.dm',
        'feng.yl',
        'wang.jg',
        'li.xl',
        'zhao.zq',
        'zhou.m',
        'chen.lj',
      ].sort(),
    );
    // A small street offers every handler at once.
    const all = handlers(await client.text('/admin/requests'));
    expect(all).toEqual(expect.arrayContaining([...jiangwan, 'sun.y', 'wei.xh']));
  });

  it("lists only the chosen compound's buildings, and says why a building of another finds nothing", async () => {
    const buildings = (page: string) =>
      [
        ...(/<select name="building">[\s\S]*?<\/select>/.exec(page)?.[0] ?? '').matchAll(
          /<option value="([^"]+)"/g,
        ),
      ].map((m) => m[1]);
    expect(buildings(await client.text('/admin/requests?compound=jinianlu'))).toEqual(
      expect.arrayContaining(['jnl-b1', 'jnl-b2', 'jnl-b3']),
    );
    expect(
      buildings(await client.text('/admin/requests?compound=jinianlu')).some((id) => id?.startsWith('jw-')),
    ).toBe(false);
    expect(buildings(await client.text('/admin/requests'))).toEqual(
      expect.arrayContaining(['jw-b7', 'jnl-b1']),
    );

    const page = await client.text('/admin/requests?compound=jinianlu&building=jw-b7');
    expect(listedNos(page)).toEqual([]);
    expect(page).toContain('江湾小区 7号楼不在纪念路新村');
    expect(page).toContain('href="/admin/requests?building=jw-b7"');
    expect(page).toContain('href="/admin/requests?compound=jinianlu"');
    // The chosen building stays chosen, so the form says what was asked.
    expect(page).toMatch(/<option value="jw-b7"\s+selected>/);
  });
});

describe("a resident's other requests", () => {
  it("are a link away from a request, by its number: the reporter's id is never shown", async () => {
    const [a, b, c] = (await rowsWhere(`category = 'help'`)).map((r) => r.no);
    if (a === undefined || b === undefined || c === undefined) throw new Error('seed: three help requests');
    await db.dataSource.query(`UPDATE request SET reporter_id = 'res.same' WHERE no = ANY($1::int[])`, [
      [a, b, c],
    ]);
    const detail = await client.text(`/admin/requests/${b}`);
    expect(detail).toContain(`<a href="/admin/requests?reporter_of=${b}">其他诉求 2 条</a>`);
    const list = await client.text(`/admin/requests?reporter_of=${b}`);
    expect(listedNos(list)).toEqual([a, b, c].sort((x, y) => y - x));
    expect(list).toContain(`与诉求 <a href="/admin/requests/${b}">#${b}</a> 同一提交人的诉求`);
    for (const page of [detail, list]) expect(page).not.toContain('res.same');
    // One with no others says nothing of the kind.
    expect(await client.text(`/admin/requests/${seeded.script}`)).not.toContain('reporter_of=');
  });
});
