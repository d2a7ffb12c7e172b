import type { TestDatabase } from '../helpers/database';
import { closeDesk, openDesk, type DeskHarness, type Said } from '../helpers/desk-harness';

/**
 * A day in 7号楼's group (江湾小区), replayed through the real /wecom/bot endpoint with encrypted
 * payloads: posts, chatter, every command by the right and the wrong person, and a repeated
 * delivery. Each step checks what the bot queued; the end checks requests and their event logs.
 *
 * 7号楼: 楼长 王建国 (wang.jg); 1单元 李秀兰 (li.xl); 2单元 赵志强 (zhao.zq); 3单元 no head.
 * 网格员 刘婷 (liu.t). Residents 张敏 (zhang.min) and 陈阿姨 (chen.ay) are not in the ledger.
 */

const KEY_B7 = '0000fake-0000-4000-8000-0000000jw007';

let db: TestDatabase;
let desk: DeskHarness;

beforeAll(async () => {
  ({ db, desk } = await openDesk());
});

afterAll(() => closeDesk(desk, db));

/** The one message a step sent to 7号楼's group: its text and whom it @-mentions. */
function groupReply(said: Said): { text: string; mentions: string[] } {
  expect(said.status).toBe(200);
  expect(said.sent).toHaveLength(1);
  const [row] = said.sent;
  expect(row?.destination).toEqual({ type: 'group_webhook', webhookKey: KEY_B7 });
  return { text: row?.body.content ?? '', mentions: row?.body.mentions ?? [] };
}

