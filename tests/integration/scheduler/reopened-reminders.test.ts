import { openTestDatabase, type TestDatabase } from '../../helpers/database';
import {
  acknowledge,
  addRequest,
  at,
  emptyStreet,
  newScheduler,
  outbox,
  rateBad,
  resolve,
} from './scheduler-fixtures';

/**
 * 不满意 reopens a request and restarts its resolve clock (7 days for an ordinary repair): the new
 * round is reminded when it runs out and escalated a clock length later, whatever the first round
 * came to. Sweeps once a day at 10:00, outside quiet hours.
 *
 * X: reminded 10-12 and escalated 10-19 on its first round, resolved, 不满意 10-20 (due 10-27).
 * Y: reminded 10-12, resolved 10-13, 不满意 10-14 (due 10-21).
 */

let db: TestDatabase;
const no: Record<string, number> = {};

beforeAll(async () => {
  db = await openTestDatabase();
  await emptyStreet(db.dataSource);
  const c1b1 = {
    compoundId: 'c1',
    buildingId: 'c1-b1',
    assigneeId: 'head.c1-b1',
    createdAt: at('10-05 10:00'),
  };
  no.X = await addRequest(db.dataSource, { ...c1b1, text: '楼道灯不亮' });
  no.Y = await addRequest(db.dataSource, { ...c1b1, text: '单元门关不上' });
});

afterAll(async () => {
  await db.close();
});

const days = (from: string, to: string): Date[] => {
  const out: Date[] = [];
  for (let t = at(from).getTime(); t <= at(to).getTime(); t += 86_400_000) out.push(new Date(t));
  return out;
};

it('reminds and escalates each resolve round after a 不满意, on the new clock', async () => {
  const X = no.X as number;
  const Y = no.Y as number;
  const actions: [Date, () => Promise<void>][] = [
    [at('10-05 11:00'), () => acknowledge(db.dataSource, X, at('10-05 11:00'), 'head.c1-b1')],
    [at('10-05 11:00'), () => acknowledge(db.dataSource, Y, at('10-05 11:00'), 'head.c1-b1')],
    [at('10-13 12:00'), () => resolve(db.dataSource, Y, at('10-13 12:00'), 'head.c1-b1')],
    [at('10-14 09:00'), () => rateBad(db.dataSource, Y, at('10-14 09:00'))],
    [at('10-19 12:00'), () => resolve(db.dataSource, X, at('10-19 12:00'), 'gw.c1.1')],
    [at('10-20 09:00'), () => rateBad(db.dataSource, X, at('10-20 09:00'))],
  ];
  const { scheduler } = newScheduler(db.dataSource, at('10-06 10:00'));
  for (const instant of days('10-06 10:00', '11-10 10:00')) {
    while (actions[0] && actions[0][0] <= instant)
      await (actions.shift() as [Date, () => Promise<void>])[1]();
    expect((await scheduler.runJob('reminders', instant)).status).toBe('ran');
  }

  const stages = await db.dataSource.query<{ no: number; stage: string; at: Date; outcome: string }[]>(
    `SELECT r.no, x.stage, x.at, x.outcome FROM request_reminder x JOIN request r ON r.id = x.request_id
     ORDER BY x.at, r.no`,
  );
  const name = (n: number) => (n === X ? 'X' : 'Y');
  expect(stages.map((s) => [name(s.no), s.stage, s.at.toISOString(), s.outcome])).toEqual([
    ['X', 'resolve_remind', at('10-12 10:00').toISOString(), 'reminded'],
    ['Y', 'resolve_remind', at('10-12 10:00').toISOString(), 'reminded'],
    ['X', 'resolve_escalate', at('10-19 10:00').toISOString(), 'escalated to level 1'],
    // Y's second round: due 10-21 09:00, reminded at the next sweep, escalated 7 days later.
    ['Y', 'resolve_remind', at('10-21 10:00').toISOString(), 'reminded'],
    ['X', 'resolve_remind', at('10-27 10:00').toISOString(), 'reminded'],
    ['Y', 'resolve_escalate', at('10-28 10:00').toISOString(), 'escalated to level 1'],
    ['X', 'resolve_escalate', at('11-03 10:00').toISOString(), 'escalated to level 2'],
  ]);

  // Every round's messages were queued (none swallowed as a duplicate of the round before), and
  // the escalation names the clock, not the time since the request was created.
  const rows = await outbox(db.dataSource, ['reminder', 'escalation']);
  const about = (n: number) => rows.filter((r) => r.body.content.includes(`#${n} `));
  const reminders = (n: number) =>
    about(n)
      .filter((r) => r.purpose === 'reminder')
      .map((r) => r.created_at.toISOString());
  expect(reminders(X)).toEqual([at('10-12 10:00').toISOString(), at('10-27 10:00').toISOString()]);
  expect(reminders(Y)).toEqual([at('10-12 10:00').toISOString(), at('10-21 10:00').toISOString()]);
  const groupEscalation = (n: number) =>
    about(n)
      .filter((r) => r.purpose === 'escalation' && r.destination.webhookKey === 'syn-c1-b1')
      .map((r) => r.body.content);
  expect(groupEscalation(Y)).toEqual([expect.stringMatching(/：超过办结时限（7天）仍未办结\n/)]);
  expect(groupEscalation(X)).toEqual([
    expect.stringMatching(/^#\d+ 已上报网格员 .+：超过办结时限（7天）仍未办结\n报修 1号楼 .+$/),
    expect.stringMatching(/^#\d+ 已上报街道：超过办结时限（7天）仍未办结\n报修 1号楼 .+$/),
  ]);
  // Each round under its own outbox key, so a retry of a round is refused and a new round is not.
  expect(
    about(X)
      .filter((r) => r.purpose === 'reminder')
      .map((r) => r.dedupe_key),
  ).toEqual([
    expect.stringMatching(/^reminder:\d+:resolve_remind:0$/),
    expect.stringMatching(/^reminder:\d+:resolve_remind:r1:0$/),
  ]);
  const keys = rows.map((r) => r.dedupe_key).filter((k) => k !== null);
  expect(new Set(keys).size).toBe(keys.length);
});
