import type { OutboxItem } from '../../../src/outbox';
import {
  capturingLogger,
  drain,
  enqueueAll,
  gatedSender,
  later,
  rows,
  useWorkerBench,
  KEY,
  OTHER_KEY,
  text,
} from './outbox-fixtures';

/** One worker at a time: what becomes of a row for each kind of answer, and of a worker that dies. */

const bench = useWorkerBench();
const { clock, worker } = bench;

const contents = () => bench.sim.messages().map((m) => m.body.content);

it('delivers to each surface and marks the rows sent', async () => {
  const url = bench.sim.issueResponseUrl();
  await enqueueAll(bench.dataSource, [
    { ...text('3号楼明早停水'), body: { kind: 'text', content: '3号楼明早停水', mentions: ['@all'] } },
    {
      purpose: 'reply',
      destination: { type: 'response_url', url },
      body: { kind: 'markdown', content: '已收到' },
    },
    {
      purpose: 'reminder',
      destination: { type: 'app_message', userIds: ['li.wei', 'wang.fang'] },
      body: { kind: 'text', content: '请处理 R-12' },
    },
  ]);
  // The private notice is a row for each of its two people.
  expect(await drain([worker()])).toBe(4);
  expect(
    bench.sim
      .messages()
      .map((m) => m.destination.type)
      .sort(),
  ).toEqual(['app_message', 'app_message', 'group_webhook', 'response_url']);
  expect((await rows(bench.dataSource)).map((r) => [r.status, r.attempts, r.claim_token])).toEqual([
    ['sent', 1, null],
    ['sent', 1, null],
    ['sent', 1, null],
    ['sent', 1, null],
  ]);
});

it('sends the parts of a long message in order, before the next message of the key, resuming after a failed part', async () => {
  const lines = Array.from(
    { length: 150 },
    (_, i) => `${i + 1}. ${i + 1}号楼：本周报修 ${i} 起，已完成 ${i} 起。`,
  );
  await enqueueAll(bench.dataSource, [
    { ...text(''), body: { kind: 'markdown', content: lines.join('\n') } },
    text('下一条'),
  ]);
  const w = worker();
  expect(await w.runOnce()).toBe(1); // part 1
  bench.sim.failNext(1, 'busy');
  expect(await w.runOnce()).toBe(1); // part 2 refused: retry in 1 s
  expect(await w.runOnce()).toBe(0);
  clock.set(later(1000));
  await drain([w]);
  const got = contents();
  const n = got.length - 1;
  expect(n).toBeGreaterThan(1);
  expect(got.slice(0, n).map((c) => /^\((\d+)\/(\d+)\)\n/.exec(c)?.slice(1))).toEqual(
    Array.from({ length: n }, (_, i) => [String(i + 1), String(n)]),
  );
  expect(
    got
      .slice(0, n)
      .map((c) => c.replace(/^\(\d+\/\d+\)\n/, ''))
      .join('\n'),
  ).toBe(lines.join('\n'));
  expect(got[n]).toBe('下一条');
  expect((await rows(bench.dataSource))[0]).toMatchObject({ status: 'sent', parts_sent: n });
});

it('fails a permanent error at once, without holding up the key', async () => {
  const { logger, lines } = capturingLogger();
  await enqueueAll(bench.dataSource, [text('发往已删除的机器人', 'deleted-key'), text('正常消息')]);
  expect(await drain([worker({}, bench.client, logger)])).toBe(2);
  const [failed, sent] = await rows(bench.dataSource);
  expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
  expect(failed?.last_error).toContain('errcode 93000');
  expect(sent?.status).toBe('sent');
  const warn = lines().find((l) => l.msg === 'outbox message failed permanently');
  expect(warn).toMatchObject({
    level: 40,
    outboxId: failed?.id,
    purpose: 'notice',
    destination: 'group_webhook',
  });
  expect(JSON.stringify(lines())).not.toMatch(/deleted-key|发往已删除的机器人/);
});

it('fails a stored row it cannot make a message of at once, without holding up its key', async () => {
  const { logger, lines } = capturingLogger();
  await enqueueAll(bench.dataSource, [text('被改坏的'), text('后面的'), text('另一条', OTHER_KEY)]);
  // Rows as a hand edit or another version could leave them: a body without content, and a
  // destination this version does not know.
  const [broken, , other] = await rows(bench.dataSource);
  await bench.dataSource.query(`UPDATE outbox SET body = '{"kind":"text"}'::jsonb WHERE id = $1`, [
    broken?.id,
  ]);
  await bench.dataSource.query(
    `UPDATE outbox SET destination = '{"type":"appchat","chatid":"bldg3"}'::jsonb, rate_key = NULL WHERE id = $1`,
    [other?.id],
  );
  await drain([worker({}, bench.client, logger)]);
  expect(contents()).toEqual(['后面的']);
  const stored = await rows(bench.dataSource);
  expect(stored.map((r) => [r.status, r.attempts, r.claim_token])).toEqual([
    ['failed', 1, null],
    ['sent', 1, null],
    ['failed', 1, null],
  ]);
  expect(stored[0]?.last_error).toMatch(/^the stored message cannot be sent/);
  expect(lines().filter((l) => l.msg === 'outbox message failed permanently')).toHaveLength(2);
});

