import path from 'node:path';
import {
  FAILURES_IN_ALL,
  FAILURES_PER_ADDRESS,
  SIGN_IN_WINDOW_MINUTES,
} from '../../../src/http/admin/sign-in-throttle';
import { readLedgerFile } from '../../../src/ledger';
import { importLedger } from '../../../src/ledger/ledger-store';
import { fixedClock } from '../../../src/shared/clock';
import { openTestDatabase, truncate, type TestDatabase } from '../../helpers/database';
import { AdminClient, csrfOf, squash } from './admin-client';
import { ADMIN_TOKEN, NOW, startAdminServer, type AdminServer } from './admin-fixtures';

const WRONG = 'not-the-token-0123456789';
const MINUTE = 60_000;
const clock = fixedClock(NOW);

let db: TestDatabase;
/** Reached directly: the client address is the socket's, X-Forwarded-For is not believed. */
let direct: AdminServer;
/** Another instance on the same database. */
let other: AdminServer;
/** Behind a reverse proxy on 127.0.0.1 (MULIN_TRUSTED_PROXIES). */
let proxied: AdminServer;

beforeAll(async () => {
  db = await openTestDatabase();
  const read = readLedgerFile(path.join(__dirname, '..', '..', '..', 'examples', 'ledger.yaml'));
  if (!read.ok) throw new Error(read.problems.join('\n'));
  await importLedger(db.dataSource, read.ledger, clock, 'examples/ledger.yaml');
  direct = await startAdminServer(db.dataSource, { adminToken: ADMIN_TOKEN, clock });
  other = await startAdminServer(db.dataSource, { adminToken: ADMIN_TOKEN, clock });
  proxied = await startAdminServer(db.dataSource, {
    adminToken: ADMIN_TOKEN,
    clock,
    trustedProxies: ['127.0.0.1'],
  });
});

afterAll(async () => {
  await direct.close();
  await other.close();
  await proxied.close();
  await db.close();
});

beforeEach(async () => {
  clock.set(NOW);
  await truncate(db.dataSource, 'sign_in_failure');
});

/** Shows the sign-in form and sends it, as a browser would, with the given headers on both. */
async function signIn(
  server: AdminServer,
  token: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; page: string; retryAfter: string | null; signedIn: boolean }> {
  const client = new AdminClient(server.url);
  const form = await (await client.fetch('/admin/login', { headers })).text();
  const res = await client.post('/admin/login', { _csrf: csrfOf(form), token, who: 'zhou.m' }, headers);
  return {
    status: res.status,
    page: squash(await res.text()),
    retryAfter: res.headers.get('retry-after'),
    signedIn: client.cookie('mulin_session') !== undefined,
  };
}

