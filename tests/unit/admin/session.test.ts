import { createHmac, hkdfSync } from 'node:crypto';
import { safeNext } from '../../../src/http/admin/admin-auth';
import { SESSION_HOURS, SessionKeys, type SignedInStaff } from '../../../src/http/admin/session';

const TOKEN = 'street-office-token-0123456789';
const NOW = new Date('2026-11-25T06:00:00Z');
const hours = (n: number) => new Date(NOW.getTime() + n * 3600_000);
const ADMIN: SignedInStaff = { userId: 'zhou.m', name: '周敏' };
const TYPED: SignedInStaff = { userId: null, name: '王小明' };

/** A cookie as Mulin issued them before sign-ins named anyone: `v1.<expiry>.<id>.<mac>`. */
function v1Cookie(token: string, expiresAt: Date, id = 'AAAAAAAAAAAAAAAAAAAAAA'): string {
  const key = Buffer.from(hkdfSync('sha256', token, 'mulin-admin', 'session-cookie-v1', 32));
  const body = `v1.${Math.floor(expiresAt.getTime() / 1000)}.${id}`;
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

describe('SessionKeys', () => {
  const keys = new SessionKeys(TOKEN);

  it('issues a cookie that carries neither the token nor anything guessable', () => {
    const a = keys.issue(NOW, ADMIN);
    const b = keys.issue(NOW, ADMIN);
    expect(a.cookie).toMatch(/^v2\.\d+\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(a.cookie).not.toContain(TOKEN);
    expect(a.session.id).not.toBe(b.session.id);
    expect(a.session.expiresAt).toEqual(hours(SESSION_HOURS));
  });

  it('accepts its own cookie until it expires', () => {
    const { cookie, session } = keys.issue(NOW, ADMIN);
    expect(keys.verify(cookie, hours(SESSION_HOURS - 0.01))).toEqual(session);
    expect(keys.verify(cookie, hours(SESSION_HOURS))).toBeNull();
  });

  it.each([
    ['a street admin', ADMIN],
    ['a typed name', TYPED],
  ])('carries who signed in, %s', (_case, staff) => {
    const { cookie, session } = keys.issue(NOW, staff);
    expect(session.staff).toEqual(staff);
    expect(keys.verify(cookie, NOW)?.staff).toEqual(staff);
  });

  it('still accepts a cookie from before names, as no one, until it expires', () => {
    const cookie = v1Cookie(TOKEN, hours(3));
    expect(keys.verify(cookie, NOW)).toEqual({
      id: 'AAAAAAAAAAAAAAAAAAAAAA',
      expiresAt: hours(3),
      staff: null,
    });
    expect(keys.verify(cookie, hours(3))).toBeNull();
    expect(new SessionKeys(`${TOKEN}x`).verify(cookie, NOW)).toBeNull();
  });

  it('refuses a name put into or changed in a cookie', () => {
    const old = v1Cookie(TOKEN, hours(3));
    const [, exp, id, mac] = old.split('.');
    const staff = Buffer.from(JSON.stringify({ u: 'zhou.m', n: '周敏' })).toString('base64url');
    // A name added to an old cookie, with its MAC or relabelled v2: no.
    expect(keys.verify(`v1.${exp}.${id}.${staff}.${mac}`, NOW)).toBeNull();
    expect(keys.verify(`v2.${exp}.${id}.${staff}.${mac}`, NOW)).toBeNull();
    // Someone else's name in a real cookie: no.
    const real = keys.issue(NOW, TYPED).cookie.split('.');
    const other = Buffer.from(JSON.stringify({ n: '李四' })).toString('base64url');
    expect(keys.verify([real[0], real[1], real[2], other, real[4]].join('.'), NOW)).toBeNull();
    // A v2 cookie with the name left out: no.
    expect(keys.verify([real[0], real[1], real[2], real[4]].join('.'), NOW)).toBeNull();
  });

  it('refuses an altered cookie or one signed under another token', () => {
    const { cookie } = keys.issue(NOW, ADMIN);
    const [v, exp, id, staff, mac] = cookie.split('.');
    expect(keys.verify(`${v}.${Number(exp) + 3600}.${id}.${staff}.${mac}`, NOW)).toBeNull();
    expect(
      keys.verify(`${v}.${exp}.${id?.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}.${staff}.${mac}`, NOW),
    ).toBeNull();
    expect(new SessionKeys(`${TOKEN}x`).verify(cookie, NOW)).toBeNull();
    for (const junk of ['', 'v1', 'v2.1.2.3', 'v3.1.2.3.4', `${cookie}.extra`, undefined])
      expect(keys.verify(junk, NOW)).toBeNull();
  });

  it('binds CSRF tokens to one session, with a key of their own', () => {
    const token = keys.csrfToken('session:abc');
    expect(keys.checkCsrf('session:abc', token)).toBe(true);
    expect(keys.checkCsrf('session:abd', token)).toBe(false);
    expect(keys.checkCsrf('session:abc', undefined)).toBe(false);
    expect(keys.checkCsrf(undefined, token)).toBe(false);
    // A session cookie's MAC is no CSRF token, and the other way round.
    const { cookie, session } = keys.issue(NOW, ADMIN);
    const [v, exp, , staff, mac] = cookie.split('.');
    expect(keys.checkCsrf(`${v}.${exp}.${session.id}.${staff}`, mac)).toBe(false);
  });

  it('compares the admin token in full', () => {
    expect(keys.isAdminToken(TOKEN)).toBe(true);
    expect(keys.isAdminToken(TOKEN.slice(0, -1))).toBe(false);
    expect(keys.isAdminToken('')).toBe(false);
  });
});

describe('safeNext', () => {
  it.each([
    ['/admin/requests/12', '/admin/requests/12'],
    ['/admin?x=1', '/admin?x=1'],
    ['/admin', '/admin'],
    ['/administrator', '/admin/requests'],
    ['//evil.example/admin', '/admin/requests'],
    ['https://evil.example/admin', '/admin/requests'],
    ['/admin/\\evil', '/admin/requests'],
    ['/admin/\r\nSet-Cookie: x', '/admin/requests'],
    ['/admin/../api/requests', '/admin/requests'],
    ['/admin/%2e%2E/api', '/admin/requests'],
    ['/admin/requests/./12', '/admin/requests'],
    ['/admin/.\t./api', '/admin/requests'],
    ['/admin/requests/..', '/admin/requests'],
    ['/admin/requests?q=../x', '/admin/requests?q=../x'],
    ['/admin/requests/...', '/admin/requests/...'],
    [undefined, '/admin/requests'],
    [['/admin/a', '/admin/b'], '/admin/requests'],
  ])('%j → %s', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });
});