it('backs off on retryable errors, keeps the key’s later rows waiting, then gives up after maxAttempts', async () => {
  const { logger, lines } = capturingLogger();
  const w = worker({ maxAttempts: 3 }, bench.client, logger);
  await enqueueAll(bench.dataSource, [text('第一条'), text('第二条'), text('另一栋楼', OTHER_KEY)]);
  bench.sim.setMode('server_error');
  expect(await w.runOnce()).toBe(2); // 第一条 and 另一栋楼; 第二条 waits behind 第一条
  expect(await w.runOnce()).toBe(0);
  let [first] = await rows(bench.dataSource);
  expect(first).toMatchObject({ status: 'pending', attempts: 1, next_attempt_at: later(500) });

  clock.set(later(500));
  expect(await w.runOnce()).toBe(2);
  [first] = await rows(bench.dataSource);
  expect(first).toMatchObject({ attempts: 2, next_attempt_at: later(500 + 1000) });
  clock.set(later(1500));
  expect(await w.runOnce()).toBe(2); // third and last attempt
  [first] = await rows(bench.dataSource);
  expect(first).toMatchObject({ status: 'dead', attempts: 3 });
  expect(first?.last_error).toBe('HTTP 502 from WeCom (attempt 3)');

  bench.sim.setMode('normal');
  await drain([w]);
  expect(contents()).toEqual(['第二条']);
  expect(lines().filter((l) => l.msg === 'outbox message gave up after its last attempt')).toHaveLength(2);
});

it('waits a minute after a 45009 from WeCom', async () => {
  await enqueueAll(bench.dataSource, [text('你好')]);
  bench.sim.failNext(1, 'rate_limit');
  const w = worker();
  await w.runOnce();
  expect((await rows(bench.dataSource))[0]).toMatchObject({
    status: 'pending',
    next_attempt_at: later(60_000),
  });
  clock.set(later(60_000));
  await drain([w]);
  expect(contents()).toEqual(['你好']);
});

it('leaves a margin for a send’s way to WeCom: the minute’s first send arriving late does not make the 21st a 45009', async () => {
  // The worker counts a send in the key's minute when it claims it, WeCom when the send arrives.
  await enqueueAll(
    bench.dataSource,
    Array.from({ length: 21 }, (_, i) => text(`#${i}`)),
  );
  const gated = gatedSender(bench.client, 'before_send');
  const w = worker({}, gated.sender);
  const first = w.runOnce();
  await gated.reached;
  clock.set(later(800)); // the first send reaches WeCom 0.8 s after its claim
  gated.open();
  expect(await first).toBe(1);
  await drain([w]);
  expect(contents()).toHaveLength(20);

  // A minute after the first claim, but not yet a minute after WeCom took the first send.
  clock.set(later(60_000));
  await drain([w]);
  expect(bench.sim.calls().filter((c) => c.errcode === 45009)).toEqual([]);
  expect(contents()).toHaveLength(20);

  clock.set(later(61_000));
  await drain([w]);
  expect(contents()).toEqual(Array.from({ length: 21 }, (_, i) => `#${i}`));
  expect(bench.sim.calls().every((c) => c.errcode === 0)).toBe(true);
});

it('sends one person no more private notices a minute than WeCom lets through, so none is dropped', async () => {
  // WeCom silently drops app messages past 30 a minute to one member: a morning's held reminders
  // to one grid worker whose buildings have no group robot would otherwise lose some.
  const notices = Array.from({ length: 35 }, (_, i): OutboxItem => ({
    purpose: 'reminder',
    destination: { type: 'app_message', userIds: ['liu.t'] },
    body: { kind: 'text', content: `提醒 #${i}` },
  }));
  await enqueueAll(bench.dataSource, notices);
  const w = worker();
  await drain([w]);
  expect(contents()).toHaveLength(20);
  clock.set(later(61_000));
  await drain([w]);
  expect(contents()).toEqual(Array.from({ length: 35 }, (_, i) => `提醒 #${i}`));
});

