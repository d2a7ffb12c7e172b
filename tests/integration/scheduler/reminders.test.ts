import { openTestDatabase, type TestDatabase } from '../../helpers/database';
import {
  acknowledge,
  addRequest,
  at,
  emptyStreet,
  newScheduler,
  outbox,
  resolve,
  sweepInstants,
} from './scheduler-fixtures';

/**
 * Three and a half days of sweeps, every ten minutes, from Saturday noon (W48) to Tuesday evening
 * (W49), over requests whose clocks run out by day, at night and across the week boundary. Each
 * reminder and escalation must happen at exactly the sweep the rules name, once.
 *
 * The synthetic street's 春晖小区 (c1): 1号楼, 2号楼 and 4号楼 have heads; 3号楼 has none, so its
 * requests go to the grid worker gw.c1.1. Quiet hours 21:00–08:00.
 */

let db: TestDatabase;
const no: Record<string, number> = {};
let gridWorkerName = '';
/** In A's text: never shown whole, in the building group or above it. */
const PHONE = '13912345678';

beforeAll(async () => {
  db = await openTestDatabase();
  const street = await emptyStreet(db.dataSource);
  gridWorkerName = street.ledger.people.find((p) => p.id === 'gw.c1.1')?.name ?? '';
  const c1 = (b: number, head = true) => ({
    compoundId: 'c1',
    buildingId: `c1-b${b}`,
    assigneeId: head ? `head.c1-b${b}` : 'gw.c1.1',
  });
  const add = (name: string, r: Parameters<typeof addRequest>[1]) =>
    addRequest(db.dataSource, r).then((n) => (no[name] = n));
  // Urgent, Sunday night: never held. Reminded, escalated to the grid worker, acknowledged by
  // them, overdue again, escalated to the street after midnight (Monday, W49).
  await add('A', {
    ...c1(1),
    createdAt: at('11-29 20:50'),
    priority: 'urgent',
    unitNo: 2,
    text: `闻到燃气味，很浓，请联系${PHONE}`,
  });
  // Due Sunday 22:05, in quiet hours: reminded Monday 08:00, escalated a full day after that.
  await add('B', { ...c1(2), createdAt: at('11-28 22:05'), category: 'complaint', text: '楼下噪音很大' });
  // A water repair acknowledged at once: 24 hours to resolve, reminded, then escalated.
  await add('C', { ...c1(4), createdAt: at('11-29 14:03'), utility: true, text: '水管漏水' });
  // Due Monday 20:52: the 21:00 sweep is quiet, so Tuesday 08:00.
  await add('D', { ...c1(1), createdAt: at('11-29 20:52'), category: 'suggestion', text: '建议加装晾衣架' });
  // Acknowledged in time: nothing, ever.
  await add('E', { ...c1(2), createdAt: at('11-28 13:00'), text: '单元门禁坏了' });
  // Reminded, then acknowledged before the escalation.
  await add('F', { ...c1(3, false), createdAt: at('11-28 12:30'), category: 'help', text: '老人需要帮忙' });
  // Urgent at 02:00 with the grid worker already holding it: escalation goes straight to the street.
  await add('G', { ...c1(3, false), createdAt: at('11-30 02:00'), priority: 'urgent', text: '电梯困人' });
  // Resolved within the hour: nothing.
  await add('H', { ...c1(1), createdAt: at('11-29 10:00'), text: '路灯坏了' });
});

afterAll(async () => {
  await db.close();
});

