import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import {
  ADMIN_TOKEN,
  NOW,
  PHONE,
  SCRIPT_TEXT,
  seedPost,
  seedStreet,
  startAdminServer,
  type AdminServer,
  type Seeded,
} from '../integration/admin/admin-fixtures';
import { keepScreenshot, launchChromium } from './chromium';

jest.setTimeout(90_000);

let db: TestDatabase;
let server: AdminServer;
let seeded: Seeded;
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
  db = await openTestDatabase();
  seeded = await seedStreet(db.dataSource);
  server = await startAdminServer(db.dataSource, { adminToken: ADMIN_TOKEN });
});

afterAll(async () => {
  await browser.close();
  await server.close();
  await db.close();
});

/** A fresh browser profile; every script error or dialog fails the test that caused it. */
async function open(
  viewport: { width: number; height: number },
  mobile = false,
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({
    viewport,
    isMobile: mobile,
    hasTouch: mobile,
    acceptDownloads: true,
    locale: 'zh-CN',
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    // The seeded photo points at a port browsers refuse; anything else is a finding.
    if (message.type() === 'error' && !message.text().includes('ERR_UNSAFE_PORT'))
      problems.push(message.text());
  });
  return { context, page, problems };
}

/** Signs in as 周敏, a street admin of the example ledger, or as 其他 with the name given. */
async function signIn(page: Page, path = '/admin/requests', typedName?: string): Promise<void> {
  await page.goto(`${server.url}${path}`);
  await page.waitForURL(/\/admin\/login\?next=/);
  if (typedName === undefined) {
    await page.getByRole('radio', { name: '周敏' }).check();
  } else {
    await page.getByRole('radio', { name: '其他' }).check();
    await page.getByLabel('姓名（选“其他”时填写）').fill(typedName);
  }
  await page.getByLabel('管理口令').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL((url) => url.pathname === path);
}

const listedNos = async (page: Page) =>
  (await page.locator('td[data-label="编号"] a').allInnerTexts()).map((text) => Number(text.slice(1)));

/**
 * How many lines each element's text takes, as the browser laid it out: a short column squeezed
 * to a character's width shows 报/修 on two lines.
 */
async function linesOf(page: Page, selector: string): Promise<number[]> {
  // An expression, as the other evaluations here: the tests compile without the DOM's types.
  return page.evaluate<number[]>(`[...document.querySelectorAll(${JSON.stringify(selector)})].map((node) => {
    const range = document.createRange();
    range.selectNodeContents(node);
    const tops = [...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top));
    return new Set(tops).size;
  })`);
}

/** Bars the browser actually drew taller than a pixel: a chart of zeros or a broken one has none. */
async function drawnBars(bars: Locator): Promise<number> {
  let drawn = 0;
  for (const bar of await bars.all()) if (((await bar.boundingBox())?.height ?? 0) > 1) drawn++;
  return drawn;
}

