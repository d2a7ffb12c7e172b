import type { OutboxItem } from '../../../src/outbox';
import { drain, enqueueAll, KEY, later, NOW, text, useWorkerBench } from './outbox-fixtures';

/**
 * WeCom takes at most 1,000 app messages an hour to one member and drops the rest with no error
 * (PROTOCOL.md 5.4), as the simulator does. The minute's 20 would let 1,200 an hour through, so the
 * outbox also counts each person's sends over the last hour (and a second) and holds what is past
 * the budget until the hour's oldest sends leave it.
 */

const bench = useWorkerBench();
const { clock, worker } = bench;

const notice = (userId: string, content: string): OutboxItem => ({
  purpose: 'reminder',
  destination: { type: 'app_message', userIds: [userId] },
  body: { kind: 'text', content },
});

/** What the simulator delivered to the person, in order. */
const receivedBy = (userId: string) =>
  bench.sim
    .messages()
    .filter((m) => m.destination.type === 'app_message' && m.destination.userIds.includes(userId))
    .map((m) => m.body.content);

interface KeyRow {
  content: string;
  status: string;
  next_attempt_at: Date;
}

const rowsOf = (userId: string): Promise<KeyRow[]> =>
  bench.dataSource.query(
    `SELECT body->>'content' AS content, status, next_attempt_at FROM outbox WHERE rate_key = $1 ORDER BY id`,
    [`app:${userId}`],
  );

it('1,005 notices to one person in an hour: 1,000 go out, 5 wait (not failed) for the hour to pass, then go once', async () => {
  const all = Array.from({ length: 1005 }, (_, i) => `提醒 #${i}`);
  await enqueueAll(
    bench.dataSource,
    all.map((content) => notice('liu.t', content)),
  );
  const w = worker();
  // 20 a minute (a minute and a second): 1,000 sends take 50 minutes.
  for (let minute = 0; minute < 55; minute++) {
    clock.set(later(minute * 61_000));
    await drain([w]);
  }
  expect(receivedBy('liu.t')).toEqual(all.slice(0, 1000));
  const held = (await rowsOf('liu.t')).filter((r) => r.status !== 'sent');
  // Waiting, not failed: the head is due when the hour's first sends (at NOW) leave the window.
  expect(held.map((r) => r.content)).toEqual(all.slice(1000));
  expect(held.every((r) => r.status === 'pending')).toBe(true);
  expect(held[0]?.next_attempt_at).toEqual(later(3_601_000));

  clock.set(later(3_600_000));
  expect(await drain([w])).toBe(0);

  clock.set(later(3_601_000));
  expect(await drain([w])).toBe(5);
  expect(receivedBy('liu.t')).toEqual(all);
  expect((await rowsOf('liu.t')).every((r) => r.status === 'sent')).toBe(true);
  expect(await drain([w])).toBe(0);
  expect(bench.sim.messages()).toHaveLength(1005);
}, 300_000);

/** The person's key has sent these in the last hour: `[ms before NOW, count]` buckets, oldest first. */
async function sentInTheHour(userId: string, buckets: [number, number][]): Promise<void> {
  await bench.dataSource.query(`INSERT INTO outbox_rate (rate_key, hour_sends) VALUES ($1, $2::jsonb)`, [
    `app:${userId}`,
    JSON.stringify(buckets.map(([ago, count]) => [NOW.getTime() - ago, count])),
  ]);
}

it('the hour slides: the budget frees as the hour’s oldest sends leave it, not all at once', async () => {
  // One send 50 minutes ago, 999 nine minutes after it: the hour is used up.
  await sentInTheHour('liu.t', [
    [50 * 60_000, 1],
    [41 * 60_000, 999],
  ]);
  const all = Array.from({ length: 25 }, (_, i) => `提醒 #${i}`);
  await enqueueAll(
    bench.dataSource,
    all.map((content) => notice('liu.t', content)),
  );
  const w = worker();
  expect(await drain([w])).toBe(0);
  expect((await rowsOf('liu.t'))[0]).toMatchObject({
    status: 'pending',
    next_attempt_at: later(10 * 60_000 + 1000),
  });

  // The lone send leaves the hour: one slot, and the next row waits for the 999 to leave.
  clock.set(later(10 * 60_000 + 1000));
  expect(await drain([w])).toBe(1);
  const waiting = (await rowsOf('liu.t')).filter((r) => r.status === 'pending');
  expect(waiting[0]?.next_attempt_at).toEqual(later(19 * 60_000 + 1000));
  clock.set(later(19 * 60_000));
  expect(await drain([w])).toBe(0);

  // Then the minute's 20 again.
  clock.set(later(19 * 60_000 + 1000));
  expect(await drain([w])).toBe(20);
  clock.set(later(20 * 60_000 + 2000));
  expect(await drain([w])).toBe(4);
  expect(receivedBy('liu.t')).toEqual(all);
});

it('only private notices have an hourly cap: a group’s webhook key has none (PROTOCOL.md 4.4)', async () => {
  await enqueueAll(bench.dataSource, [
    ...Array.from({ length: 5 }, (_, i) => notice('liu.t', `私信 #${i}`)),
    ...Array.from({ length: 5 }, (_, i) => text(`群消息 #${i}`)),
  ]);
  const w = worker({ appMessagesPerHour: 3 });
  await drain([w]);
  expect(receivedBy('liu.t')).toEqual(['私信 #0', '私信 #1', '私信 #2']);
  expect(bench.sim.messages().filter((m) => m.destination.type === 'group_webhook')).toHaveLength(5);
  const rate = await bench.dataSource.query<{ rate_key: string; hour_sends: [number, number][] }[]>(
    `SELECT rate_key, hour_sends FROM outbox_rate ORDER BY rate_key`,
  );
  // One bucket for the person's three sends (all at NOW); nothing kept for the webhook key.
  expect(rate).toEqual([
    { rate_key: 'app:liu.t', hour_sends: [[NOW.getTime(), 3]] },
    { rate_key: KEY, hour_sends: [] },
  ]);
});
