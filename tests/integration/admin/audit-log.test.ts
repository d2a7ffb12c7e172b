import { fixedClock } from '../../../src/shared/clock';
import { openTestDatabase, type TestDatabase } from '../../helpers/database';
import { AdminClient, csrfOf, squash } from './admin-client';
import {
  ADMIN_TOKEN,
  NOW,
  PHONE,
  seedStreet,
  startAdminServer,
  type AdminServer,
  type Seeded,
} from './admin-fixtures';

/**
 * The audit log (audit_entry, the 操作记录 page): every sign-in, failed ones too, every CSV export
 * and every action on a request's page, with who, what, when and from where; append-only, and
 * never holding the token or a phone number.
 */

const WRONG = 'not-the-token-0123456789';
/** A token short enough to pass for a name (the name box takes 20 characters). */
const SHORT_TOKEN = 'quiet-harbor-lamp';

let db: TestDatabase;
let server: AdminServer;
/** Behind a reverse proxy on 127.0.0.1 (MULIN_TRUSTED_PROXIES). */
let proxied: AdminServer;
let shortToken: AdminServer;
let seeded: Seeded;
const clock = fixedClock(NOW);

beforeAll(async () => {
  db = await openTestDatabase();
  seeded = await seedStreet(db.dataSource);
  server = await startAdminServer(db.dataSource, { adminToken: ADMIN_TOKEN, clock });
  proxied = await startAdminServer(db.dataSource, {
    adminToken: ADMIN_TOKEN,
    clock,
    trustedProxies: ['127.0.0.1'],
  });
  shortToken = await startAdminServer(db.dataSource, { adminToken: SHORT_TOKEN, clock });
});

afterAll(async () => {
  await server.close();
  await proxied.close();
  await shortToken.close();
  await db.close();
});

interface Entry {
  action: string;
  actor_id: string | null;
  actor_name: string | null;
  address: string | null;
  request_no: number | null;
  detail: Record<string, unknown>;
}

/** The log's newest entry id: each test reads what came after it (the log cannot be emptied). */
async function mark(): Promise<string> {
  const [row] = await db.dataSource.query<{ id: string | null }[]>(
    `SELECT max(id)::text AS id FROM audit_entry`,
  );
  return row?.id ?? '0';
}

async function entriesSince(since: string): Promise<Entry[]> {
  return db.dataSource.query<Entry[]>(
    `SELECT action, actor_id, actor_name, address, request_no, detail FROM audit_entry
     WHERE id > $1::bigint ORDER BY id`,
    [since],
  );
}

/** Everything the log holds, as text: for what must never be in it. */
async function wholeLog(): Promise<string> {
  return JSON.stringify(await db.dataSource.query(`SELECT * FROM audit_entry`));
}

/** The hidden fields of one of a request page's action forms. */
async function formFields(client: AdminClient, no: number, action: string): Promise<Record<string, string>> {
  const page = await client.text(`/admin/requests/${no}`);
  const form = new RegExp(`action="/admin/requests/${no}/${action}">(.*?)</form>`).exec(page)?.[1] ?? '';
  return Object.fromEntries(
    [...form.matchAll(/type="hidden" name="(_\w+)" value="([^"]+)"/g)].map((m): [string, string] => [
      m[1] ?? '',
      m[2] ?? '',
    ]),
  );
}

