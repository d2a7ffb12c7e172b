import { getTasks } from 'node-cron';
import { OutboxWorker, type OutboxSender } from '../../../src/outbox';
import type { JobName } from '../../../src/scheduler';
import { fixedClock } from '../../../src/shared/clock';
import { silentLogger } from '../../../src/shared/logger';
import type { OutgoingBody, SendOutcome } from '../../../src/wecom/client';
import { openTestDatabase, type TestDatabase } from '../../helpers/database';
import { addRequest, at, emptyStreet, newScheduler, outbox } from './scheduler-fixtures';

/**
 * A weekly run made up during quiet hours waits for them to end without queueing anything: a held
 * outbox row would make every later message to the same group wait behind it, urgent ones too.
 */

let db: TestDatabase;
const WEEKLY: JobName[] = ['weekly-digest', 'building-notes'];

beforeAll(async () => {
  db = await openTestDatabase();
  await emptyStreet(db.dataSource);
  // Something for 1号楼's W48 note to say.
  await addRequest(db.dataSource, {
    compoundId: 'c1',
    buildingId: 'c1-b1',
    assigneeId: 'head.c1-b1',
    createdAt: at('11-25 10:00'),
  });
});

afterAll(async () => {
  await db.close();
});

/** Records what reaches each group robot and person; everything succeeds. */
function recordingSender() {
  const sent: { to: string; content: string }[] = [];
  const ok = (to: string, body: OutgoingBody): Promise<SendOutcome> => {
    sent.push({ to, content: body.content });
    return Promise.resolve({ ok: true });
  };
  const sender: OutboxSender = {
    sendToWebhook: (key, body) => ok(key, body),
    replyViaResponseUrl: (url, body) => ok(url, body),
    sendAppMessage: (ids, body) => ok(ids.join(','), body),
  };
  return { sender, sent };
}

async function runWorker(now: Date, sender: OutboxSender): Promise<void> {
  const worker = new OutboxWorker(db.dataSource, sender, fixedClock(now), silentLogger, {
    batchSize: 10,
    leaseMs: 60_000,
    random: () => 0,
  });
  for (let round = 0; round < 5; round++) await worker.runOnce();
}

it('holds a made-up weekly run until quiet hours end, without holding up urgent messages', async () => {
  const { scheduler } = newScheduler(db.dataSource, at('12-01 23:00'));
  // Tuesday 23:00, W48's runs were due Monday: made up, but not at night.
  const night = await scheduler.makeUp(at('12-01 23:00'), WEEKLY);
  expect(night.map((o) => [o.job, o.period, o.status])).toEqual([
    ['weekly-digest', '2026-W48', 'skipped'],
    ['building-notes', '2026-W48', 'skipped'],
  ]);
  expect(await outbox(db.dataSource, ['digest', 'weekly-note'])).toEqual([]);

  const urgent = await addRequest(db.dataSource, {
    compoundId: 'c1',
    buildingId: 'c1-b1',
    assigneeId: 'head.c1-b1',
    createdAt: at('12-01 23:05'),
    priority: 'urgent',
    text: '闻到燃气味',
  });
  await scheduler.runJob('reminders', at('12-01 23:40'));
  await scheduler.runJob('reminders', at('12-02 00:10'));
  const { sender, sent } = recordingSender();
  await runWorker(at('12-02 00:45'), sender);
  const toGroup = sent.filter((s) => s.to === 'syn-c1-b1').map((s) => s.content);
  expect(toGroup).toEqual([
    `提醒：#${urgent} 已过接单时限，请尽快接单：接单 ${urgent}\n紧急报修 1号楼 闻到燃气味`,
    expect.stringMatching(new RegExp(`^#${urgent} 已上报网格员 .+\n紧急报修 1号楼 闻到燃气味$`)),
  ]);

  // At the end of quiet hours the week's runs go out, once.
  const morning = await scheduler.makeUp(at('12-02 08:00'), WEEKLY);
  expect(morning.map((o) => [o.job, o.period, o.status])).toEqual([
    ['weekly-digest', '2026-W48', 'ran'],
    ['building-notes', '2026-W48', 'ran'],
  ]);
  const reasons = async (when: Date) =>
    (await scheduler.makeUp(when, WEEKLY)).map((o) => (o.status === 'skipped' ? o.reason : o.status));
  expect(await reasons(at('12-02 08:10'))).toEqual(['done', 'done']);
  // And that night it is done, not waiting again.
  expect(await reasons(at('12-02 23:00'))).toEqual(['done', 'done']);
  sent.length = 0;
  await runWorker(at('12-02 08:01'), sender);
  expect(sent.filter((s) => s.content.startsWith('【1号楼本周小结】'))).toEqual([
    { to: 'syn-c1-b1', content: expect.stringContaining('11月23日—11月29日') },
  ]);
  expect(sent.filter((s) => s.to === 'syn-leadership').length).toBeGreaterThan(0);
});

it('makes up at the end of quiet hours a run whose window closed during them', async () => {
  // A digest scheduled Monday 22:00 (inside quiet hours): W49's is due 12-07 22:00 and may be
  // made up until Thursday 22:00; an instance back at Thursday 21:30 holds it until Friday 08:00.
  const schedules = {
    reminders: null,
    'auto-close': null,
    'weekly-digest': '0 22 * * 1',
    'building-notes': null,
  };
  const { scheduler } = newScheduler(db.dataSource, at('12-10 21:30'), { schedules });
  expect((await scheduler.makeUp(at('12-10 21:30'), WEEKLY)).map((o) => o.status)).toEqual(['skipped']);
  expect(await scheduler.makeUp(at('12-11 08:00'), WEEKLY)).toMatchObject([
    { job: 'weekly-digest', period: '2026-W49', status: 'ran' },
  ]);
  // Made up no later than that morning's end of quiet hours: an hour on, the window is shut.
  expect(await scheduler.makeUp(at('12-18 09:00'), WEEKLY)).toEqual([]);
});

it('runs the weekly make-up at the end of quiet hours even with the catch-up off', async () => {
  const { scheduler } = newScheduler(db.dataSource, at('12-20 12:00'));
  const before = new Set(getTasks().keys());
  try {
    await scheduler.start();
    const added = [...getTasks().entries()].filter(([key]) => !before.has(key)).map(([, task]) => task.name);
    expect(added).toContain('mulin-after-quiet-hours');
  } finally {
    await scheduler.stop();
  }
});
