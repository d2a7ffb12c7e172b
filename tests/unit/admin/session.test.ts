import { safeNext } from '../../../src/http/admin/admin-auth';
import { SESSION_HOURS, SessionKeys } from '../../../src/http/admin/session';

const TOKEN = 'street-office-token-0123456789';
const NOW = new Date('2026-11-25T06:00:00Z');
const hours = (n: number) => new Date(NOW.getTime() + n * 3600_000);

describe('SessionKeys', () => {
  const keys = new SessionKeys(TOKEN);

  it('issues a cookie that carries neither the token nor anything guessable', () => {
    const a = keys.issue(NOW);
    const b = keys.issue(NOW);
    expect(a.cookie).toMatch(/^v1\.\d+\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(a.cookie).not.toContain(TOKEN);
    expect(a.session.id).not.toBe(b.session.id);
    expect(a.session.expiresAt).toEqual(hours(SESSION_HOURS));
  });

  it('accepts its own cookie until it expires', () => {
    const { cookie, session } = keys.issue(NOW);
    expect(keys.verify(cookie, hours(SESSION_HOURS - 0.01))).toEqual(session);
    expect(keys.verify(cookie, hours(SESSION_HOURS))).toBeNull();
  });

  it('refuses an altered cookie or one signed under another token', () => {
    const { cookie } = keys.issue(NOW);
    const [v, exp, id, mac] = cookie.split('.');
    expect(keys.verify(`${v}.${Number(exp) + 3600}.${id}.${mac}`, NOW)).toBeNull();
    expect(
      keys.verify(`${v}.${exp}.${id?.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}.${mac}`, NOW),
    ).toBeNull();
    expect(new SessionKeys(`${TOKEN}x`).verify(cookie, NOW)).toBeNull();
    for (const junk of ['', 'v1', 'v2.1.2.3', `${cookie}.extra`, undefined])
      expect(keys.verify(junk, NOW)).toBeNull();
  });

  it('binds CSRF tokens to one session, with a key of their own', () => {
    const token = keys.csrfToken('session:abc');
    expect(keys.checkCsrf('session:abc', token)).toBe(true);
    expect(keys.checkCsrf('session:abd', token)).toBe(false);
    expect(keys.checkCsrf('session:abc', undefined)).toBe(false);
    expect(keys.checkCsrf(undefined, token)).toBe(false);
    // A session cookie's MAC is no CSRF token, and the other way round.
    const { cookie, session } = keys.issue(NOW);
    expect(keys.checkCsrf(`v1.${cookie.split('.')[1]}.${session.id}`, cookie.split('.')[3])).toBe(false);
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