describe('response_url', () => {
  it('falls back to the group webhook when the URL was already used', async () => {
    const url = bench.sim.issueResponseUrl();
    await bench.client.replyViaResponseUrl(url, { kind: 'markdown', content: '别处用掉了' });
    bench.sim.reset();
    await enqueueAll(bench.dataSource, [
      {
        purpose: 'reply',
        destination: { type: 'response_url', url, fallbackWebhookKey: KEY },
        body: { kind: 'text', content: '已收到，编号 R-12', mentions: ['wang.fang'] },
      },
    ]);
    await drain([worker()]);
    expect(bench.sim.messages().map((m) => [m.destination, m.body])).toEqual([
      [
        { type: 'group_webhook', webhookKey: KEY },
        { kind: 'text', content: '已收到，编号 R-12', mentions: ['wang.fang'] },
      ],
    ]);
    const [row] = await rows(bench.dataSource);
    expect(row).toMatchObject({
      status: 'sent',
      rate_key: KEY,
      destination: { type: 'group_webhook', webhookKey: KEY },
    });
    expect(row?.last_error).toMatch(/^fell back to the group webhook: errcode 93000/);
  });

  it('does not try a URL older than 55 minutes: fallback when there is one, failed otherwise', async () => {
    const items: OutboxItem[] = [
      {
        purpose: 'reply',
        destination: { type: 'response_url', url: bench.sim.issueResponseUrl(), fallbackWebhookKey: KEY },
        body: { kind: 'markdown', content: '迟到一' },
      },
      {
        purpose: 'reply',
        destination: { type: 'response_url', url: bench.sim.issueResponseUrl() },
        body: { kind: 'markdown', content: '迟到二' },
      },
    ];
    await enqueueAll(bench.dataSource, items);
    clock.set(later(56 * 60_000));
    await drain([worker()]);
    expect(bench.sim.calls().map((c) => c.endpoint)).toEqual(['webhook']);
    expect(contents()).toEqual(['迟到一']);
    expect((await rows(bench.dataSource)).map((r) => r.status)).toEqual(['sent', 'failed']);
  });
});

it('refreshes an app token that expires mid-run once and sends every message once', async () => {
  const app = (content: string): OutboxItem => ({
    purpose: 'reminder',
    destination: { type: 'app_message', userIds: ['li.wei'] },
    body: { kind: 'text', content },
  });
  await enqueueAll(bench.dataSource, [app('提醒一')]);
  const w = worker();
  await drain([w]);
  bench.sim.failNext(1, 'expire_tokens');
  await enqueueAll(bench.dataSource, [app('提醒二')]);
  await drain([w]);
  expect(contents()).toEqual(['提醒一', '提醒二']);
  expect(bench.sim.calls().filter((c) => c.endpoint === 'gettoken')).toHaveLength(2);
  expect((await rows(bench.dataSource)).map((r) => [r.status, r.attempts])).toEqual([
    ['sent', 1],
    ['sent', 1],
  ]);
});

describe('a worker that dies', () => {
  it('before sending: the row is delivered exactly once by the next worker, after the lease', async () => {
    await enqueueAll(bench.dataSource, [text('停电通知')]);
    const doomed = gatedSender(bench.client, 'before_send');
    void worker({}, doomed.sender).runOnce(); // claims, then never returns: the process "died"
    await doomed.reached;

    const restarted = worker();
    expect(await restarted.runOnce()).toBe(0); // still on the dead worker's lease
    clock.set(later(60_000));
    expect(await drain([restarted])).toBe(1);
    expect(contents()).toEqual(['停电通知']);
    expect((await rows(bench.dataSource))[0]).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('after WeCom accepted but before the mark: sent once more after the lease (at least once)', async () => {
    await enqueueAll(bench.dataSource, [text('停电通知')]);
    const doomed = gatedSender(bench.client, 'after_send');
    void worker({}, doomed.sender).runOnce();
    await doomed.reached;
    clock.set(later(60_000));
    await drain([worker()]);
    expect(contents()).toEqual(['停电通知', '停电通知']);
    expect((await rows(bench.dataSource))[0]?.status).toBe('sent');
  });

  it('one that comes back after its lease ran out cannot overwrite the new owner’s record', async () => {
    const { logger, lines } = capturingLogger();
    await enqueueAll(bench.dataSource, [text('停电通知')]);
    const slow = gatedSender(bench.client, 'before_send');
    const late = worker({}, slow.sender, logger).runOnce();
    await slow.reached;
    clock.set(later(60_000));
    await drain([worker()]);
    await bench.dataSource.query(`UPDATE outbox SET last_error = 'marker'`);
    slow.open();
    await late;
    expect((await rows(bench.dataSource))[0]).toMatchObject({ status: 'sent', last_error: 'marker' });
    expect(lines().some((l) => String(l.msg).includes('taken over by another worker'))).toBe(true);
  });
});

describe('the loop', () => {
  it('sends a committed row when woken up, without waiting for the poll', async () => {
    const w = worker({ pollIntervalMs: 600_000 });
    w.start();
    // Let the first, empty round finish, so the loop is asleep for ten minutes when the row commits.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await enqueueAll(bench.dataSource, [text('马上发')]);
    w.wakeUp();
    await bench.sim.waitForMessages(1, 5000);
    await w.stop();
    expect(contents()).toEqual(['马上发']);
  });

  it('finishes and records the batch in flight before stop() resolves', async () => {
    const gated = gatedSender(bench.client, 'before_send');
    const w = worker({ pollIntervalMs: 600_000 }, gated.sender);
    await enqueueAll(bench.dataSource, [text('收尾')]);
    w.start();
    await gated.reached;
    const stopped = w.stop();
    gated.open();
    await stopped;
    expect((await rows(bench.dataSource))[0]?.status).toBe('sent');
    expect(contents()).toEqual(['收尾']);
  });
});