it('replays a day in a building group', async () => {
  // 1. A tagged post becomes #1, routed to the unit head of 2单元, the electricians added.
  const first = await desk.say('zhang.min', '#报修 2单元三楼楼道灯不亮', { msgid: 'day-1' });
  let r = groupReply(first);
  expect(r.text).toBe(
    '已登记 #1【报修】2单元三楼楼道灯不亮\n位置：7号楼2单元；处理人：赵志强（2单元单元长），电工志愿队协助\n请赵志强回复「接单 1」，大家可发「查询 1」看进度',
  );
  expect(r.mentions).toEqual(['zhao.zq', 'ma.sf', 'gu.jm']);
  expect(await desk.request(1)).toMatchObject({
    status: 'open',
    assignee_id: 'zhao.zq',
    unit_no: 2,
    category: 'repair',
  });

  // 2. WeCom delivers the same message again: nothing new.
  const again = await desk.say('zhang.min', '#报修 2单元三楼楼道灯不亮', { msgid: 'day-1' });
  expect(again).toEqual({ status: 200, sent: [] });

  // 3. Chatter gets a one-line hint; 4. a tag without a description asks for one.
  expect(groupReply(await desk.say('chen.ay', '今天天气真好')).text).toContain('#报修 2单元楼道灯不亮');
  expect(groupReply(await desk.say('chen.ay', '#求助')).text).toBe(
    '请在「#求助」后面写上具体情况，例如：#求助 2单元楼道灯不亮',
  );

  // 5. A tag at the end; 3单元 has no head, so the building head has it; the cleanup team helps.
  r = groupReply(await desk.say('chen.ay', '3单元门口堆了很多杂物，进出不方便【投诉】'));
  expect(r.text).toMatch(/^已登记 #2【投诉】3单元门口堆了很多杂物/);
  expect(r.text).toContain('位置：7号楼3单元；处理人：王建国（楼长），楼道环境队协助');
  expect(r.mentions).toEqual(['wang.jg', 'pan.xm', 'luo.qy']);

  // 6. Only the assignee (or grid worker, admin) may take it on; the refusal names the handler.
  expect(groupReply(await desk.say('zhang.min', '接单 1')).text).toBe(
    '#1 由赵志强处理，只有处理人、网格员或街道管理员可以接单',
  );
  desk.advance(20);
  r = groupReply(await desk.say('zhao.zq', '接单 1'));
  expect(r).toEqual({ text: '#1 赵志强 已接单，会尽快处理', mentions: ['zhang.min'] });
  expect(groupReply(await desk.say('zhao.zq', '接单 ＃1')).text).toBe(
    '#1 已经接单了，办完请回复「办结 1 处理情况」',
  );
  r = groupReply(await desk.say('zhao.zq', '进展 1 已联系电工师傅，下午来修'));
  expect(r).toEqual({ text: '#1 进展：已联系电工师傅，下午来修（赵志强）', mentions: ['zhang.min'] });

  // 10. The building head is not the assignee of #1: told how it could come to him.
  expect(groupReply(await desk.say('wang.jg', '办结 1 灯已修好')).text).toBe(
    '#1 由赵志强处理。要接手，请赵志强发「转派 1 @王建国」，或找网格员刘婷',
  );
  desk.advance(180);
  r = groupReply(await desk.say('zhao.zq', '/done 1 换了新灯泡'));
  expect(r.text).toBe('#1 已办结：换了新灯泡\n请报事人回复「满意 1」或「不满意 1 原因」');
  expect(r.mentions).toEqual(['zhang.min']);

  // 12. Only the reporter rates; 不满意 reopens to the assignee.
  expect(groupReply(await desk.say('chen.ay', '满意 1')).text).toBe('只有报事人本人可以评价 #1');
  r = groupReply(await desk.say('zhang.min', '不满意 1 三楼还是不亮'));
  expect(r).toEqual({ text: '#1 已重新打开，请继续跟进。原因：三楼还是不亮', mentions: ['zhao.zq'] });
  expect(await desk.request(1)).toMatchObject({
    status: 'acknowledged',
    rating: 'bad',
    reopen_count: 1,
    resolved_at: null,
  });
  // The resolve clock starts again: 24 hours for a repair of the power supply (a light).
  expect((await desk.request(1))?.resolve_due_at).toEqual(
    new Date(desk.clock.now().getTime() + 24 * 3600_000),
  );
  desk.advance(60);
  groupReply(await desk.say('zhao.zq', '办结 1 三楼的也换好了'));
  r = groupReply(await desk.say('zhang.min', '满意 1'));
  expect(r).toEqual({ text: '#1 已完结。报事人评价满意，辛苦赵志强了！', mentions: ['zhao.zq'] });
  expect(groupReply(await desk.say('zhang.min', '满意 1')).text).toBe('#1 已完结，评价过了');
  expect(groupReply(await desk.say('zhang.min', '接单 99')).text).toBe(
    '没有找到 #99，请核对编号（可发「待办」查看）',
  );

  // 18. Reassign by display name; the old assignee loses the right.
  r = groupReply(await desk.say('wang.jg', '转派 2 @李秀兰'));
  expect(r).toEqual({ text: '#2 已转派给李秀兰，请接单：接单 2', mentions: ['li.xl'] });
  expect(groupReply(await desk.say('wang.jg', '接单 2')).text).toBe(
    '#2 由李秀兰处理。要接手，请李秀兰发「转派 2 @王建国」，或找网格员刘婷',
  );
  expect(groupReply(await desk.say('li.xl', '转派 2')).text).toBe('请写上交给谁，例如：转派 2 @李秀兰');
  expect(groupReply(await desk.say('li.xl', '转派 2 @不存在')).text).toContain('台账里没有「不存在」');

  // 21. Escalate: first to the grid worker, then (by the grid worker) to the street.
  r = groupReply(await desk.say('li.xl', '上报 2 堆物太多，需要协调清运'));
  expect(r).toEqual({
    text: '#2 已上报网格员 刘婷：堆物太多，需要协调清运\n投诉 7号楼3单元 3单元门口堆了很多杂物，进出不…',
    mentions: ['liu.t'],
  });
  const toStreet = await desk.say('liu.t', '上报 2 需要街道出面协调');
  expect(toStreet.sent.map((s) => s.destination.type)).toEqual(['group_webhook', 'group_webhook']);
  expect(toStreet.sent[0]?.body.content).toBe(
    '#2 已上报街道：需要街道出面协调\n投诉 7号楼3单元 3单元门口堆了很多杂物，进出不…',
  );
  expect(toStreet.sent[1]?.destination.webhookKey).not.toBe(KEY_B7);
  expect(toStreet.sent[1]?.body).toMatchObject({ kind: 'markdown' });
  expect(toStreet.sent[1]?.body.content).toContain(
    '**上报街道** #2 投诉 江湾小区7号楼3单元 3单元门口堆了很多杂物，进出不方便\n',
  );
  expect(groupReply(await desk.say('liu.t', '上报 2 再催一下')).text).toBe('#2 已经上报街道，请等街道回复');
  expect(groupReply(await desk.say('liu.t', '议事 2')).text).toBe(
    '#2 已列入居民议事会议题，会上商量后再告诉大家',
  );
  expect(await desk.request(2)).toMatchObject({ escalation_level: 2, council: true, assignee_id: 'liu.t' });

  // 25. Withdraw: only the reporter, once.
  r = groupReply(await desk.say('chen.ay', '#咨询 下周几点停水？'));
  expect(r.text).toMatch(/^已登记 #3【咨询】下周几点停水？/);
  expect(groupReply(await desk.say('zhang.min', '撤回 3')).text).toBe('只有报事人本人可以撤回 #3');
  expect(groupReply(await desk.say('chen.ay', '撤回 3')).text).toBe('#3 已撤回，不用再处理了');
  expect(groupReply(await desk.say('chen.ay', '撤回 3')).text).toBe('#3 已经撤回了');

  // 29. Urgent: gas. The grid worker is @-ed at once and the reply carries a safety line.
  r = groupReply(await desk.say('zhang.min', '#报修 1单元有燃气味，好像漏气了，电话13912345678'));
  expect(r.text.split('\n')[0]).toMatch(/^⚠️ 紧急：请立即开窗通风.*96777/);
  expect(r.text).toContain('已登记 #4【报修】1单元有燃气味，好像漏气了，电话139****5678');
  expect(r.text).toContain('位置：7号楼1单元；处理人：李秀兰（1单元单元长）');
  expect(r.text).not.toContain('13912345678');
  expect(r.mentions).toEqual(['li.xl', 'liu.t']);
  expect(await desk.request(4)).toMatchObject({ priority: 'urgent', hazard: 'gas', assignee_id: 'li.xl' });

  // 30. Queries, to-do lists and help.
  r = groupReply(await desk.say('li.xl', '查询 4'));
  expect(r.text).toMatch(
    /^#4 报修｜待接单｜紧急\n1单元有燃气味，好像漏气了，电话139\*\*\*\*5678\n位置：7号楼1单元；处理人：李秀兰\n最近：11-30 \d\d:\d\d 登记$/,
  );
  expect(groupReply(await desk.say('li.xl', '待办')).text).toBe(
    '您的待办：\n#4 紧急报修 7号楼1单元：1单元有燃气味，好像漏气了，电话139…（待接单）',
  );
  expect(groupReply(await desk.say('zhang.min', '/todo')).text).toBe(
    '您报的事：\n#4 紧急报修 7号楼1单元：1单元有燃气味，好像漏气了，电话139…（待接单）',
  );
  const residentHelp = groupReply(await desk.say('zhang.min', '帮助')).text;
  expect(residentHelp).toContain('撤回 12');
  expect(residentHelp).not.toContain('接单 12');
  expect(groupReply(await desk.say('wang.jg', '/help')).text).toContain('接单 12');
  expect(groupReply(await desk.say('zhang.min', '接单')).text).toBe('您手上没有待接单的事');

  // 36. A street admin may act on any request; taking it on makes them its handler.
  expect(groupReply(await desk.say('zhou.m', '/ack 4'))).toEqual({
    text: '#4 周敏 已接单，会尽快处理',
    mentions: ['zhang.min', 'li.xl'],
  });

  // 37. A group not in the ledger: kept, told once a day.
  const stranger1 = await desk.say('x.y', '#报修 灯坏了', { chatid: 'wrkUnknownGroup' });
  expect(stranger1.sent.map((s) => s.body.content)).toEqual([
    '本群还没有在睦邻登记，暂时不能受理。请联系社区网格员登记本群。',
  ]);
  expect(stranger1.sent[0]?.destination.type).toBe('response_url');
  expect((await desk.say('x.y', '#报修 灯还是坏的', { chatid: 'wrkUnknownGroup' })).sent).toEqual([]);
  // 38. A danger there is answered every time with what to do and whom to call: no head will see it.
  const danger = await desk.say('x.y', '楼道里煤气味很大', { chatid: 'wrkUnknownGroup' });
  expect(danger.sent.map((s) => s.body.content)).toEqual([
    '⚠️ 紧急：请立即开窗通风，不要开关电器、不要点火。燃气公司抢修 96777\n' +
      '本群还没有在睦邻登记，请直接拨打上面的电话，并告诉社区网格员',
  ]);

  // 39. A post in a private chat is sent back to the building group.
  const single = await desk.say('zhang.min', '#报修 水管漏水', { single: true });
  expect(single.sent.map((s) => [s.destination.type, s.body.content])).toEqual([
    ['response_url', '请到您所在楼栋的群里@我报事，方便楼长及时看到'],
  ]);

  // The record: four requests, each step in its event log.
  expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM request`)).toEqual([{ n: 4 }]);
  expect(await desk.events(1)).toEqual([
    'created:zhang.min',
    'routed:-',
    'acknowledged:zhao.zq',
    'note:zhao.zq',
    'resolved:zhao.zq',
    'rated:zhang.min',
    'reopened:zhang.min',
    'resolved:zhao.zq',
    'rated:zhang.min',
    'closed:zhang.min',
  ]);
  expect(await desk.events(2)).toEqual([
    'created:chen.ay',
    'routed:-',
    'assigned:wang.jg',
    'escalated:li.xl',
    'escalated:liu.t',
    'council:liu.t',
  ]);
  expect(await desk.events(3)).toEqual(['created:chen.ay', 'routed:-', 'withdrawn:chen.ay']);
  expect(await desk.events(4)).toEqual([
    'created:zhang.min',
    'routed:-',
    'assigned:zhou.m',
    'acknowledged:zhou.m',
  ]);
  // Everything queued reaches the WeCom stand-in once, in order per group, through the outbox.
  const queued = await db.dataSource.query<
    { destination: { type: string; webhookKey?: string }; body: { content: string } }[]
  >(`SELECT destination, body FROM outbox ORDER BY id`);
  await desk.deliverAll();
  const received = desk.wecom.messages();
  const keyOf = (d: { type: string; webhookKey?: string }) =>
    d.type === 'group_webhook' ? (d.webhookKey ?? '') : d.type;
  for (const key of new Set(queued.map((q) => keyOf(q.destination)))) {
    expect(received.filter((m) => keyOf(m.destination) === key).map((m) => m.body.content)).toEqual(
      queued.filter((q) => keyOf(q.destination) === key).map((q) => q.body.content),
    );
  }
  expect(received).toHaveLength(queued.length);
  expect(await db.dataSource.query(`SELECT DISTINCT status FROM outbox`)).toEqual([{ status: 'sent' }]);

  // 41 deliveries, one of them a repeat: 40 messages kept, the unregistered group's included.
  const stored = await db.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM inbound_message`);
  expect(stored[0]?.n).toBe(40);
});

it("lists a resident's ten latest open requests and says when there are more", async () => {
  // A resident new to the day above, with eleven requests still open.
  for (let i = 1; i <= 11; i++) {
    expect((await desk.say('sun.lp', `#报修 3单元${i}楼楼道灯不亮`)).status).toBe(200);
  }
  const lines = groupReply(await desk.say('sun.lp', '待办')).text.split('\n');
  expect(lines[0]).toBe('您报的事：');
  expect(lines).toHaveLength(12);
  // Newest first; the oldest (3单元1楼) is the one left out.
  expect(lines[1]).toContain('3单元11楼');
  expect(lines.slice(1, 11).some((l) => l.includes('3单元1楼楼道'))).toBe(false);
  expect(lines[11]).toBe('（只列出最近10件）');
});
