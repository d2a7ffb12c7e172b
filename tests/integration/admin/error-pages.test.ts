import type { TestDatabase } from '../../helpers/database';
import { openAdmin, closeAdmin } from './open-admin';
import { AdminClient, squash } from './admin-client';
import { startAdminServer, type AdminServer } from './admin-fixtures';

let db: TestDatabase;
let server: AdminServer;
let client: AdminClient;

beforeAll(async () => {
  ({ db, server, client } = await openAdmin());
});

afterAll(() => closeAdmin({ db, server }));

/** The error answer as a person sees it: status, a Chinese page in the pages' frame, its way back. */
async function errorPage(path: string): Promise<{ status: number; title: string; back: string[] }> {
  const res = await client.fetch(path);
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  // The same strict headers as every other page.
  expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const page = squash(await res.text());
  expect(page).toContain('<meta name="viewport"');
  return {
    status: res.status,
    title: /<h1>([^<]*)<\/h1>/.exec(page)?.[1] ?? '',
    back: [...page.matchAll(/<a class="button" href="([^"]*)">([^<]*)<\/a>/g)].map((m) => `${m[2]} ${m[1]}`),
  };
}

describe('a page that fails', () => {
  it.each([
    ['/admin/requests/99999', 404, '没有找到这条诉求', '返回诉求列表 /admin/requests'],
    ['/admin/requests/abc', 404, '没有找到这条诉求', '返回诉求列表 /admin/requests'],
    ['/admin/ledger/buildings/nope', 404, '台账里没有这栋楼', '返回台账 /admin/ledger'],
    ['/admin/ledger?compound=zz', 404, '台账里没有这个小区', '返回台账 /admin/ledger'],
    ['/admin/figures?compound=zz', 404, '台账里没有这个小区', '返回周报数据 /admin/figures'],
    ['/admin/figures?week=x', 400, '链接有误', '返回周报数据 /admin/figures'],
    ['/admin/requests?status=foo', 400, '链接有误', '返回诉求列表 /admin/requests'],
    ['/admin/requests?page=10001', 400, '链接有误', '返回诉求列表 /admin/requests'],
    ['/admin/requests.csv?bulding=jw-b7', 400, '链接有误', '返回诉求列表 /admin/requests'],
    ['/admin/photos/424242', 404, '没有找到这张照片', '返回诉求列表 /admin/requests'],
    ['/admin/no-such-page', 404, '没有找到这个页面', '返回诉求列表 /admin/requests'],
  ])('answers %s with %i and a Chinese page: %s', async (path, status, title, back) => {
    expect(await errorPage(path)).toEqual({ status, title, back: [back] });
  });

  it('answers a form of the wrong kind in Chinese too', async () => {
    const res = await client.fetch('/admin/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(415);
    expect(squash(await res.text())).toContain('<h1>提交的内容有误</h1>');
  });

  it('tells a browser posting without a session to sign in', async () => {
    const res = await new AdminClient(server.url).post('/admin/requests', {});
    expect(res.status).toBe(401);
    const page = squash(await res.text());
    expect(page).toContain('<h1>请先登录</h1>');
    expect(page).toContain('<a class="button" href="/admin/login">去登录</a>');
  });

  it('keeps the bare answer when the pages are off: nothing says what is there', async () => {
    const off = await startAdminServer(db.dataSource, { adminToken: undefined });
    try {
      const res = await fetch(`${off.url}/admin/requests/99999`);
      expect(res.status).toBe(404);
      expect(await res.text()).toBe('Not Found');
    } finally {
      await off.close();
    }
  });
});