it('reminds and escalates at the right sweeps across quiet hours and the week boundary', async () => {
  const actions: [Date, () => Promise<void>][] = [
    [at('11-28 14:00'), () => acknowledge(db.dataSource, no.E as number, at('11-28 14:00'), 'head.c1-b2')],
    [at('11-29 11:00'), () => resolve(db.dataSource, no.H as number, at('11-29 11:00'), 'head.c1-b1')],
    [at('11-29 15:00'), () => acknowledge(db.dataSource, no.C as number, at('11-29 15:00'), 'head.c1-b4')],
    [at('11-29 18:00'), () => acknowledge(db.dataSource, no.F as number, at('11-29 18:00'), 'gw.c1.1')],
    [at('11-29 22:00'), () => acknowledge(db.dataSource, no.A as number, at('11-29 22:00'), 'gw.c1.1')],
  ];
  const { scheduler } = newScheduler(db.dataSource, at('11-28 12:00'));
  for (const instant of sweepInstants(at('11-28 12:00'), at('12-01 18:00'))) {
    while (actions[0] && actions[0][0] <= instant)
      await (actions.shift() as [Date, () => Promise<void>])[1]();
    const outcome = await scheduler.runJob('reminders', instant);
    expect(outcome.status).toBe('ran');
  }

  const stages = await db.dataSource.query<{ no: number; stage: string; at: Date; outcome: string }[]>(
    `SELECT r.no, x.stage, x.at, x.outcome FROM request_reminder x JOIN request r ON r.id = x.request_id ORDER BY x.at, r.no`,
  );
  const name = (n: number) => Object.keys(no).find((k) => no[k] === n);
  expect(stages.map((s) => [name(s.no), s.stage, s.at.toISOString(), s.outcome])).toEqual([
    ['F', 'ack_remind', at('11-29 12:30').toISOString(), 'reminded'],
    ['A', 'ack_remind', at('11-29 21:20').toISOString(), 'reminded'],
    ['A', 'ack_escalate', at('11-29 21:50').toISOString(), 'escalated to level 1'],
    ['A', 'resolve_remind', at('11-29 22:50').toISOString(), 'reminded'],
    ['A', 'resolve_escalate', at('11-30 00:50').toISOString(), 'escalated to level 2'],
    ['G', 'ack_remind', at('11-30 02:30').toISOString(), 'reminded'],
    ['G', 'ack_escalate', at('11-30 03:00').toISOString(), 'escalated to level 2'],
    ['B', 'ack_remind', at('11-30 08:00').toISOString(), 'reminded'],
    ['C', 'resolve_remind', at('11-30 14:10').toISOString(), 'reminded'],
    ['B', 'ack_escalate', at('12-01 08:00').toISOString(), 'escalated to level 1'],
    ['D', 'ack_remind', at('12-01 08:00').toISOString(), 'reminded'],
    ['C', 'resolve_escalate', at('12-01 14:10').toISOString(), 'escalated to level 1'],
  ]);
});

