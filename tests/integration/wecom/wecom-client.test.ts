import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fixedClock } from '../../../src/shared/clock';
import { WecomClient, type FetchFn, type SendOutcome } from '../../../src/wecom/client';
import { httpFetch } from '../../../src/wecom/client/http-fetch';
import { WecomSimulator } from '../../../src/wecom/simulator';

/** The WeCom client against the simulator over real HTTP: one case per class of answer. */

const NOW = new Date('2026-11-28T02:00:00Z');
const KEY = 'wh-3f2a-building-3';
const APP = { corpId: 'ww0123456789abcdef', corpSecret: 'app-secret-not-real', agentId: 1000005 };

const clock = fixedClock(NOW);
let sim: WecomSimulator;

beforeEach(async () => {
  clock.set(NOW);
  sim = new WecomSimulator({ clock, apps: [APP] });
  sim.registerWebhookKey(KEY);
  await sim.start();
});

afterEach(() => sim.stop());

function client(options: { timeoutMs?: number; app?: typeof APP | null } = {}): WecomClient {
  return new WecomClient({
    apiBase: sim.url,
    clock,
    ...(options.app === null ? {} : { app: options.app ?? APP }),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
}

function expectNoSecretIn(outcome: SendOutcome): void {
  if (outcome.ok) return;
  for (const secret of [KEY, APP.corpSecret, sim.url]) expect(outcome.reason).not.toContain(secret);
}

describe('group robot webhook', () => {
  it('delivers text with its mentions, and markdown', async () => {
    const c = client();
    expect(
      await c.sendToWebhook(KEY, { kind: 'text', content: '3号楼明早停水', mentions: ['li.wei'] }),
    ).toEqual({
      ok: true,
    });
    expect(await c.sendToWebhook(KEY, { kind: 'markdown', content: '## 本周报修\n> 待处理 3' })).toEqual({
      ok: true,
    });
    expect(sim.messages().map((m) => [m.destination, m.body])).toEqual([
      [
        { type: 'group_webhook', webhookKey: KEY },
        { kind: 'text', content: '3号楼明早停水', mentions: ['li.wei'] },
      ],
      [
        { type: 'group_webhook', webhookKey: KEY },
        { kind: 'markdown', content: '## 本周报修\n> 待处理 3' },
      ],
    ]);
  });

  it('fails permanently on an unknown key (93000) and on content over the limit (40058)', async () => {
    const c = client();
    const unknown = await c.sendToWebhook('deleted-key', { kind: 'text', content: '你好' });
    expect(unknown).toMatchObject({ ok: false, retry: false, errcode: 93000 });
    const tooLong = await c.sendToWebhook(KEY, { kind: 'markdown', content: '长'.repeat(1366) }); // 4098 bytes
    expect(tooLong).toMatchObject({ ok: false, retry: false, errcode: 40058 });
    expectNoSecretIn(unknown);
    expect(sim.messages()).toEqual([]);
  });

  it('is refused with a retryable 45009 after 20 sends in a minute, and accepted again a minute later', async () => {
    const c = client();
    for (let i = 0; i < 20; i++)
      expect(await c.sendToWebhook(KEY, { kind: 'text', content: `第${i}条` })).toEqual({ ok: true });
    expect(await c.sendToWebhook(KEY, { kind: 'text', content: '第21条' })).toMatchObject({
      ok: false,
      retry: true,
      errcode: 45009,
    });
    clock.set(new Date(NOW.getTime() + 60_001));
    expect(await c.sendToWebhook(KEY, { kind: 'text', content: '第21条' })).toEqual({ ok: true });
  });

  it.each([
    ['rate_limit', 45009],
    ['busy', -1],
  ] as const)('retries the simulated %s errcode', async (mode, errcode) => {
    sim.failNext(1, mode);
    expect(await client().sendToWebhook(KEY, { kind: 'text', content: '你好' })).toMatchObject({
      ok: false,
      retry: true,
      errcode,
    });
  });

  it('retries an HTTP 502 (an HTML answer, no errcode)', async () => {
    sim.failNext(1, 'server_error');
    const outcome = await client().sendToWebhook(KEY, { kind: 'text', content: '你好' });
    expect(outcome).toEqual({ ok: false, retry: true, reason: 'HTTP 502 from WeCom' });
  });

  it('gives up on a slow answer at the deadline, as retryable', async () => {
    sim.failNext(1, 'slow', { delayMs: 2000 });
    const outcome = await client({ timeoutMs: 200 }).sendToWebhook(KEY, { kind: 'text', content: '你好' });
    expect(outcome).toMatchObject({ ok: false, retry: true, reason: 'no answer from WeCom within 200 ms' });
  });

  it('refuses an answer far larger than WeCom ever sends, as retryable', async () => {
    const huge = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(`{"errcode":0,"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`);
    });
    await new Promise<void>((resolve) => huge.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = huge.address() as AddressInfo;
      const outcome = await new WecomClient({ apiBase: `http://127.0.0.1:${port}` }).sendToWebhook(KEY, {
        kind: 'text',
        content: '你好',
      });
      expect(outcome).toMatchObject({ ok: false, retry: true });
      expect(outcome.ok ? '' : outcome.reason).toBe('network error calling WeCom (ANSWER_TOO_LARGE)');
    } finally {
      huge.closeAllConnections();
      await new Promise((resolve) => huge.close(resolve));
    }
  });

  it('retries when nothing listens', async () => {
    const c = client();
    await sim.stop();
    const outcome = await c.sendToWebhook(KEY, { kind: 'text', content: '你好' });
    expect(outcome).toMatchObject({ ok: false, retry: true });
    expect(outcome.ok ? '' : outcome.reason).toMatch(/^network error calling WeCom \(ECONNREFUSED\)$/);
  });
});

