import { createHmac, hkdfSync } from 'node:crypto';
import { fixedClock } from '../../../src/shared/clock';
import { openTestDatabase, truncate, type TestDatabase } from '../../helpers/database';
import { AdminClient, csrfOf, type SignInAs, squash } from './admin-client';
import {
  ADMIN_TOKEN,
  NOW,
  seedStreet,
  startAdminServer,
  type AdminServer,
  type Seeded,
} from './admin-fixtures';

/**
 * Who signs in to the street office's pages: one of the ledger's street admins (周敏 zhou.m,
 * 陈丽娟 chen.lj in the example street) or 其他 with a typed name. The session carries it, the
 * header shows it, and what they do on a request's page is done in that name; a session from
 * before names still works, as 街道工作人员.
 */

let db: TestDatabase;
let server: AdminServer;
let seeded: Seeded;
const clock = fixedClock(NOW);

beforeAll(async () => {
  db = await openTestDatabase();
  seeded = await seedStreet(db.dataSource);
  server = await startAdminServer(db.dataSource, { adminToken: ADMIN_TOKEN, clock });
});

afterAll(async () => {
  await server.close();
  await db.close();
});

beforeEach(async () => {
  await truncate(db.dataSource, 'sign_in_failure');
});

/** A session cookie as Mulin issued them before sign-ins named anyone (v1, no name in it). */
function oldSessionCookie(expiresAt: Date): string {
  const key = Buffer.from(hkdfSync('sha256', ADMIN_TOKEN, 'mulin-admin', 'session-cookie-v1', 32));
  const body = `v1.${Math.floor(expiresAt.getTime() / 1000)}.BBBBBBBBBBBBBBBBBBBBBB`;
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

/** The name in the header, next to 退出. */
function headerName(page: string): string | null {
  return (
    /<span class="who" title="[^"]*">([^<]*)<\/span> <form method="post" action="\/admin\/logout">/.exec(
      page,
    )?.[1] ?? null
  );
}