describe('the street office in a desk browser', () => {
  let page: Page;
  let context: BrowserContext;
  let problems: string[];

  beforeAll(async () => {
    ({ context, page, problems } = await open({ width: 1280, height: 800 }));
    await signIn(page);
  });

  afterAll(async () => {
    await context.close();
  });

  afterEach(() => {
    expect(problems).toEqual([]);
  });

  it('signs in to the requests list', async () => {
    await expect(page.title()).resolves.toBe('诉求列表 · 睦邻');
    await expect(page.locator('h1').innerText()).resolves.toContain(`共 ${seeded.total} 条`);
    expect(await listedNos(page)).toHaveLength(20);
    await keepScreenshot(page, 'desk-requests');
  });

  it('keeps the short columns on one line', async () => {
    for (const label of ['编号', '分类', '处理人', '提交时间']) {
      const lines = await linesOf(page, `table.cards td[data-label="${label}"]`);
      expect([label, lines.length, Math.max(...lines)]).toEqual([label, 20, 1]);
    }
  });

  it('filters the list by building and status', async () => {
    await page.getByLabel('楼栋').selectOption('jw-b7');
    await page.getByLabel('状态').selectOption('active');
    await page.getByRole('button', { name: '筛选' }).click();
    await page.waitForURL(/building=jw-b7/);
    expect(new URL(page.url()).searchParams.get('status')).toBe('active');
    expect(await listedNos(page)).toEqual([...seeded.hotspot].reverse().slice(0, 2));
    await page.getByRole('checkbox', { name: '超时' }).check();
    await page.getByRole('button', { name: '筛选' }).click();
    await page.waitForURL(/overdue=1/);
    expect(await listedNos(page)).toEqual([seeded.hotspot[1]]);
  });

  it('downloads the filtered list as CSV', async () => {
    await page.goto(`${server.url}/admin/requests?building=jw-b7`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: '导出 CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^(mulin-requests|睦邻诉求)-2026-11-25\.csv$/);
    const file = readFileSync(await download.path());
    expect([...file.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = file.toString('utf8').slice(1).split('\r\n').filter(Boolean);
    expect(lines[0]).toMatch(/^编号,分类,状态,/);
    expect(lines.slice(1).map((line) => Number(line.split(',')[0]))).toEqual([...seeded.hotspot].reverse());
    for (const line of lines.slice(1)) expect(line).toContain(',江湾小区,7号楼,');
  });

  it('shows the sign-in page, not a file, when 导出 CSV is clicked after the session ended', async () => {
    const { context: other, page: tab, problems: its } = await open({ width: 1280, height: 800 });
    try {
      await signIn(tab);
      await other.clearCookies({ name: 'mulin_session' });
      // Whichever comes first: the browser saving what it got, or showing it.
      const saved = tab.waitForEvent('download').then(
        () => 'a file',
        () => 'neither',
      );
      const shown = tab.waitForURL(/\/admin\/login\?next=%2Fadmin%2Frequests\.csv/).then(
        () => 'the sign-in page',
        () => 'neither',
      );
      await tab.getByRole('link', { name: '导出 CSV' }).click();
      expect(await Promise.race([saved, shown])).toBe('the sign-in page');
      expect(its).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('opens a request from the list and reads its timeline', async () => {
    await page.goto(`${server.url}/admin/requests?building=cz-b12`);
    await page.getByRole('link', { name: `#${seeded.phone}`, exact: true }).click();
    await page.waitForURL(`${server.url}/admin/requests/${seeded.phone}`);
    await expect(page.title()).resolves.toBe(`诉求 #${seeded.phone} · 睦邻`);
    const steps = await page.locator('ol.timeline li strong').allInnerTexts();
    expect(steps).toEqual(['居民提交', '自动分派', '接单', '上报']);
    const body = await page.locator('main').innerText();
    expect(body).toContain('139****5678');
    expect(body).not.toContain(PHONE);
    expect(await page.locator('.photos a').count()).toBe(1);
    await keepScreenshot(page, 'desk-request');
  });

  it("shows a resident's <script> as text and runs nothing", async () => {
    await page.goto(`${server.url}/admin/requests/${seeded.script}`);
    await expect(page.title()).resolves.toBe(`诉求 #${seeded.script} · 睦邻`);
    await expect(page.locator('main .card .text').first().innerText()).resolves.toBe(SCRIPT_TEXT);
    expect(await page.locator('main script, main b').count()).toBe(0);
    await page.goto(`${server.url}/admin/requests`);
    expect(await page.getByRole('link', { name: /<script>document\.title/ }).count()).toBe(1);
    await expect(page.title()).resolves.toBe('诉求列表 · 睦邻');
  });

  it('opens a building from the ledger, with its profile and hotspot', async () => {
    await page.getByRole('link', { name: '台账', exact: true }).click();
    await page.waitForURL(`${server.url}/admin/ledger`);
    // The compounds first; a compound's own page lists its buildings.
    await page.getByRole('cell').getByRole('link', { name: '江湾小区', exact: true }).click();
    await page.waitForURL(`${server.url}/admin/ledger?compound=jiangwan`);
    await page.getByRole('link', { name: '7号楼', exact: true }).click();
    await page.waitForURL(`${server.url}/admin/ledger/buildings/jw-b7`);
    await expect(page.locator('h1').innerText()).resolves.toContain('江湾小区 7号楼');
    await expect(page.getByRole('status').innerText()).resolves.toContain('「报修」3 次');
    await keepScreenshot(page, 'desk-building');
    await page.goto(`${server.url}/admin/ledger/buildings/jw-b5`);
    await expect(page.locator('dl').nth(1).innerText()).resolves.toContain('居民结构');
  });

  it('draws the weekly figures as charts that are not empty', async () => {
    await page.getByRole('link', { name: '周报数据' }).click();
    await page.waitForURL(`${server.url}/admin/figures`);
    const bars = page.locator('svg.desk').first().locator('rect');
    expect(await bars.count()).toBe(24);
    expect(await drawnBars(bars)).toBeGreaterThan(20);
    const lines = page.locator('svg.desk').nth(1).locator('path');
    expect(await lines.count()).toBeGreaterThanOrEqual(3);
    const box = await page.locator('svg.desk').nth(1).boundingBox();
    expect(box?.width).toBeGreaterThan(300);
    expect(await page.locator('svg.phone').first().isVisible()).toBe(false);
    await page.getByRole('navigation', { name: '范围' }).getByRole('link', { name: '江湾小区' }).click();
    await page.waitForURL(/compound=jiangwan/);
    await expect(page.locator('h1').innerText()).resolves.toContain('江湾小区');
    await keepScreenshot(page, 'desk-figures');
  });

  it('signs out', async () => {
    await page.getByRole('button', { name: '退出' }).click();
    await page.waitForURL(`${server.url}/admin/login`);
    await page.goto(`${server.url}/admin/requests`);
    await page.waitForURL(/\/admin\/login\?next=/);
  });
});

describe('the street office on a phone', () => {
  let page: Page;
  let context: BrowserContext;
  let problems: string[];
  const width = 390;

  beforeAll(async () => {
    ({ context, page, problems } = await open({ width, height: 844 }, true));
  });

  afterAll(async () => {
    await context.close();
  });

  afterEach(() => {
    expect(problems).toEqual([]);
  });

  // How wide the page would scroll: wider than the screen means a sideways scrollbar.
  const noSideways = async () => Number(await page.evaluate('document.documentElement.scrollWidth'));

  it('asks who is signing in in a form that fits the screen, and shows the name in the header', async () => {
    await page.goto(`${server.url}/admin/login`);
    const form = page.locator('form.login');
    expect((await form.boundingBox())?.width).toBeLessThanOrEqual(width);
    // Each choice is big enough to tap, and they wrap rather than run off the screen.
    for (const label of ['周敏', '陈丽娟', '其他']) {
      const box = await page.locator('label.choice', { hasText: label }).boundingBox();
      expect(box?.height).toBeGreaterThanOrEqual(24);
      expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(width);
    }
    expect((await page.getByLabel('姓名（选“其他”时填写）').boundingBox())?.width).toBeLessThanOrEqual(width);
    expect(await noSideways()).toBeLessThanOrEqual(width);
    await keepScreenshot(page, 'phone-sign-in');

    // A refused name is said above the form, the choice kept.
    await page.getByRole('radio', { name: '其他' }).check();
    await page.getByLabel('姓名（选“其他”时填写）').fill('王');
    await page.getByLabel('管理口令').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: '登录' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toBe('姓名至少 2 个字');
    expect(await page.getByRole('radio', { name: '其他' }).isChecked()).toBe(true);
    // The browser logs the refusal's status: expected here, and only here.
    expect(problems.splice(0)).toEqual([expect.stringContaining('422')]);

    await signIn(page, '/admin/requests', '欧阳思思思思思思思思思思思思思思思思');
    // A long name is cut short in the header; 退出 stays on the screen, on the brand's line.
    const who = page.locator('header.top .who');
    expect(await who.isVisible()).toBe(true);
    const [name, signOut, brand] = await Promise.all([
      who.boundingBox(),
      page.getByRole('button', { name: '退出' }).boundingBox(),
      page.locator('header.top .brand').boundingBox(),
    ]);
    expect((signOut?.x ?? 0) + (signOut?.width ?? 0)).toBeLessThanOrEqual(width);
    expect((name?.x ?? 0) + (name?.width ?? 0)).toBeLessThanOrEqual(signOut?.x ?? 0);
    expect(Math.abs((signOut?.y ?? 0) - (brand?.y ?? 0))).toBeLessThan(20);
    expect(await noSideways()).toBeLessThanOrEqual(width);
    await keepScreenshot(page, 'phone-header-name');
  });

  it('shows the list as cards, nothing wider than the screen', async () => {
    expect(await page.locator('table.cards thead').isVisible()).toBe(false);
    const card = page.locator('table.cards tbody tr').first();
    const box = await card.boundingBox();
    expect(box?.width).toBeLessThanOrEqual(width);
    // One cell under another, each the card's width: a card, not a squeezed table row.
    const [no, category] = await Promise.all([0, 1].map((i) => card.locator('td').nth(i).boundingBox()));
    expect(category?.y).toBeGreaterThan((no?.y ?? 0) + (no?.height ?? 0) - 1);
    expect(no?.width).toBeGreaterThan(width * 0.8);
    expect(await noSideways()).toBeLessThanOrEqual(width);
    await keepScreenshot(page, 'phone-requests');
  });

  it('filters and opens a request', async () => {
    await page.getByLabel('议事会议题').check();
    await page.getByRole('button', { name: '筛选' }).click();
    await page.waitForURL(/council=1/);
    await page.getByRole('link', { name: `#${seeded.phone}`, exact: true }).click();
    expect(await page.locator('ol.timeline li').count()).toBe(4);
    expect(await noSideways()).toBeLessThanOrEqual(width);
    await keepScreenshot(page, 'phone-request');
  });

  it('urges, hands over and notes a request from its page, each said once, nothing wider than the screen', async () => {
    const no = seeded.hotspot[1] ?? 0;
    await page.goto(`${server.url}/admin/requests/${no}`);
    const card = page.locator('#actions');
    expect((await card.boundingBox())?.width).toBeLessThanOrEqual(width);
    // One form under another on a phone, each the card's width.
    const forms = await card.locator('form.act').all();
    expect(forms).toHaveLength(3);
    const boxes = await Promise.all(forms.map((f) => f.boundingBox()));
    for (const [i, box] of boxes.entries()) {
      expect(box?.width).toBeGreaterThan(width * 0.7);
      if (i > 0) expect(box?.y).toBeGreaterThan((boxes[i - 1]?.y ?? 0) + (boxes[i - 1]?.height ?? 0) - 1);
    }
    expect((await page.getByLabel('转派给').boundingBox())?.width).toBeLessThanOrEqual(width);
    expect(await noSideways()).toBeLessThanOrEqual(width);
    await keepScreenshot(page, 'phone-request-actions');

    await page.getByLabel('说明（可不填，会发到群里）').fill('居民多次反映，请今天处理');
    await page.getByRole('button', { name: '督办', exact: true }).click();
    await page.waitForURL(`${server.url}/admin/requests/${no}`);
    await expect(page.getByRole('status').innerText()).resolves.toMatch(/^已督办，已通知/);

    await page.getByLabel('转派给').selectOption('li.xl');
    await page.getByRole('button', { name: '转派', exact: true }).click();
    await page.waitForURL(`${server.url}/admin/requests/${no}`);
    await expect(page.getByRole('status').innerText()).resolves.toBe('已转派给李秀兰');

    await page.getByLabel('备注').fill('已电话联系物业\n周五前换灯');
    await page.getByRole('button', { name: '记下备注' }).click();
    await page.waitForURL(`${server.url}/admin/requests/${no}`);
    await expect(page.getByRole('status').innerText()).resolves.toBe('已记下备注（不会发到群里）');
    const steps = await page.locator('ol.timeline li strong').allInnerTexts();
    expect(steps.slice(-3)).toEqual(['街道督办', '转派给李秀兰', '内部备注']);
    expect(await noSideways()).toBeLessThanOrEqual(width);

    // Said once: a reload shows no confirmation.
    await page.reload();
    expect(await page.getByRole('status').count()).toBe(0);
  });

  it('reads the 操作记录 as cards, nothing wider than the screen', async () => {
    await page.getByRole('link', { name: '操作记录' }).click();
    await page.waitForURL(`${server.url}/admin/audit`);
    expect(await page.locator('table.cards thead').isVisible()).toBe(false);
    const newest = page.locator('table.cards tbody tr').first();
    expect((await newest.boundingBox())?.width).toBeLessThanOrEqual(width);
    await expect(newest.locator('td[data-label="人员"]').innerText()).resolves.toContain('街道·欧阳');
    expect(await noSideways()).toBeLessThanOrEqual(width);
    await keepScreenshot(page, 'phone-audit');
  });

  it('reads the ledger, a building and the figures, with charts drawn for the narrow screen', async () => {
    for (const ledgerPage of ['/admin/ledger', '/admin/ledger?compound=jiangwan']) {
      await page.goto(`${server.url}${ledgerPage}`);
      expect(await page.locator('table.cards thead').isVisible()).toBe(false);
      expect(await noSideways()).toBeLessThanOrEqual(width);
    }
    await keepScreenshot(page, 'phone-ledger');
    await page.goto(`${server.url}/admin/ledger/buildings/jw-b5`);
    expect(await noSideways()).toBeLessThanOrEqual(width);
    await page.goto(`${server.url}/admin/figures`);
    // A compound's name is never broken across lines between the scope links.
    const wraps = await page.evaluate<string[]>(
      `[...document.querySelectorAll('nav[aria-label="范围"] a, nav[aria-label="范围"] strong')].map((n) => getComputedStyle(n).whiteSpace)`,
    );
    expect(wraps).toEqual(Array(4).fill('nowrap'));
    expect(await page.locator('svg.desk').first().isVisible()).toBe(false);
    const chart = page.locator('svg.phone').first();
    expect(await chart.isVisible()).toBe(true);
    expect(await drawnBars(chart.locator('rect'))).toBeGreaterThan(20);
    expect(await noSideways()).toBeLessThanOrEqual(width);
    await keepScreenshot(page, 'phone-figures');
  });

  it('wraps a long unbroken text (a pasted link, letters without a space) inside the screen', async () => {
    // Wide letters, as a link's random part has: 120 of them, and a link pasted alone.
    const letters = 'WMQGOwmqgo'.repeat(12);
    const link = `https://mp.weixin.qq.com/s/${'XwMqZ7WkPmQ'.repeat(9)}`;
    const texts = [letters, `扫码进群：${link}`];
    const posted = [];
    for (const text of texts)
      posted.push(await seedPost(db.dataSource, 'wrkB7FAKEjiangwan06', 'complaint', text, NOW));
    // Each page, and a piece of the long text it shows.
    const pages = [
      ['/admin/requests', letters.slice(0, 30)],
      ['/admin/ledger/buildings/jw-b6', letters.slice(0, 30)],
      [`/admin/requests/${posted[0]?.no}`, letters],
      [`/admin/requests/${posted[1]?.no}`, link],
    ] as const;
    for (const [i, [path, shown]] of pages.entries()) {
      await page.goto(`${server.url}${path}`);
      expect(await page.getByText(shown).count()).toBeGreaterThan(0);
      // Nothing reaches past the screen's right edge, cut off or scrolled to.
      expect([path, await pastTheRightEdge()]).toEqual([path, []]);
      expect([path, await noSideways()]).toEqual([path, width]);
      await keepScreenshot(page, `phone-long-text-${i}`);
    }
  });

  /** Elements whose box ends past the screen's right edge, as tag.class (none: the page fits). */
  const pastTheRightEdge = async () =>
    page.evaluate<string[]>(
      `[...document.querySelectorAll('body *')]
        .filter((node) => node.getBoundingClientRect().right > window.innerWidth + 0.5)
        .map((node) => node.tagName.toLowerCase() + (node.className ? '.' + node.className : '') + ' ' + Math.round(node.getBoundingClientRect().right))`,
    );
});