describe('response_url', () => {
  it('delivers once; a second use is refused permanently', async () => {
    const c = client();
    const url = sim.issueResponseUrl();
    expect(
      await c.replyViaResponseUrl(url, {
        kind: 'text',
        content: '已收到，编号 R-12',
        mentions: ['wang.fang'],
      }),
    ).toEqual({
      ok: true,
    });
    const again = await c.replyViaResponseUrl(url, { kind: 'markdown', content: '再说一次' });
    expect(again).toMatchObject({ ok: false, retry: false });
    expect(sim.messages().map((m) => m.body)).toEqual([
      { kind: 'markdown', content: '已收到，编号 R-12\n<@wang.fang>' },
    ]);
  });

  it('refuses markdown over 20480 bytes without using up the URL', async () => {
    const c = client();
    const url = sim.issueResponseUrl();
    expect(await c.replyViaResponseUrl(url, { kind: 'markdown', content: '字'.repeat(6827) })).toMatchObject({
      ok: false,
      retry: false,
      errcode: 40058,
    });
    expect(await c.replyViaResponseUrl(url, { kind: 'markdown', content: '字'.repeat(6826) })).toEqual({
      ok: true,
    });
  });

  it('refuses a URL older than an hour', async () => {
    const url = sim.issueResponseUrl();
    clock.set(new Date(NOW.getTime() + 61 * 60_000));
    expect(
      await client().replyViaResponseUrl(url, { kind: 'markdown', content: '迟到的回复' }),
    ).toMatchObject({
      ok: false,
      retry: false,
    });
  });
});