it('says which request it is: 紧急, the place and a short masked text; the street also reads the compound', async () => {
  const a = no.A as number;
  // What the building group sees of A (16 characters of its text, the phone number masked) and
  // what those above the building see (its compound too, and more of the text).
  const inGroup = '紧急报修 1号楼2单元 闻到燃气味，很浓，请联系139…';
  const above = `#${a} 紧急报修 春晖小区1号楼2单元 闻到燃气味，很浓，请联系139****5678`;
  const rows = await outbox(db.dataSource, ['reminder', 'escalation']);
  const ofA = rows.filter((r) => r.dedupe_key?.startsWith('reminder:') && r.body.content.includes(`#${a} `));
  expect(ofA.map((r) => [r.purpose, r.destination, r.body.content, r.body.mentions ?? []])).toEqual([
    [
      'reminder',
      { type: 'group_webhook', webhookKey: 'syn-c1-b1' },
      `提醒：#${a} 已过接单时限，请尽快接单：接单 ${a}\n${inGroup}`,
      ['head.c1-b1'],
    ],
    [
      'escalation',
      { type: 'group_webhook', webhookKey: 'syn-c1-b1' },
      `#${a} 已上报网格员 ${gridWorkerName}：超过接单时限（30分钟）仍未接单\n${inGroup}`,
      ['gw.c1.1'],
    ],
    [
      'escalation',
      { type: 'app_message', userIds: ['gw.c1.1'] },
      `上报 ${above}\n原因：超过接单时限（30分钟）仍未接单（睦邻自动上报）`,
      [],
    ],
    [
      'reminder',
      { type: 'group_webhook', webhookKey: 'syn-c1-b1' },
      `提醒：#${a} 已过办结时限，请尽快办结：办结 ${a} 处理情况\n${inGroup}`,
      ['gw.c1.1'],
    ],
    [
      'escalation',
      { type: 'group_webhook', webhookKey: 'syn-c1-b1' },
      `#${a} 已上报街道：超过办结时限（2小时）仍未办结\n${inGroup}`,
      [],
    ],
    [
      'escalation',
      { type: 'group_webhook', webhookKey: 'syn-leadership' },
      `**上报街道** ${above}\n> 原因：超过办结时限（2小时）仍未办结\n> 上报人：睦邻自动上报`,
      [],
    ],
    [
      'escalation',
      { type: 'app_message', userIds: ['admin.1'] },
      `上报街道 ${above}\n原因：超过办结时限（2小时）仍未办结`,
      [],
    ],
  ]);
  expect(ofA.every((r) => !r.body.content.includes(PHONE))).toBe(true);
  // Each queued at the sweep that decided it.
  expect(ofA.map((r) => r.created_at.toISOString())).toEqual(
    [
      '11-29 21:20',
      '11-29 21:50',
      '11-29 21:50',
      '11-29 22:50',
      '11-30 00:50',
      '11-30 00:50',
      '11-30 00:50',
    ].map((t) => at(t).toISOString()),
  );
  const events = await db.dataSource.query<
    { type: string; actor_id: string | null; data: Record<string, unknown> }[]
  >(
    `SELECT e.type, e.actor_id, e.data FROM request_event e JOIN request r ON r.id = e.request_id
     WHERE r.no = $1 AND e.type = 'escalated' ORDER BY e.id`,
    [a],
  );
  expect(events).toEqual([
    { type: 'escalated', actor_id: null, data: { level: 1, from: 'head.c1-b1', to: 'gw.c1.1' } },
    { type: 'escalated', actor_id: null, data: { level: 2 } },
  ]);
  const [row] = await db.dataSource.query<Record<string, unknown>[]>(
    `SELECT status, escalation_level, assignee_id FROM request WHERE no = $1`,
    [a],
  );
  expect(row).toEqual({ status: 'acknowledged', escalation_level: 2, assignee_id: 'gw.c1.1' });
});

it('never reminds a request twice for a stage, whoever sweeps again', async () => {
  const before = (await outbox(db.dataSource)).length;
  const { scheduler } = newScheduler(db.dataSource, at('12-01 18:00'));
  // The same minute again is already claimed; a later one finds every due stage done.
  expect(await scheduler.runJob('reminders', at('12-01 18:00'))).toMatchObject({
    status: 'skipped',
    reason: 'done',
  });
  expect(await scheduler.runJob('reminders', at('12-01 18:05'))).toMatchObject({
    status: 'ran',
    summary: { reminded: 0, escalated: 0 },
  });
  expect(await outbox(db.dataSource)).toHaveLength(before);
});

