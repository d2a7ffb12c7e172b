import { createHmac } from 'node:crypto';
import { fixedClock } from '../../../src/shared/clock';
import { openTestDatabase, type TestDatabase } from '../../helpers/database';
import { AdminClient, csrfOf } from './admin-client';
import { ADMIN_TOKEN, NOW, seedStreet, startAdminServer, type AdminServer } from './admin-fixtures';

let db: TestDatabase;
let server: AdminServer;
let serverOff: AdminServer;
const clock = fixedClock(NOW);

beforeAll(async () => {
  db = await openTestDatabase();
  await seedStreet(db.dataSource);
  server = await startAdminServer(db.dataSource, { adminToken: ADMIN_TOKEN, clock });
  serverOff = await startAdminServer(db.dataSource, { adminToken: undefined });
});

afterAll(async () => {
  await server.close();
  await serverOff.close();
  await db.close();
});

afterEach(() => clock.set(NOW));

const GUARDED = [
  '/admin',
  '/admin/requests',
  '/admin/requests?status=open',
  '/admin/requests/1',
  '/admin/requests.csv',
  '/admin/ledger',
  '/admin/ledger/buildings/jw-b7',
  '/admin/figures',
  '/admin/no-such-page',
];
const API = [
  '/api/open311/requests.json',
  '/api/open311/services.json',
  '/api/open311/nothing',
  '/api/requests',
];

describe('without a session', () => {
  it.each(GUARDED)(
    'sends a browser asking for %s to the sign-in page, keeping where it was going',
    async (path) => {
      const res = await new AdminClient(server.url).fetch(path);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`/admin/login?next=${encodeURIComponent(path)}`);
    },
  );

  it.each(API)('answers %s with 401 and a Bearer challenge', async (path) => {
    const res = await new AdminClient(server.url).fetch(path);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    // No detail either way; Open311 in its standard's error form.
    expect(await res.text()).toBe(
      path.startsWith('/api/open311/') ? '[{"code":401,"description":"Unauthorized"}]' : 'Unauthorized',
    );
  });

  it('refuses a post to the pages with 401, not a redirect', async () => {
    const res = await new AdminClient(server.url).post('/admin/requests', {});
    expect(res.status).toBe(401);
  });

  it.each([...GUARDED, ...API.slice(0, 3), '/admin/login'])(
    'answers %s with 404 when MULIN_ADMIN_TOKEN is unset, whatever is sent',
    async (path) => {
      for (const headers of [{}, { Authorization: `Bearer ${ADMIN_TOKEN}` }] as Record<string, string>[]) {
        const res = await fetch(`${serverOff.url}${path}`, { headers, redirect: 'manual' });
        expect(res.status).toBe(404);
      }
    },
  );
});

