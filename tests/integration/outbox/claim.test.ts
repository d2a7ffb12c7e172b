import type { OutboxSender } from '../../../src/outbox';
import { claimDue } from '../../../src/outbox/claim';
import type { OutgoingBody, SendOutcome } from '../../../src/wecom/client';
import {
  capturingLogger,
  drain,
  enqueueAll,
  KEY,
  later,
  NOW,
  OTHER_KEY,
  text,
  useWorkerBench,
} from './outbox-fixtures';

/**
 * What keeps a round's cost independent of the backlog: rows behind an earlier row of their key are
 * parked, a rate-limited key's head waits out the minute, a round is one claim statement and one
 * settle statement, and wakeUp() calls close together lead to one round.
 */

const bench = useWorkerBench();
const { clock, worker } = bench;

const sentTo = (key: string) =>
  bench.sim
    .messages()
    .filter((m) => m.destination.type === 'group_webhook' && m.destination.webhookKey === key)
    .map((m) => m.body.content);

interface ParkView {
  content: string;
  status: string;
  parked: boolean;
  next_attempt_at: Date;
}

function keyRows(key: string): Promise<ParkView[]> {
  return bench.dataSource.query(
    `SELECT body->>'content' AS content, status, parked, next_attempt_at FROM outbox WHERE rate_key = $1 ORDER BY id`,
    [key],
  );
}

/** The key has used its minute: 20 sends, `ago` ms before NOW. */
async function usedItsMinute(key: string, ago: number): Promise<void> {
  await bench.dataSource.query(`INSERT INTO outbox_rate (rate_key, recent) VALUES ($1, $2::jsonb)`, [
    key,
    JSON.stringify(Array.from({ length: 20 }, () => NOW.getTime() - ago)),
  ]);
}

it('a rate-limited key costs a round nothing: its head waits out the minute, the rest are parked, then all go out in order', async () => {
  await usedItsMinute(KEY, 10_000);
  const items = Array.from({ length: 25 }, (_, i) => text(`#${i}`));
  await enqueueAll(bench.dataSource, [...items.slice(0, 12), text('别的楼', OTHER_KEY), ...items.slice(12)]);
  const w = worker();

  await drain([w]);
  expect(sentTo(OTHER_KEY)).toEqual(['别的楼']);
  expect(sentTo(KEY)).toEqual([]);
  const waiting = await keyRows(KEY);
  // The head waits for the oldest of the minute's sends to leave the window (a minute and a second);
  // the others are parked.
  expect(waiting[0]).toMatchObject({ content: '#0', parked: false, next_attempt_at: later(51_000) });
  expect(waiting.slice(1).every((r) => r.parked && r.next_attempt_at.getTime() === NOW.getTime())).toBe(true);
  // A round reads none of the key's rows.
  const claim = await claimDue(bench.dataSource, NOW, { batchSize: 10, leaseMs: 60_000, ratePerMinute: 20 });
  expect({ rows: claim.rows.length, examined: claim.examined }).toEqual({ rows: 0, examined: 0 });

  clock.set(later(51_000));
  await drain([w]);
  expect(sentTo(KEY)).toEqual(Array.from({ length: 20 }, (_, i) => `#${i}`));
  // #20 is unparked when #19 is settled, due when the new minute's first send expires.
  const rest = (await keyRows(KEY)).filter((r) => r.status === 'pending');
  expect(rest.map((r) => [r.content, r.parked, r.next_attempt_at])).toEqual([
    ['#20', false, later(112_000)],
    ...[21, 22, 23, 24].map((i) => [`#${i}`, true, NOW]),
  ]);

  clock.set(later(112_000));
  await drain([w]);
  expect(sentTo(KEY)).toEqual(Array.from({ length: 25 }, (_, i) => `#${i}`));
  expect(bench.sim.calls().every((c) => c.errcode === 0)).toBe(true);
  expect((await keyRows(KEY)).every((r) => r.status === 'sent' && !r.parked)).toBe(true);
});