async function failures(): Promise<number> {
  const [row] = await db.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM sign_in_failure`);
  return row?.n ?? 0;
}

describe('failed sign-ins from one address', () => {
  it(`are refused after ${FAILURES_PER_ADDRESS} in ${SIGN_IN_WINDOW_MINUTES} minutes, the right token too, saying when to come back`, async () => {
    for (let i = 0; i < FAILURES_PER_ADDRESS; i++) {
      expect((await signIn(direct, WRONG)).status).toBe(401);
    }
    clock.set(new Date(NOW.getTime() + 5 * MINUTE));
    const refused = await signIn(direct, ADMIN_TOKEN);
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBe(String(10 * 60));
    expect(refused.page).toContain('尝试太多，请10分钟后再试');
    expect(refused.page).not.toContain('口令不对');
    expect(refused.signedIn).toBe(false);
    // A refusal is not counted: waiting out the window is enough.
    clock.set(new Date(NOW.getTime() + SIGN_IN_WINDOW_MINUTES * MINUTE));
    const later = await signIn(direct, ADMIN_TOKEN);
    expect(later.status).toBe(303);
    expect(later.signedIn).toBe(true);
  });

  it('are counted in the database, so every instance refuses the address', async () => {
    for (let i = 0; i < FAILURES_PER_ADDRESS; i++) await signIn(i % 2 === 0 ? direct : other, WRONG);
    expect((await signIn(other, ADMIN_TOKEN)).status).toBe(429);
    expect((await signIn(direct, ADMIN_TOKEN)).status).toBe(429);
  });

  it('include wrong bearer tokens, and refuse the bearer while the address is refused', async () => {
    const bearer = (token: string) =>
      fetch(`${direct.url}/api/requests`, { headers: { Authorization: `Bearer ${token}` } });
    expect((await bearer(ADMIN_TOKEN)).status).toBe(200);
    for (let i = 0; i < FAILURES_PER_ADDRESS; i++) expect((await bearer(WRONG)).status).toBe(401);
    const refused = await bearer(ADMIN_TOKEN);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe(String(SIGN_IN_WINDOW_MINUTES * 60));
    expect((await signIn(direct, ADMIN_TOKEN)).status).toBe(429);
    const page = await fetch(`${direct.url}/admin/requests`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(page.status).toBe(429);
    expect(squash(await page.text())).toContain('<h1>尝试太多</h1>');
  });

  it('do not sign out anyone already signed in', async () => {
    const client = new AdminClient(direct.url);
    await client.signIn();
    for (let i = 0; i <= FAILURES_PER_ADDRESS; i++) await signIn(direct, WRONG);
    expect((await client.fetch('/admin/requests')).status).toBe(200);
  });

  it('are told by X-Forwarded-For only when a trusted proxy sent it', async () => {
    // Reached directly, a made-up X-Forwarded-For is no way around the count.
    for (let i = 0; i < FAILURES_PER_ADDRESS; i++) {
      await signIn(direct, WRONG, { 'X-Forwarded-For': `198.51.100.${i + 1}` });
    }
    expect((await signIn(direct, ADMIN_TOKEN, { 'X-Forwarded-For': '198.51.100.99' })).status).toBe(429);

    // Behind the proxy, each client is counted apart, by the address the proxy appended.
    await truncate(db.dataSource, 'sign_in_failure');
    for (let i = 0; i < FAILURES_PER_ADDRESS; i++) {
      await signIn(proxied, WRONG, { 'X-Forwarded-For': `10.9.9.${i}, 203.0.113.5` });
    }
    expect((await signIn(proxied, ADMIN_TOKEN, { 'X-Forwarded-For': '203.0.113.5' })).status).toBe(429);
    expect((await signIn(proxied, ADMIN_TOKEN, { 'X-Forwarded-For': '203.0.113.6' })).status).toBe(303);
  });
});

describe('failed sign-ins from every address together', () => {
  it(`are refused after ${FAILURES_IN_ALL} in ${SIGN_IN_WINDOW_MINUTES} minutes, and never kept longer than that`, async () => {
    const from = (n: number) => ({ 'X-Forwarded-For': `203.0.113.${n}` });
    for (let i = 0; i < FAILURES_IN_ALL; i++) {
      expect((await signIn(proxied, WRONG, from(Math.floor(i / FAILURES_PER_ADDRESS)))).status).toBe(401);
    }
    const fresh = await signIn(proxied, ADMIN_TOKEN, from(200));
    expect(fresh.status).toBe(429);
    expect(fresh.page).toContain(`尝试太多，请${SIGN_IN_WINDOW_MINUTES}分钟后再试`);
    // Refusals are not counted: the table holds one window's failures at most.
    for (let i = 0; i < 5; i++) await signIn(proxied, WRONG, from(201 + i));
    expect(await failures()).toBe(FAILURES_IN_ALL);

    clock.set(new Date(NOW.getTime() + SIGN_IN_WINDOW_MINUTES * MINUTE));
    expect((await signIn(proxied, WRONG, from(200))).status).toBe(401);
    expect(await failures()).toBe(1);
    expect((await signIn(proxied, ADMIN_TOKEN, from(201))).status).toBe(303);
  });
});