it.each([
  // After 转派 the compound's second grid worker holds it: the grid level is already reached.
  ['the second grid worker holds', 'gw.c1.2', '12-02', '12-03', '12-04'],
  // 接单 by a street admin makes them its handler (the level stays as it was).
  ['a street admin took on', 'admin.1', '12-05', '12-06', '12-07'],
])(
  'escalates a request %s to the street, not sideways or down to the grid worker',
  async (_, holder, created, firstSweep, secondSweep) => {
    // Each case on days of its own: each sweep's period is claimed once.
    const n = await addRequest(db.dataSource, {
      compoundId: 'c1',
      buildingId: 'c1-b2',
      assigneeId: holder,
      createdAt: at(`${created} 09:00`),
      text: '楼顶漏水',
    });
    const { scheduler } = newScheduler(db.dataSource, at(`${firstSweep} 09:00`));
    await scheduler.runJob('reminders', at(`${firstSweep} 09:00`));
    await scheduler.runJob('reminders', at(`${secondSweep} 09:00`));
    const [row] = await db.dataSource.query<Record<string, unknown>[]>(
      `SELECT escalation_level, assignee_id FROM request WHERE no = $1`,
      [n],
    );
    expect(row).toEqual({ escalation_level: 2, assignee_id: holder });
    const notices = (await outbox(db.dataSource, ['escalation'])).filter((r) =>
      r.body.content.startsWith(`#${n} `),
    );
    expect(notices.map((r) => r.body.content)).toEqual([
      `#${n} 已上报街道：超过接单时限（24小时）仍未接单\n报修 2号楼 楼顶漏水`,
    ]);
  },
);

it('tells the street when a request already with it runs late again, instead of escalating nowhere', async () => {
  const n = await addRequest(db.dataSource, {
    compoundId: 'c1',
    buildingId: 'c1-b2',
    assigneeId: 'admin.1',
    createdAt: at('12-10 09:00'),
    text: '楼顶漏水',
  });
  const { scheduler } = newScheduler(db.dataSource, at('12-11 09:00'));
  await scheduler.runJob('reminders', at('12-11 09:00'));
  await scheduler.runJob('reminders', at('12-12 09:00'));
  await acknowledge(db.dataSource, n, at('12-12 10:00'), 'admin.1');
  await scheduler.runJob('reminders', at('12-20 09:00'));
  const last = await scheduler.runJob('reminders', at('12-30 09:00'));
  expect(last).toMatchObject({ status: 'ran', summary: { reminded: 0, escalated: 0, streetReminded: 1 } });

  const stages = await db.dataSource.query<{ stage: string; outcome: string }[]>(
    `SELECT x.stage, x.outcome FROM request_reminder x JOIN request r ON r.id = x.request_id
     WHERE r.no = $1 ORDER BY x.at`,
    [n],
  );
  expect(stages).toEqual([
    { stage: 'ack_remind', outcome: 'reminded' },
    { stage: 'ack_escalate', outcome: 'escalated to level 2' },
    { stage: 'resolve_remind', outcome: 'reminded' },
    { stage: 'resolve_escalate', outcome: 'street reminded' },
  ]);
  const late = (await outbox(db.dataSource, ['escalation'])).filter(
    (r) => r.created_at.getTime() === at('12-30 09:00').getTime(),
  );
  expect(late.map((r) => [r.destination, r.body.content])).toEqual([
    [
      { type: 'group_webhook', webhookKey: 'syn-leadership' },
      expect.stringMatching(
        new RegExp(
          `^\\*\\*仍未办结\\*\\* #${n} 报修 春晖小区2号楼 楼顶漏水\\n> 已在街道，超过办结时限（7天）仍未办结\\n> 经办人：\\S+$`,
        ),
      ),
    ],
    [
      { type: 'app_message', userIds: ['admin.1'] },
      expect.stringMatching(
        new RegExp(`^仍未办结 #${n} 报修 春晖小区2号楼 楼顶漏水\\n已在街道，超过办结时限（7天）仍未办结$`),
      ),
    ],
  ]);
  // Not escalated again: no second notice in the building group, no event.
  const escalations = (await outbox(db.dataSource, ['escalation'])).filter((r) =>
    r.body.content.startsWith(`#${n} `),
  );
  expect(escalations).toHaveLength(1);
  const [events] = await db.dataSource.query<{ count: number }[]>(
    `SELECT count(*)::int AS count FROM request_event e JOIN request r ON r.id = e.request_id
     WHERE r.no = $1 AND e.type = 'escalated'`,
    [n],
  );
  expect(events).toEqual({ count: 1 });
});