async function signedIn(as: SignInAs): Promise<AdminClient> {
  const client = new AdminClient(server.url);
  const res = await client.signIn(ADMIN_TOKEN, undefined, as);
  expect(res.status).toBe(303);
  return client;
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

async function lastEvent(
  no: number,
): Promise<{ type: string; actor_id: string; data: Record<string, unknown> }> {
  const [row] = await db.dataSource.query<
    { type: string; actor_id: string; data: Record<string, unknown> }[]
  >(
    `SELECT e.type, e.actor_id, e.data FROM request_event e JOIN request r ON r.id = e.request_id
     WHERE r.no = $1 ORDER BY e.id DESC LIMIT 1`,
    [no],
  );
  if (!row) throw new Error(`#${no} has no events`);
  return row;
}

/** The request's events as /api shows them to a script with the bearer token. */
async function apiEvents(
  no: number,
): Promise<{ type: string; actor: { id: string; name: string | null } | null }[]> {
  const res = await fetch(`${server.url}/api/requests/${no}`, {
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect(res.status).toBe(200);
  return (
    (await res.json()) as { events: { type: string; actor: { id: string; name: string | null } | null }[] }
  ).events;
}

describe('the sign-in form', () => {
  it('asks who is signing in: the street admins the ledger names, or 其他 with a name', async () => {
    const page = await new AdminClient(server.url).text('/admin/login');
    const choices = [
      ...page.matchAll(/<input type="radio" name="who" value="([^"]+)"\/?> ?([^<]+?) ?<\/label>/g),
    ].map((m) => `${m[1]}: ${m[2]}`);
    expect(choices).toEqual(['zhou.m: 周敏', 'chen.lj: 陈丽娟', ':other: 其他']);
    expect(page).toContain('<label for="staff-name">姓名（选“其他”时填写）</label>');
    expect(page).toMatch(/<input id="staff-name" name="name" type="text" maxlength="20"/);
  });
});

describe('signing in as someone', () => {
  it('as a street admin of the ledger: the header names them next to 退出', async () => {
    const client = await signedIn({ who: 'chen.lj' });
    expect(headerName(await client.text('/admin/requests'))).toBe('陈丽娟');
    expect(client.cookie('mulin_session')).not.toContain(ADMIN_TOKEN);
  });

  it('as 其他 with a typed name, trimmed and on one line', async () => {
    const client = await signedIn({ who: ':other', name: '  王小明 \n ' });
    expect(headerName(await client.text('/admin/ledger'))).toBe('王小明');
  });

  it('with a typed name and nothing chosen, as 其他', async () => {
    const client = await signedIn({ name: '王 小明' });
    expect(headerName(await client.text('/admin/figures'))).toBe('王 小明');
  });

  const REFUSED: [string, SignInAs, string][] = [
    ['nothing chosen and no name', {}, '请选择您是谁'],
    ['其他 with no name', { who: ':other', name: '   ' }, '选“其他”时请填写您的姓名'],
    ['a one-character name', { who: ':other', name: '王' }, '姓名至少 2 个字'],
    ['a name of 21 characters', { who: ':other', name: '王'.repeat(21) }, '姓名最多 20 个字，现在有 21 个字'],
    ['a mobile number', { who: ':other', name: '王小明13912345678' }, '姓名里不能有电话号码'],
    ['a mobile number with spaces', { who: ':other', name: '王 139 1234 5678' }, '姓名里不能有电话号码'],
    ['a control character', { who: ':other', name: '王小\u0007明' }, '姓名里有无法显示的字符'],
    [
      'the token in the name box',
      { who: ':other', name: ADMIN_TOKEN.slice(0, 20) },
      '姓名栏请填写姓名，不要填口令',
    ],
    ['someone who is not a street admin', { who: 'li.xl' }, '街道管理员名单已更新，请重新选择您是谁'],
  ];

  it.each(REFUSED)(
    'refuses %s with the form again, saying why, and no session',
    async (_case, as, message) => {
      const client = new AdminClient(server.url);
      // The token in the name box is refused even when it is what the token box holds too.
      const token = as.name === ADMIN_TOKEN.slice(0, 20) ? (as.name ?? '') : ADMIN_TOKEN;
      const res = await client.signIn(token, '/admin/ledger', as);
      expect(res.status).toBe(422);
      const page = squash(await res.text());
      expect(page).toContain(`<p class="error" role="alert">${message}`);
      expect(client.cookie('mulin_session')).toBeUndefined();
      // What was chosen and typed is kept; the token is not.
      if (as.who && as.who !== 'li.xl') expect(page).toContain(`value="${as.who}" checked`);
      // The name is shown again unless it held a number or the token.
      const kept = /^王+$/.test(as.name ?? '') ? (as.name ?? '') : '';
      expect(page).toContain(`name="name" type="text" maxlength="20" autocomplete="name" value="${kept}"`);
      expect(page).not.toContain('13912345678');
      expect(page).not.toContain('139 1234 5678');
      expect(page).not.toContain(ADMIN_TOKEN);
      // The token was not tried: nothing counted against the address, nothing in the audit log.
      const [counted] = await db.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM sign_in_failure`,
      );
      expect(counted?.n).toBe(0);
      // The same form, corrected, goes on to where the person was going.
      const again = await client.post('/admin/login', {
        _csrf: csrfOf(page),
        next: '/admin/ledger',
        token: ADMIN_TOKEN,
        who: 'zhou.m',
      });
      expect(again.status).toBe(303);
      expect(again.headers.get('location')).toBe('/admin/ledger');
    },
  );

  it('refuses a wrong token with the name kept', async () => {
    const client = new AdminClient(server.url);
    const res = await client.signIn('not-the-token-0123456789', undefined, { who: ':other', name: '王小明' });
    expect(res.status).toBe(401);
    const page = squash(await res.text());
    expect(page).toContain('口令不对');
    expect(page).toContain('value="王小明"');
    expect(client.cookie('mulin_session')).toBeUndefined();
  });
});

describe('a session from before names', () => {
  it('still opens the pages until it expires, as 街道工作人员, and acts as the street office', async () => {
    const client = new AdminClient(server.url);
    client.setCookie('mulin_session', oldSessionCookie(new Date(NOW.getTime() + 3600_000)));
    expect(headerName(await client.text('/admin/requests'))).toBe('街道工作人员');

    const no = seeded.hotspot[2] ?? 0;
    const res = await client.post(`/admin/requests/${no}/note`, {
      ...(await formFields(client, no, 'note')),
      note: '旧会话记的备注',
    });
    expect(res.status).toBe(303);
    expect(await lastEvent(no)).toEqual({ type: 'staff_note', actor_id: 'street:office', data: {} });
    expect(await client.text(`/admin/requests/${no}`)).toMatch(
      /<strong>内部备注<\/strong> <span class="muted">街道工作人员<\/span>/,
    );
    expect((await apiEvents(no)).at(-1)?.actor).toEqual({ id: 'street:office', name: '街道工作人员' });

    clock.set(new Date(NOW.getTime() + 3600_000));
    try {
      expect((await client.fetch('/admin/requests')).status).toBe(303);
    } finally {
      clock.set(NOW);
    }
  });
});

describe('what a named session does on a request’s page', () => {
  it('is done by the street admin chosen: their userid is the actor, their name in the timeline and /api', async () => {
    const client = await signedIn({ who: 'chen.lj' });
    const no = seeded.hotspot[1] ?? 0;
    const res = await client.post(`/admin/requests/${no}/urge`, {
      ...(await formFields(client, no, 'urge')),
      note: '',
    });
    expect(res.status).toBe(303);
    expect(await lastEvent(no)).toMatchObject({ type: 'urged', actor_id: 'chen.lj' });
    expect(await client.text(`/admin/requests/${no}`)).toMatch(
      /<strong>街道督办<\/strong> <span class="muted">陈丽娟<\/span>/,
    );
    expect((await apiEvents(no)).at(-1)).toEqual(
      expect.objectContaining({ type: 'urged', actor: { id: 'chen.lj', name: '陈丽娟' } }),
    );
  });

  it('is done by the street office with the typed name in the event: 街道·王小明, while the group still reads 街道', async () => {
    const client = await signedIn({ who: ':other', name: '王小明' });
    const no = seeded.hotspot[1] ?? 0;
    const outboxBefore = await db.dataSource.query<{ id: string }[]>(`SELECT id FROM outbox`);
    const res = await client.post(`/admin/requests/${no}/reassign`, {
      ...(await formFields(client, no, 'reassign')),
      to: 'wang.jg',
    });
    expect(res.status).toBe(303);
    expect(await lastEvent(no)).toMatchObject({
      type: 'assigned',
      actor_id: 'street:office',
      data: expect.objectContaining({ to: 'wang.jg', by: '王小明' }) as unknown,
    });
    expect(await client.text(`/admin/requests/${no}`)).toMatch(
      /<strong>转派给王建国<\/strong> <span class="muted">街道·王小明<\/span>/,
    );
    expect((await apiEvents(no)).at(-1)?.actor).toEqual({ id: 'street:office', name: '街道·王小明' });
    // The chat is told as before: by 街道, never by the clerk's name.
    const sent = await db.dataSource.query<{ body: unknown }[]>(
      `SELECT body FROM outbox WHERE NOT (id = ANY($1::bigint[]))`,
      [outboxBefore.map((r) => r.id)],
    );
    expect(sent.length).toBeGreaterThan(0);
    for (const row of sent) {
      const text = JSON.stringify(row.body);
      expect(text).toContain('已由街道转派给王建国');
      expect(text).not.toContain('王小明');
    }
  });
});