describe('sign-ins', () => {
  it('records a street admin signing in, with the client address', async () => {
    const since = await mark();
    await new AdminClient(server.url).signIn();
    expect(await entriesSince(since)).toEqual([
      {
        action: 'sign_in',
        actor_id: 'zhou.m',
        actor_name: '周敏',
        address: '127.0.0.1',
        request_no: null,
        detail: {},
      },
    ]);
  });

  it('records a typed name as the street office, and the address a trusted proxy vouches for', async () => {
    const since = await mark();
    const client = new AdminClient(proxied.url);
    const headers = { 'X-Forwarded-For': '198.51.100.9, 203.0.113.7' };
    const form = await (await client.fetch('/admin/login', { headers })).text();
    const res = await client.post(
      '/admin/login',
      { _csrf: csrfOf(form), token: ADMIN_TOKEN, who: ':other', name: '王小明' },
      headers,
    );
    expect(res.status).toBe(303);
    expect(await entriesSince(since)).toEqual([
      expect.objectContaining({
        action: 'sign_in',
        actor_id: 'street:office',
        actor_name: '王小明',
        address: '203.0.113.7',
      }),
    ]);
  });

  it('records a failed sign-in with who it claimed to be, and never the token typed', async () => {
    const since = await mark();
    const res = await new AdminClient(server.url).signIn(WRONG, undefined, { who: 'chen.lj' });
    expect(res.status).toBe(401);
    expect(await entriesSince(since)).toEqual([
      {
        action: 'sign_in_failed',
        actor_id: 'chen.lj',
        actor_name: '陈丽娟',
        address: '127.0.0.1',
        request_no: null,
        detail: { reason: 'wrong_token' },
      },
    ]);
    const log = await wholeLog();
    expect(log).not.toContain(WRONG);
    expect(log).not.toContain(ADMIN_TOKEN);
  });

  it('keeps no name that is the real token, typed into the name box beside a wrong one', async () => {
    const since = await mark();
    const res = await new AdminClient(shortToken.url).signIn(WRONG, undefined, {
      who: ':other',
      name: SHORT_TOKEN,
    });
    // The form shows the name again as it would any other (to hide it here would tell a guess
    // typed into the name box was right); the log keeps no name at all.
    expect(res.status).toBe(401);
    expect(squash(await res.text())).toContain(`value="${SHORT_TOKEN}"`);
    expect(await entriesSince(since)).toEqual([
      expect.objectContaining({ action: 'sign_in_failed', actor_id: null, actor_name: null }),
    ]);
    expect(await wholeLog()).not.toContain(SHORT_TOKEN);
  });

  it('records nothing for a form refused before the token is tried: no CSRF token, or a bad name', async () => {
    const since = await mark();
    const client = new AdminClient(server.url);
    await client.fetch('/admin/login');
    expect((await client.post('/admin/login', { token: ADMIN_TOKEN, who: 'zhou.m' })).status).toBe(403);
    const csrf = csrfOf(await (await client.fetch('/admin/login')).text());
    const crossSite = await client.post(
      '/admin/login',
      { _csrf: csrf, token: ADMIN_TOKEN, who: 'zhou.m' },
      { 'Sec-Fetch-Site': 'cross-site' },
    );
    expect(crossSite.status).toBe(403);
    const badName = await client.post('/admin/login', {
      _csrf: csrf,
      token: ADMIN_TOKEN,
      who: ':other',
      name: `王${PHONE}`,
    });
    expect(badName.status).toBe(422);
    expect(client.cookie('mulin_session')).toBeUndefined();
    expect(await entriesSince(since)).toEqual([]);
    expect(await wholeLog()).not.toContain(PHONE);
  });
});