it('a round is one claim statement, and its sends are recorded in one statement', async () => {
  await enqueueAll(bench.dataSource, [
    text('一', 'wh-1'),
    text('二', 'wh-2'),
    text('三', 'wh-3'),
    {
      purpose: 'reminder',
      destination: { type: 'app_message', userIds: ['li.wei'] },
      body: { kind: 'text', content: '四' },
    },
  ]);
  bench.sim.acceptAnyWebhookKey();
  // However slowly this machine answers, the round's sends are recorded together.
  const w = worker({ settleDelayMs: 10_000 });
  const spy = jest.spyOn(bench.dataSource, 'query');
  try {
    expect(await w.runOnce()).toBe(4);
    expect(spy).toHaveBeenCalledTimes(2);
  } finally {
    spy.mockRestore();
  }
  expect(bench.sim.messages()).toHaveLength(4);
  const stored = await bench.dataSource.query(`SELECT status, attempts FROM outbox ORDER BY id`);
  expect(stored).toEqual(Array.from({ length: 4 }, () => ({ status: 'sent', attempts: 1 })));
});

it('rows parked behind a row that failed for good go out once it is settled', async () => {
  await enqueueAll(bench.dataSource, [text('坏的', 'deleted-key'), text('好的一', 'deleted-key')]);
  // The simulator does not know the key: the first row fails permanently (93000), as would the second.
  const w = worker();
  expect(await w.runOnce()).toBe(1);
  const [first, second] = await bench.dataSource.query(`SELECT status, parked FROM outbox ORDER BY id`);
  expect(first).toMatchObject({ status: 'failed', parked: false });
  // The second was looked at in the same round, parked, and unparked by the first one's settle.
  expect(second).toMatchObject({ status: 'pending', parked: false });
  expect(await w.runOnce()).toBe(1);
});

it('the loop unparks a row left parked with nothing ahead of it', async () => {
  const { logger, lines } = capturingLogger();
  await enqueueAll(bench.dataSource, [text('被卡住的')]);
  await bench.dataSource.query(`UPDATE outbox SET parked = true`);
  const w = worker({ pollIntervalMs: 600_000 }, bench.client, logger);
  expect(await w.runOnce()).toBe(0);
  w.start();
  try {
    await bench.sim.waitForMessages(1, 5000);
  } finally {
    await w.stop();
  }
  expect(sentTo(KEY)).toEqual(['被卡住的']);
  expect(lines().find((l) => String(l.msg).includes('unparked'))).toMatchObject({ level: 40, unparked: 1 });
});

it('records the sends that finished without waiting for a slow one', async () => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const slow: OutboxSender = {
    sendToWebhook: async (key: string, body: OutgoingBody): Promise<SendOutcome> => {
      if (key === OTHER_KEY) await gate;
      return bench.client.sendToWebhook(key, body);
    },
    replyViaResponseUrl: (url, body) => bench.client.replyViaResponseUrl(url, body),
    sendAppMessage: (ids, body) => bench.client.sendAppMessage(ids, body),
  };
  await enqueueAll(bench.dataSource, [text('慢的', OTHER_KEY), text('快的'), text('快的二', 'wh-9')]);
  bench.sim.acceptAnyWebhookKey();
  const round = worker({ settleDelayMs: 20 }, slow).runOnce();
  const statuses = async (): Promise<string[]> =>
    (await bench.dataSource.query<{ status: string }[]>(`SELECT status FROM outbox ORDER BY id`)).map(
      (r) => r.status,
    );
  const deadline = Date.now() + 5000;
  while ((await statuses()).join() !== 'pending,sent,sent') {
    if (Date.now() > deadline)
      throw new Error(`the fast sends were not recorded: ${(await statuses()).join()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  release();
  expect(await round).toBe(3);
  expect(await statuses()).toEqual(['sent', 'sent', 'sent']);
});

it('wakeUp() calls soon after a round lead to one round', async () => {
  bench.sim.acceptAnyWebhookKey();
  const w = worker({ pollIntervalMs: 600_000, wakeDelayMs: 600 });
  w.start();
  try {
    // The first round finds nothing; the rows commit within wakeDelayMs of its end.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const spy = jest.spyOn(bench.dataSource, 'query');
    try {
      for (const key of ['wh-1', 'wh-2', 'wh-3']) {
        await enqueueAll(bench.dataSource, [text(key, key)]);
        w.wakeUp();
      }
      await bench.sim.waitForMessages(3, 5000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      // One round sent all three, and none followed: nothing was left due.
      expect(spy.mock.calls.filter(([sql]) => sql.includes('WITH cand AS'))).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  } finally {
    await w.stop();
  }
  expect(bench.sim.messages()).toHaveLength(3);
});