describe('the bearer token', () => {
  it.each([...GUARDED.slice(0, -1), ...API.slice(0, 2)])('opens %s', async (path) => {
    const res = await fetch(`${server.url}${path}`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
      redirect: 'manual',
    });
    expect([200, 302]).toContain(res.status);
  });

  it('is refused when wrong, even beside a valid session', async () => {
    const client = new AdminClient(server.url);
    await client.signIn();
    const res = await client.fetch('/admin/requests', {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}x` },
    });
    expect(res.status).toBe(401);
  });
});

describe('signing in', () => {
  it('sets an HttpOnly, SameSite session cookie and goes where the person was going', async () => {
    const client = new AdminClient(server.url);
    const res = await client.signIn(ADMIN_TOKEN, '/admin/ledger?x=1');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/ledger?x=1');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('mulin_session='));
    expect(cookie).toMatch(/; path=\//i);
    expect(cookie).toMatch(/; httponly/i);
    expect(cookie).toMatch(/; samesite=lax/i);
    expect(cookie).toMatch(/; max-age=43200|expires=/i);
    expect(cookie).not.toContain(ADMIN_TOKEN);
    expect((await client.fetch('/admin/requests')).status).toBe(200);
    expect((await client.fetch('/api/open311/services.json')).status).toBe(200);
  });

  it('answers a wrong token with the form again and no session', async () => {
    const client = new AdminClient(server.url);
    const res = await client.signIn('not-the-token-0123456789');
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('口令不对');
    expect(client.cookie('mulin_session')).toBeUndefined();
  });

  it('works from either of two sign-in tabs opened one after the other', async () => {
    const client = new AdminClient(server.url);
    const first = csrfOf(await (await client.fetch('/admin/login')).text());
    const second = csrfOf(await (await client.fetch('/admin/login')).text());
    const res = await client.post('/admin/login', {
      _csrf: first,
      token: ADMIN_TOKEN,
      who: 'zhou.m',
      next: '/admin/ledger',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/ledger');
    // The other tab, sent afterwards: already signed in, it just goes on.
    const other = await client.post('/admin/login', {
      _csrf: second,
      token: 'typed-again',
      next: '/admin/figures',
    });
    expect(other.status).toBe(303);
    expect(other.headers.get('location')).toBe('/admin/figures');
    expect((await client.fetch('/admin/requests')).status).toBe(200);
  });

  it('names the token as staff know it, not by its setting', async () => {
    const page = await new AdminClient(server.url).text('/admin/login');
    expect(page).not.toContain('MULIN_ADMIN_TOKEN');
    expect(page).toContain('街道管理口令');
  });

  it('brings a person who opens a request’s link from a chat back to that request once signed in', async () => {
    const client = new AdminClient(server.url);
    const link = '/admin/requests/1';
    const asked = await client.fetch(link);
    expect(asked.status).toBe(303);
    const signInPage = asked.headers.get('location') ?? '';
    expect(signInPage).toBe('/admin/login?next=%2Fadmin%2Frequests%2F1');
    const page = await (await client.fetch(signInPage)).text();
    expect(page).toContain('<input type="hidden" name="next" value="/admin/requests/1" />');
    const res = await client.post('/admin/login', {
      _csrf: csrfOf(page),
      next: link,
      token: ADMIN_TOKEN,
      who: 'zhou.m',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(link);
    const request = await client.fetch(link);
    expect(request.status).toBe(200);
    expect(await request.text()).toContain('#1');
    // Signed in, the same link opens at once; so does the sign-in page, sent on where it was going.
    expect((await client.fetch(signInPage)).headers.get('location')).toBe(link);
  });

  const ELSEWHERE = [
    ['another site', '//evil.example/admin'],
    ['another site, with no path', '//evil'],
    ['an absolute URL', 'https://evil.example'],
    ['an absolute URL to a look-alike path', 'https://evil.example/admin/requests/1'],
    ['a path outside /admin', '/api/requests'],
    ['a path that only starts like /admin', '/administrator'],
    ['a backslash trick', '/admin\\@evil.example'],
    ['a way out of /admin', '/admin/../api/requests'],
    ['a way out of /admin, percent-encoded', '/admin/%2E%2e/api/requests'],
    ['a way out of /admin, half encoded', '/admin/requests/.%2e/../api'],
    ['a tab the browser would drop', '/admin/.\t./api/requests'],
    ['a header injection', '/admin/requests\r\nSet-Cookie: x=1'],
  ] as const;

  it.each(ELSEWHERE)('never sends the person on to %s', async (_case, next) => {
    const res = await new AdminClient(server.url).signIn(ADMIN_TOKEN, next);
    expect(res.headers.get('location')).toBe('/admin/requests');
  });

  it.each(ELSEWHERE)('refuses %s even when posted with the form', async (_case, next) => {
    const client = new AdminClient(server.url);
    const page = await (await client.fetch('/admin/login')).text();
    const res = await client.post('/admin/login', {
      _csrf: csrfOf(page),
      next,
      token: ADMIN_TOKEN,
      who: 'zhou.m',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/requests');
  });

  it('refuses a form without its CSRF token, or with one made for another browser', async () => {
    const victim = new AdminClient(server.url);
    await victim.fetch('/admin/login');
    expect((await victim.post('/admin/login', { token: ADMIN_TOKEN, who: 'zhou.m' })).status).toBe(403);

    const attacker = new AdminClient(server.url);
    const csrf = csrfOf(await (await attacker.fetch('/admin/login')).text());
    const res = await victim.post('/admin/login', { token: ADMIN_TOKEN, _csrf: csrf, who: 'zhou.m' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('页面已过期');
    expect(victim.cookie('mulin_session')).toBeUndefined();
  });

  it('refuses a form the browser says came from another site, token or not', async () => {
    const client = new AdminClient(server.url);
    const csrf = csrfOf(await (await client.fetch('/admin/login')).text());
    for (const site of ['cross-site', 'same-site']) {
      const res = await client.post(
        '/admin/login',
        { token: ADMIN_TOKEN, _csrf: csrf, who: 'zhou.m' },
        { 'Sec-Fetch-Site': site },
      );
      expect(res.status).toBe(403);
    }
    const res = await client.post(
      '/admin/login',
      { token: ADMIN_TOKEN, _csrf: csrf, who: 'zhou.m' },
      { 'Sec-Fetch-Site': 'same-origin' },
    );
    expect(res.status).toBe(303);
  });
});

describe('the session', () => {
  it('ends after 12 hours', async () => {
    const client = new AdminClient(server.url);
    await client.signIn();
    clock.set(new Date(NOW.getTime() + 11.9 * 3600_000));
    expect((await client.fetch('/admin/requests')).status).toBe(200);
    clock.set(new Date(NOW.getTime() + 12 * 3600_000));
    expect((await client.fetch('/admin/requests')).status).toBe(303);
  });

  it('cannot be forged, altered or carried over from another token', async () => {
    const client = new AdminClient(server.url);
    await client.signIn();
    const real = client.cookie('mulin_session') ?? '';
    const [version, expires, id, staff, mac] = real.split('.');
    const later = String(Number(expires) + 86_400 * 365);
    const otherKey = createHmac('sha256', 'guess')
      .update(`${version}.${later}.${id}.${staff}`)
      .digest('base64url');
    for (const forged of [
      `${version}.${later}.${id}.${staff}.${mac}`,
      `${version}.${later}.${id}.${staff}.${otherKey}`,
      `${real}x`,
      'v1.9999999999.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      '',
    ]) {
      client.setCookie('mulin_session', forged);
      expect((await client.fetch('/admin/requests')).status).toBe(303);
    }
    const other = await startAdminServer(db.dataSource, { adminToken: `${ADMIN_TOKEN}-rotated`, clock });
    try {
      const res = await fetch(`${other.url}/admin/requests`, {
        headers: { Cookie: `mulin_session=${real}` },
        redirect: 'manual',
      });
      expect(res.status).toBe(303);
    } finally {
      await other.close();
    }
  });

  it('is shared by every instance with the same token (nothing kept in memory)', async () => {
    const client = new AdminClient(server.url);
    await client.signIn();
    const other = await startAdminServer(db.dataSource, { adminToken: ADMIN_TOKEN, clock });
    try {
      const res = await fetch(`${other.url}/admin/requests`, {
        headers: { Cookie: client.cookieHeader },
        redirect: 'manual',
      });
      expect(res.status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('signing out', () => {
  it('needs the CSRF token of the page, then clears the cookie', async () => {
    const client = new AdminClient(server.url);
    await client.signIn();
    const page = await client.text('/admin/requests');
    expect((await client.post('/admin/logout', {})).status).toBe(403);
    expect((await client.post('/admin/logout', { _csrf: 'x'.repeat(43) })).status).toBe(403);
    expect((await client.fetch('/admin/requests')).status).toBe(200);

    const res = await client.post('/admin/logout', { _csrf: csrfOf(page) });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/login');
    expect(client.cookie('mulin_session')).toBeUndefined();
    expect((await client.fetch('/admin/requests')).status).toBe(303);
  });

  it('lands on the sign-in page when the session had already ended', async () => {
    const res = await new AdminClient(server.url).post('/admin/logout', {});
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/login');

    const expired = new AdminClient(server.url);
    await expired.signIn();
    clock.set(new Date(NOW.getTime() + 13 * 3600_000));
    expect((await expired.post('/admin/logout', {})).status).toBe(303);
    expect(expired.cookie('mulin_session')).toBeUndefined();
  });

  it('refuses a sign-out form posted from another site, with or without the cookie', async () => {
    // SameSite=Lax keeps the cookie off a cross-site post: the refusal cannot wait for a session.
    const bare = await fetch(`${server.url}/admin/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'cross-site' },
      body: '',
    });
    expect(bare.status).toBe(403);
    expect(await bare.text()).toContain('不是从本站提交的');
    expect(bare.headers.getSetCookie().filter((c) => c.startsWith('mulin_session='))).toEqual([]);

    const client = new AdminClient(server.url);
    await client.signIn();
    const csrf = csrfOf(await client.text('/admin/requests'));
    for (const site of ['cross-site', 'same-site']) {
      const res = await client.post('/admin/logout', { _csrf: csrf }, { 'Sec-Fetch-Site': site });
      expect(res.status).toBe(403);
    }
    expect((await client.fetch('/admin/requests')).status).toBe(200);
  });

  it('does not clear a session it was not shown (a browser without Fetch Metadata)', async () => {
    const client = new AdminClient(server.url);
    await client.signIn();
    const res = await fetch(`${server.url}/admin/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(res.status).toBe(303);
    expect(res.headers.getSetCookie().filter((c) => c.startsWith('mulin_session='))).toEqual([]);
  });
});

describe('security headers', () => {
  it.each([
    '/admin/login',
    '/admin/requests',
    '/admin/requests/1',
    '/api/open311/requests.json',
    '/admin/requests/999',
  ])('are on %s', async (path) => {
    const client = new AdminClient(server.url);
    await client.signIn();
    const res = await client.fetch(path);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(res.headers.get('content-security-policy')).not.toMatch(/script-src|unsafe-inline/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('send HSTS only over HTTPS (behind the proxy)', async () => {
    const plain = await fetch(`${server.url}/admin/login`);
    expect(plain.headers.get('strict-transport-security')).toBeNull();
    const proxied = await fetch(`${server.url}/admin/login`, { headers: { 'X-Forwarded-Proto': 'https' } });
    expect(proxied.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    // Over HTTPS the session cookie is Secure too.
    const page = await proxied.text();
    const login = proxied.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const res = await fetch(`${server.url}/admin/login`, {
      method: 'POST',
      headers: {
        'X-Forwarded-Proto': 'https',
        'Content-Type': 'application/x-www-form-urlencoded',
        Cookie: login,
      },
      body: new URLSearchParams({ _csrf: csrfOf(page), token: ADMIN_TOKEN, who: 'zhou.m' }).toString(),
      redirect: 'manual',
    });
    expect(res.headers.getSetCookie().find((c) => c.startsWith('mulin_session='))).toMatch(/; secure/i);
  });
});