describe('CSV exports', () => {
  it('records who exported, with the filters used and the row count, before the file is sent', async () => {
    const client = new AdminClient(server.url);
    await client.signIn(ADMIN_TOKEN, undefined, { who: ':other', name: '王小明' });
    const since = await mark();
    const res = await client.fetch('/admin/requests.csv?building=jw-b7&status=open&q=%E7%81%AF');
    expect(res.status).toBe(200);
    const lines = (await res.text()).split('\r\n').filter(Boolean);
    expect(await entriesSince(since)).toEqual([
      {
        action: 'export_csv',
        actor_id: 'street:office',
        actor_name: '王小明',
        address: '127.0.0.1',
        request_no: null,
        detail: { filters: { building: 'jw-b7', status: 'open', q: '灯' }, rows: lines.length - 1 },
      },
    ]);
    expect(lines.length - 1).toBeGreaterThan(0);
  });

  it('records an export with the bearer token as the token, not as anyone', async () => {
    const since = await mark();
    const res = await fetch(`${server.url}/admin/requests.csv`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(200);
    await res.text();
    expect(await entriesSince(since)).toEqual([
      expect.objectContaining({
        action: 'export_csv',
        actor_id: 'api:token',
        actor_name: null,
        detail: { filters: {}, rows: seeded.total },
      }),
    ]);
  });

  it('records nothing for an export refused for a phone number in the search', async () => {
    const client = new AdminClient(server.url);
    await client.signIn();
    const since = await mark();
    const res = await client.fetch(`/admin/requests.csv?q=${PHONE}`);
    expect(res.status).toBe(303);
    expect(await entriesSince(since)).toEqual([]);
  });
});

describe('actions on a request’s page', () => {
  it('records each 督办, 转派 and 内部备注 once, with the request number, never a note’s text', async () => {
    const client = new AdminClient(server.url);
    await client.signIn(ADMIN_TOKEN, undefined, { who: 'chen.lj' });
    const no = seeded.hotspot[2] ?? 0;
    const since = await mark();

    const urge = { ...(await formFields(client, no, 'urge')), note: '请今天处理' };
    // Sent twice (a double click): done once, recorded once.
    expect((await client.post(`/admin/requests/${no}/urge`, urge)).status).toBe(303);
    expect((await client.post(`/admin/requests/${no}/urge`, urge)).status).toBe(303);
    const [{ assignee_id: from } = { assignee_id: '' }] = await db.dataSource.query<
      { assignee_id: string }[]
    >(`SELECT assignee_id FROM request WHERE no = $1`, [no]);
    const to = from === 'li.xl' ? 'wang.jg' : 'li.xl';
    const reassign = { ...(await formFields(client, no, 'reassign')), to };
    expect((await client.post(`/admin/requests/${no}/reassign`, reassign)).status).toBe(303);
    const note = { ...(await formFields(client, no, 'note')), note: `业主电话${PHONE}，已联系` };
    expect((await client.post(`/admin/requests/${no}/note`, note)).status).toBe(303);

    const who = { actor_id: 'chen.lj', actor_name: '陈丽娟', address: '127.0.0.1', request_no: no };
    expect(await entriesSince(since)).toEqual([
      { action: 'urge', ...who, detail: {} },
      { action: 'reassign', ...who, detail: { from, to } },
      { action: 'note', ...who, detail: {} },
    ]);
    expect(await wholeLog()).not.toContain(PHONE);
    expect(await wholeLog()).not.toContain('请今天处理');
  });

  it('records nothing for a refused action, a stale form or one without its CSRF token', async () => {
    const client = new AdminClient(server.url);
    await client.signIn();
    const no = seeded.hotspot[0] ?? 0;
    const since = await mark();
    const fields = await formFields(client, no, 'note');
    expect((await client.post(`/admin/requests/${no}/note`, { ...fields, note: '' })).status).toBe(422);
    expect(
      (await client.post(`/admin/requests/${no}/note`, { _form: fields._form ?? '', note: '备注' })).status,
    ).toBe(403);
    expect(
      (
        await client.post(
          `/admin/requests/${no}/note`,
          { ...fields, note: '备注' },
          { 'Sec-Fetch-Site': 'cross-site' },
        )
      ).status,
    ).toBe(403);
    expect(await entriesSince(since)).toEqual([]);
  });

  it('names a session from before names as the street office, with no name', async () => {
    // A cookie as issued before names: the same key, v1, no name in it (see sign-in-names.test.ts).
    const { createHmac, hkdfSync } = await import('node:crypto');
    const key = Buffer.from(hkdfSync('sha256', ADMIN_TOKEN, 'mulin-admin', 'session-cookie-v1', 32));
    const body = `v1.${Math.floor(NOW.getTime() / 1000) + 3600}.CCCCCCCCCCCCCCCCCCCCCC`;
    const client = new AdminClient(server.url);
    client.setCookie(
      'mulin_session',
      `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`,
    );
    const no = seeded.hotspot[0] ?? 0;
    const since = await mark();
    const note = { ...(await formFields(client, no, 'note')), note: '旧会话' };
    expect((await client.post(`/admin/requests/${no}/note`, note)).status).toBe(303);
    expect(await entriesSince(since)).toEqual([
      expect.objectContaining({
        action: 'note',
        actor_id: 'street:office',
        actor_name: null,
        request_no: no,
      }),
    ]);
  });
});

describe('the log itself', () => {
  it('cannot be changed, deleted from or emptied', async () => {
    await new AdminClient(server.url).signIn();
    for (const sql of [
      `UPDATE audit_entry SET actor_name = '某人'`,
      `DELETE FROM audit_entry`,
      `TRUNCATE audit_entry`,
    ]) {
      await expect(db.dataSource.query(sql)).rejects.toThrow(/append-only/);
    }
  });
});

describe('the 操作记录 page', () => {
  it('needs a session, as every page does', async () => {
    const res = await new AdminClient(server.url).fetch('/admin/audit');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/login?next=%2Fadmin%2Faudit');
  });

  it('is linked from every page’s menu', async () => {
    const client = new AdminClient(server.url);
    await client.signIn();
    expect(await client.text('/admin/requests')).toContain('<a href="/admin/audit">操作记录</a>');
    expect(await client.text('/admin/audit')).toContain(
      '<a href="/admin/audit" class="on" aria-current="page">操作记录</a>',
    );
  });

  it('lists the latest entries first, saying who did what, to which request, from where', async () => {
    const client = new AdminClient(server.url);
    await client.signIn(ADMIN_TOKEN, undefined, { who: ':other', name: '李四' });
    const no = seeded.hotspot[1] ?? 0;
    await client.post(`/admin/requests/${no}/note`, {
      ...(await formFields(client, no, 'note')),
      note: '看过了',
    });
    await client.fetch('/admin/requests.csv?compound=jiangwan&overdue=1');
    await new AdminClient(server.url).signIn(WRONG, undefined, { who: 'zhou.m' });

    const page = await client.text('/admin/audit');
    const rows = [...page.matchAll(/<tr>\s?<td class="nw" data-label="时间">(.*?)<\/tr>/g)].map((m) =>
      (m[1] ?? '')
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    );
    expect(rows[0]).toMatch(/周敏 登录失败 口令不对 127\.0\.0\.1$/);
    expect(rows[1]).toMatch(/街道·李四 导出 CSV \d+ 条 · 小区：江湾小区，超时 查看 127\.0\.0\.1$/);
    expect(rows[2]).toMatch(new RegExp(`街道·李四 内部备注 #${no} 127\\.0\\.0\\.1$`));
    expect(rows[3]).toMatch(/街道·李四 登录 — 127\.0\.0\.1$/);
    expect(page).toContain(`<a href="/admin/requests/${no}">#${no}</a>`);
    expect(page).toContain(
      '<a class="small" href="/admin/requests?overdue=1&amp;compound=jiangwan">查看</a>',
    );
    expect(page).not.toContain(ADMIN_TOKEN);
    expect(page).not.toContain(WRONG);
  });

  it('pages through the log as the requests list does', async () => {
    const client = new AdminClient(server.url);
    await client.signIn();
    // Enough entries for three pages of 50.
    await db.dataSource.query(
      `INSERT INTO audit_entry (at, action, actor_id, actor_name, address)
       SELECT $1::timestamptz - make_interval(days => 30, secs => g), 'sign_in', 'chen.lj', '陈丽娟', '10.0.0.1'
         FROM generate_series(1, 120) AS g`,
      [NOW],
    );
    const [{ n } = { n: 0 }] = await db.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM audit_entry`,
    );
    const pages = Math.ceil(n / 50);
    const first = await client.text('/admin/audit');
    expect(first).toContain(`共 ${n} 条`);
    expect(first).toContain(`<span>第 1 / ${pages} 页</span>`);
    expect(first).toContain('<a href="/admin/audit?page=2" rel="next">下一页</a>');
    const last = await client.text(`/admin/audit?page=${pages}`);
    expect([...last.matchAll(/data-label="时间"/g)]).toHaveLength(n - (pages - 1) * 50);
    // The oldest entry is the last one on the last page.
    expect(last).toMatch(/10\.0\.0\.1<\/td> ?<\/tr> ?<\/tbody>/);
    // Past the end: the last page; a broken page number: a clear 400.
    const beyond = await client.fetch('/admin/audit?page=999');
    expect(beyond.status).toBe(303);
    expect(beyond.headers.get('location')).toBe(`/admin/audit?page=${pages}`);
    expect((await client.fetch('/admin/audit?page=abc')).status).toBe(400);
    expect((await client.fetch('/admin/audit?pgae=2')).status).toBe(400);
  });
});