describe('self-built app messages', () => {
  const tokenFetches = () => sim.calls().filter((c) => c.endpoint === 'gettoken').length;

  it('sends to several users with one cached token', async () => {
    const c = client();
    for (let i = 0; i < 3; i++) {
      expect(await c.sendAppMessage(['li.wei', 'wang.fang'], { kind: 'text', content: `提醒${i}` })).toEqual({
        ok: true,
      });
    }
    expect(tokenFetches()).toBe(1);
    expect(sim.messages()[0]?.destination).toEqual({
      type: 'app_message',
      userIds: ['li.wei', 'wang.fang'],
      agentId: 1000005,
    });
  });

  it('fetches the token once for concurrent first sends (single-flight)', async () => {
    const c = client();
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        c.sendAppMessage(['li.wei'], { kind: 'markdown', content: `**${i}**` }),
      ),
    );
    expect(outcomes).toEqual(Array.from({ length: 5 }, () => ({ ok: true })));
    expect(tokenFetches()).toBe(1);
  });

  it('refreshes the token 5 minutes before it expires, not before', async () => {
    const c = client();
    await c.sendAppMessage(['li.wei'], { kind: 'text', content: '一' });
    clock.set(new Date(NOW.getTime() + (7200 - 301) * 1000));
    await c.sendAppMessage(['li.wei'], { kind: 'text', content: '二' });
    expect(tokenFetches()).toBe(1);
    clock.set(new Date(NOW.getTime() + (7200 - 299) * 1000));
    await c.sendAppMessage(['li.wei'], { kind: 'text', content: '三' });
    expect(tokenFetches()).toBe(2);
    expect(sim.messages()).toHaveLength(3);
  });

  it('keeps using a token still valid when its early refresh fails, and tries again after a pause, not at every send', async () => {
    // gettoken unreachable (the simulator never fails it): a network edge that drops those calls.
    let gettokenDown = false;
    let gettokenTries = 0;
    const fetch: FetchFn = (url, init) => {
      if (url.includes('/cgi-bin/gettoken')) {
        gettokenTries++;
        if (gettokenDown)
          return Promise.reject(Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNRESET' } }));
      }
      return httpFetch(url, init);
    };
    const c = new WecomClient({ apiBase: sim.url, clock, app: APP, fetch });
    expect(await c.sendAppMessage(['li.wei'], { kind: 'text', content: '一' })).toEqual({ ok: true });
    // Inside the 5 minutes before expiry: due for refresh, still valid for 200 s.
    clock.set(new Date(NOW.getTime() + (7200 - 200) * 1000));
    gettokenDown = true;
    expect(await c.sendAppMessage(['li.wei'], { kind: 'text', content: '二' })).toEqual({ ok: true });
    expect(await c.sendAppMessage(['li.wei'], { kind: 'text', content: '三' })).toEqual({ ok: true });
    expect(gettokenTries).toBe(2);
    gettokenDown = false;
    clock.set(new Date(NOW.getTime() + (7200 - 200 + 30) * 1000));
    expect(await c.sendAppMessage(['li.wei'], { kind: 'text', content: '四' })).toEqual({ ok: true });
    expect(gettokenTries).toBe(3);
    expect(tokenFetches()).toBe(2);
    expect(sim.messages().map((m) => m.body.content)).toEqual(['一', '二', '三', '四']);
  });

  it('fails a send, as retryable, when the token has expired and no new one can be had', async () => {
    let gettokenDown = false;
    const fetch: FetchFn = (url, init) =>
      gettokenDown && url.includes('/cgi-bin/gettoken')
        ? Promise.reject(Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNRESET' } }))
        : httpFetch(url, init);
    const c = new WecomClient({ apiBase: sim.url, clock, app: APP, fetch });
    expect(await c.sendAppMessage(['li.wei'], { kind: 'text', content: '一' })).toEqual({ ok: true });
    clock.set(new Date(NOW.getTime() + 7200 * 1000));
    gettokenDown = true;
    expect(await c.sendAppMessage(['li.wei'], { kind: 'text', content: '二' })).toMatchObject({
      ok: false,
      retry: true,
      reason: 'network error calling WeCom (ECONNRESET)',
    });
    expect(sim.messages()).toHaveLength(1);
  });

  it('refreshes a token that expires mid-run once, and sends the message once', async () => {
    const c = client();
    expect(await c.sendAppMessage(['li.wei'], { kind: 'text', content: '第一条' })).toEqual({ ok: true });
    sim.failNext(1, 'expire_tokens');
    expect(await c.sendAppMessage(['li.wei'], { kind: 'text', content: '第二条' })).toEqual({ ok: true });
    expect(sim.calls().map((call) => [call.endpoint, call.errcode])).toEqual([
      ['gettoken', 0],
      ['message_send', 0],
      ['message_send', 42001],
      ['gettoken', 0],
      ['message_send', 0],
    ]);
    expect(sim.messages().map((m) => m.body.content)).toEqual(['第一条', '第二条']);
  });

  it('gives up after one refresh when tokens keep being refused, leaving the retry to the caller', async () => {
    const c = client();
    sim.setMode('expire_tokens');
    expect(await c.sendAppMessage(['li.wei'], { kind: 'text', content: '你好' })).toMatchObject({
      ok: false,
      retry: true,
      errcode: 42001,
    });
    expect(tokenFetches()).toBe(2);
  });

  it('fails permanently on a wrong secret (40001), an unknown corp (40013) and no recipients (81013)', async () => {
    const wrongSecret = await client({ app: { ...APP, corpSecret: 'wrong' } }).sendAppMessage(['li.wei'], {
      kind: 'text',
      content: '你好',
    });
    expect(wrongSecret).toMatchObject({ ok: false, retry: false, errcode: 40001 });
    expectNoSecretIn(wrongSecret);
    expect(
      await client({ app: { ...APP, corpId: 'ww-other' } }).sendAppMessage(['li.wei'], {
        kind: 'text',
        content: '你好',
      }),
    ).toMatchObject({ ok: false, retry: false, errcode: 40013 });
    expect(await client().sendAppMessage([], { kind: 'text', content: '你好' })).toMatchObject({
      ok: false,
      retry: false,
      errcode: 81013,
    });
  });

  it('fails permanently when no app is configured, without calling WeCom', async () => {
    expect(
      await client({ app: null }).sendAppMessage(['li.wei'], { kind: 'text', content: '你好' }),
    ).toMatchObject({
      ok: false,
      retry: false,
    });
    expect(sim.calls()).toEqual([]);
  });
});
