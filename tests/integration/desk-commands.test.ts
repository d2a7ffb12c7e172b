import { readLedgerFile } from '../../src/ledger';
import { importLedger } from '../../src/ledger/ledger-store';
import { autoClose } from '../../src/scheduler/auto-close';
import type { LedgerDocument } from '../../src/ledger/schema';
import type { TestDatabase } from '../helpers/database';
import { closeDesk, openDesk, registeredNo, type DeskHarness, type Queued } from '../helpers/desk-harness';

/**
 * Chat commands in 7号楼's group (江湾小区) through the real /wecom/bot endpoint, each case on
 * requests of its own: handing over and taking on, people removed from the ledger, ratings after
 * auto-close, withdrawn requests, the slash and tag forms, help and to-do lists.
 *
 * 7号楼: 楼长 王建国 (wang.jg); 1单元 李秀兰 (li.xl); 2单元 赵志强 (zhao.zq); 3单元 no head.
 * 网格员 刘婷 (liu.t). 马顺福 (ma.sf) is an electrician volunteer. Residents 张敏 (zhang.min) and
 * 陈阿姨 (chen.ay) are not in the ledger.
 */

const KEY_B7 = '0000fake-0000-4000-8000-0000000jw007';

let db: TestDatabase;
let desk: DeskHarness;

beforeAll(async () => {
  ({ db, desk } = await openDesk());
});

afterAll(() => closeDesk(desk, db));

/** Posts a request, answered with its receipt alone, and returns its number. */
async function report(from: string, text: string): Promise<number> {
  return registeredNo(await desk.reply(from, text));
}

describe('taking a request on', () => {
  it('lets the new handler take on a request handed over after it was taken on', async () => {
    const no = await report('zhang.min', '#报修 2单元二楼楼道灯不亮');
    await desk.said('zhao.zq', `接单 ${no}`);
    const firstResponse = (await desk.request(no))?.acknowledged_at;
    desk.advance(30);
    expect(await desk.said('zhao.zq', `转派 ${no} @李秀兰`)).toEqual([
      [KEY_B7, `#${no} 已转派给李秀兰，请接单：接单 ${no}`, ['li.xl']],
    ]);
    desk.advance(10);
    expect(await desk.said('li.xl', `接单 ${no}`)).toEqual([
      [KEY_B7, `#${no} 李秀兰 已接单，会尽快处理`, ['zhang.min']],
    ]);
    expect(await desk.reply('li.xl', `接单 ${no}`)).toBe(
      `#${no} 已经接单了，办完请回复「办结 ${no} 处理情况」`,
    );
    // The first response stays the one the weekly response rate counts.
    expect(await desk.request(no)).toMatchObject({
      status: 'acknowledged',
      assignee_id: 'li.xl',
      acknowledged_at: firstResponse,
    });
    expect(await desk.events(no)).toEqual([
      'created:zhang.min',
      'routed:-',
      'acknowledged:zhao.zq',
      'assigned:zhao.zq',
      'acknowledged:li.xl',
    ]);
  });

  it('makes a grid worker who takes on a head’s request its handler', async () => {
    const no = await report('chen.ay', '#报修 3单元门口地砖松了');
    expect((await desk.request(no))?.assignee_id).toBe('wang.jg');
    // The head it was with hears that someone else has it now.
    expect(await desk.said('liu.t', `接单 ${no}`)).toEqual([
      [KEY_B7, `#${no} 刘婷 已接单，会尽快处理`, ['chen.ay', 'wang.jg']],
    ]);
    expect(await desk.request(no)).toMatchObject({ status: 'acknowledged', assignee_id: 'liu.t' });
    expect(await desk.reply('liu.t', `接单 ${no}`)).toBe(
      `#${no} 已经接单了，办完请回复「办结 ${no} 处理情况」`,
    );
    expect(await desk.reply('chen.ay', `查询 ${no}`)).toContain('处理人：刘婷');
    expect(await desk.events(no)).toEqual([
      'created:chen.ay',
      'routed:-',
      'assigned:liu.t',
      'acknowledged:liu.t',
    ]);
  });

  it('makes a grid worker who reports progress on a head’s open request its handler too', async () => {
    const no = await report('chen.ay', '#报修 3单元楼梯扶手松了');
    expect(await desk.said('liu.t', `进展 ${no} 已联系师傅，明天上午来`)).toEqual([
      [KEY_B7, `#${no} 进展：已联系师傅，明天上午来（刘婷）`, ['chen.ay', 'wang.jg']],
    ]);
    expect(await desk.request(no)).toMatchObject({ status: 'acknowledged', assignee_id: 'liu.t' });
    expect(await desk.events(no)).toEqual([
      'created:chen.ay',
      'routed:-',
      'assigned:liu.t',
      'acknowledged:liu.t',
      'note:liu.t',
    ]);
  });

  it('lets a grid worker a request was escalated to take it on', async () => {
    const no = await report('zhang.min', '#报修 1单元楼顶漏水');
    await desk.said('li.xl', `接单 ${no}`);
    await desk.said('li.xl', `上报 ${no} 需要专业施工队`);
    expect((await desk.request(no))?.assignee_id).toBe('liu.t');
    expect(await desk.reply('liu.t', `接单 ${no}`)).toBe(`#${no} 刘婷 已接单，会尽快处理`);
  });
});

describe('requests that are over', () => {
  it('tells a reporter rating an auto-closed request that it closed unrated', async () => {
    const no = await report('zhang.min', '#报修 2单元信箱的锁坏了');
    await desk.said('zhao.zq', `办结 ${no} 换了锁`);
    desk.advance(73 * 60);
    await db.dataSource.transaction((tx) => autoClose(tx, desk.clock.now(), 72 * 60));
    expect(await desk.request(no)).toMatchObject({ status: 'closed', rating: null });
    expect(await desk.reply('zhang.min', `满意 ${no}`)).toBe(`#${no} 已超过评价时间，自动办结了，不用再评价`);
    expect(await desk.reply('zhang.min', `不满意 ${no} 锁还是坏的`)).toBe(
      `#${no} 已超过评价时间，自动办结了；问题还在的话请重新报事：#报修 2单元信箱的锁坏了`,
    );
  });

  it('says so too when an earlier round was rated 不满意 and the last one closed by itself', async () => {
    const no = await report('zhang.min', '#报修 2单元信箱的门掉了');
    await desk.said('zhao.zq', `办结 ${no} 装好了`);
    await desk.said('zhang.min', `不满意 ${no} 又掉了`);
    await desk.said('zhao.zq', `办结 ${no} 换了合页`);
    desk.advance(73 * 60);
    await db.dataSource.transaction((tx) => autoClose(tx, desk.clock.now(), 72 * 60));
    expect(await desk.reply('zhang.min', `满意 ${no}`)).toBe(`#${no} 已超过评价时间，自动办结了，不用再评价`);
    expect(await desk.reply('zhang.min', `不满意 ${no} 又掉了`)).toBe(
      `#${no} 已超过评价时间，自动办结了；问题还在的话请重新报事：#报修 2单元信箱的门掉了`,
    );
  });

  it('shows the way forward to a 不满意 on a request already rated or withdrawn', async () => {
    const no = await report('zhang.min', '#报修 2单元楼梯扶手松了');
    await desk.said('zhao.zq', `办结 ${no} 拧紧了`);
    await desk.said('zhang.min', `满意 ${no}`);
    expect(await desk.reply('zhang.min', `满意 ${no}`)).toBe(`#${no} 已完结，评价过了`);
    expect(await desk.reply('zhang.min', `不满意 ${no} 又坏了`)).toBe(
      `#${no} 已完结，评价过了；问题还在的话请重新报事：#报修 2单元楼梯扶手松了`,
    );
    const withdrawn = await report('zhang.min', '#投诉 2单元门口有人乱停车，电话13912345678');
    await desk.said('zhang.min', `撤回 ${withdrawn}`);
    expect(await desk.reply('zhang.min', `满意 ${withdrawn}`)).toBe(`#${withdrawn} 已撤回，不用评价`);
    expect(await desk.reply('zhang.min', `不满意 ${withdrawn} 又停了`)).toBe(
      `#${withdrawn} 已撤回；问题还在的话请重新报事：#投诉 2单元门口有人乱停车，电话139****5678`,
    );
    expect(await desk.request(no)).toMatchObject({ status: 'closed', rating: 'good', reopen_count: 0 });
    expect(await desk.request(withdrawn)).toMatchObject({ status: 'withdrawn', rating: null });
  });

  it('rates the request a reporter names at the end of a thank-you, not their newest', async () => {
    const older = await report('zhang.min', '#报修 2单元一楼楼道灯不亮');
    const newer = await report('zhang.min', '#报修 2单元一楼门禁坏了');
    await desk.said('zhao.zq', `办结 ${older} 换了灯泡`);
    await desk.said('zhao.zq', `办结 ${newer} 换了门禁`);
    expect(await desk.reply('zhang.min', `谢谢赵师傅，灯修好了，满意 ${older}`)).toBe(
      `#${older} 已完结。报事人评价满意，辛苦赵志强了！`,
    );
    expect(await desk.request(older)).toMatchObject({ status: 'closed', rating: 'good' });
    expect(await desk.request(newer)).toMatchObject({ status: 'resolved', rating: null });
  });

  it('says a withdrawn request was withdrawn when it is handed over or escalated', async () => {
    const no = await report('chen.ay', '#求助 1单元门口的自行车挡路');
    await desk.said('chen.ay', `撤回 ${no}`);
    expect(await desk.reply('li.xl', `转派 ${no} @王建国`)).toBe(`#${no} 已撤回，不能再转派`);
    expect(await desk.reply('li.xl', `上报 ${no} 需要协调`)).toBe(`#${no} 已撤回，不用上报`);
    const resolved = await report('chen.ay', '#求助 1单元门口的电动车挡路');
    await desk.said('li.xl', `办结 ${resolved} 挪走了`);
    expect(await desk.reply('li.xl', `转派 ${resolved} @王建国`)).toBe(`#${resolved} 已办结，不能再转派`);
    expect(await desk.reply('li.xl', `上报 ${resolved} 需要协调`)).toBe(`#${resolved} 已办结，不用上报`);
  });
});

describe('replies in a group', () => {
  it('@ the sender when they @ no one else', async () => {
    // Through the group's push key a reply is a new message, not an answer to the one it is about:
    // without an @ no one in a busy group can tell whom a refusal or an answer is for.
    const no = await report('zhang.min', '#报修 3单元楼道窗户关不上');
    const mentionsOf = (sent: readonly Queued[]) => sent.map(([type, , mentions]) => [type, mentions]);
    const refused = await desk.said('chen.ay', `满意 ${no}`);
    expect(refused[0]?.[1]).toContain(`#${no}`);
    expect(mentionsOf(refused)).toEqual([[KEY_B7, ['chen.ay']]]);
    expect(mentionsOf(await desk.said('chen.ay', `查询 ${no}`))).toEqual([[KEY_B7, ['chen.ay']]]);
    expect(mentionsOf(await desk.said('chen.ay', '今天天气真好'))).toEqual([[KEY_B7, ['chen.ay']]]);
    expect(mentionsOf(await desk.said('chen.ay', '帮助'))).toEqual([[KEY_B7, ['chen.ay']]]);
    // A notice @s whom it is for, not the sender.
    expect(mentionsOf(await desk.said('wang.jg', `接单 ${no}`))).toEqual([[KEY_B7, ['zhang.min']]]);
    // In a group without a push key the reply answers the message itself (WeCom quotes it).
    const elsewhere = await desk.said('chen.ay', `查询 ${no}`, { chatid: 'wrkB7FAKEjinianlu04' });
    expect(elsewhere.map(([type, content]) => [type, content.includes('<@')])).toEqual([
      ['response_url', false],
    ]);
  });
});

describe('typing commands', () => {
  it('asks for good or bad when /rate has a number but no rating', async () => {
    const no = await report('zhang.min', '#报修 2单元门禁刷不开');
    await desk.said('zhao.zq', `办结 ${no} 重新录了卡`);
    expect(await desk.reply('zhang.min', `/rate ${no}`)).toBe(
      `请写上满意还是不满意，例如：/rate ${no} good 或 /rate ${no} bad 原因`,
    );
    // Without the number too: asked before a number is taken from context, so nothing is rated blindly.
    expect(await desk.reply('zhang.min', '/rate')).toBe(
      '请写上满意还是不满意，例如：/rate 12 good 或 /rate 12 bad 原因',
    );
    expect(await desk.reply('zhang.min', `/rate ${no} 好评`)).toBe(
      `#${no} 已完结。报事人评价满意，辛苦赵志强了！`,
    );
  });
});

describe('待办', () => {
  it("lists a volunteer's own reports", async () => {
    const no = await report('ma.sf', '#建议 3单元门口加一个扶手');
    expect(await desk.reply('ma.sf', '待办')).toBe(
      `您报的事：\n#${no} 建议 7号楼3单元：3单元门口加一个扶手（待接单）`,
    );
  });

  it('lists what a head has to do and, after it, what they reported', async () => {
    const own = await report('wang.jg', '#建议 1单元楼道加装扶手');
    const assigned = await report('chen.ay', '#投诉 3单元楼道有人抽烟');
    const todo = (await desk.reply('wang.jg', '待办')).split('\n');
    expect(todo[0]).toBe('您的待办：');
    expect(todo[1]).toMatch(new RegExp(`^#${assigned} 投诉`, 'u'));
    expect(todo.slice(todo.indexOf('您报的事：') + 1).map((l) => l.split(' ')[0])).toContain(`#${own}`);
  });
});

describe('help', () => {
  it("lists the ledger's categories and sends escalations to the grid worker and the street", async () => {
    const help = await desk.reply('wang.jg', '帮助');
    expect(help.split('\n')[0]).toBe(
      '报事：@睦邻助手 #报修 2单元楼道灯不亮（也可用 #求助 #投诉 #建议 #咨询 #议事 #停车）',
    );
    expect(help).toContain('上报 12 需要街道协调：报给网格员、街道');
  });
});

describe('tags that are also verbs', () => {
  it('registers a post tagged 议事： instead of asking for a number', async () => {
    const reply1 = await desk.reply('chen.ay', '议事：楼下停车位不够，想大家商量一下');
    expect(reply1).toMatch(/^已登记 #\d+【议事】楼下停车位不够，想大家商量一下\n/u);
  });
});

describe('people removed from the ledger', () => {
  function exampleLedger(): LedgerDocument {
    const read = readLedgerFile('examples/ledger.yaml');
    if (!read.ok) throw new Error(read.problems.join('\n'));
    return read.ledger;
  }

  /** The example ledger without 赵志强: out of the people, 2单元 of 7号楼 without a head. */
  function withoutZhao(): LedgerDocument {
    const doc = exampleLedger();
    return {
      ...doc,
      people: doc.people.filter((p) => p.id !== 'zhao.zq'),
      compounds: doc.compounds.map((c) => ({
        ...c,
        buildings: c.buildings.map((b) => ({
          ...b,
          units: b.units?.map((u) => (u.head === 'zhao.zq' ? { no: u.no } : u)),
        })),
      })),
    };
  }

  afterEach(async () => {
    await importLedger(db.dataSource, exampleLedger(), desk.clock, 'examples/ledger.yaml');
  });

  it('keeps their names on the requests they handled', async () => {
    const no = await report('zhang.min', '#报修 2单元地下室的灯不亮');
    await desk.said('zhao.zq', `接单 ${no}`);
    await desk.said('zhao.zq', `办结 ${no} 换了灯泡`);
    const result = await importLedger(db.dataSource, withoutZhao(), desk.clock, 'test');
    expect(result).toMatchObject({ deactivated: ['zhao.zq'], handedOver: 0 });
    expect(await desk.reply('zhang.min', `查询 ${no}`)).toContain('处理人：赵志强');
  });

  it('hands the requests they were still handling to whoever the ledger now names, and tells them', async () => {
    const taken = await report('zhang.min', '#报修 2单元楼梯扶手松了');
    await desk.said('zhao.zq', `接单 ${taken}`);
    const waiting = await report('chen.ay', '#报修 2单元门禁不灵');
    const result = await importLedger(db.dataSource, withoutZhao(), desk.clock, 'test');
    expect(result).toMatchObject({ deactivated: ['zhao.zq'], handedOver: 2 });

    // 2单元 has no head now: the building head has both, and is told in the group.
    const sent = await desk.said('zhang.min', `查询 ${taken}`);
    expect(sent.slice(0, 2)).toEqual(
      [taken, waiting].map((no) => [
        KEY_B7,
        `#${no} 原处理人赵志强已不在台账，改由王建国处理，请接单：接单 ${no}`,
        ['wang.jg'],
      ]),
    );
    expect(sent[2]?.[1]).toContain('处理人：王建国');
    for (const no of [taken, waiting])
      expect(await desk.request(no)).toMatchObject({ assignee_id: 'wang.jg' });
    expect((await desk.request(taken))?.status).toBe('acknowledged');
    const [handed] = await db.dataSource.query<{ actor_id: string | null; note: string; data: unknown }[]>(
      `SELECT e.actor_id, e.note, e.data FROM request_event e JOIN request r ON r.id = e.request_id
       WHERE r.no = $1 AND e.type = 'assigned'`,
      [taken],
    );
    expect(handed).toEqual({
      actor_id: null,
      note: '原处理人赵志强已不在台账',
      data: { from: 'zhao.zq', to: 'wang.jg' },
    });

    // The new handler takes it on like any request handed to them.
    expect(await desk.reply('wang.jg', `接单 ${waiting}`)).toContain(`#${waiting} 王建国 已接单`);
  });

  it('hands a request reopened by 不满意 to the successor of a handler who has left', async () => {
    // Resolved when he left, so not handed over then; 不满意 reopens it.
    const no = await report('zhang.min', '#报修 2单元信箱坏了');
    await desk.said('zhao.zq', `接单 ${no}`);
    await desk.said('zhao.zq', `办结 ${no} 修好了`);
    await importLedger(db.dataSource, withoutZhao(), desk.clock, 'test');
    expect(await desk.said('zhang.min', `不满意 ${no} 还是关不上`)).toEqual([
      [KEY_B7, `#${no} 已重新打开，请继续跟进。原因：还是关不上`, ['wang.jg']],
      [KEY_B7, `#${no} 原处理人赵志强已不在台账，改由王建国处理，请接单：接单 ${no}`, ['wang.jg']],
    ]);
    expect(await desk.request(no)).toMatchObject({ status: 'acknowledged', assignee_id: 'wang.jg' });
  });

  it('hands a request already with the street to a street admin, told in the leadership group', async () => {
    const no = await report('zhang.min', '#报修 2单元外墙渗水');
    await db.dataSource.query(`UPDATE request SET escalation_level = 2 WHERE no = $1`, [no]);
    await importLedger(db.dataSource, withoutZhao(), desk.clock, 'test');
    expect(await desk.request(no)).toMatchObject({ assignee_id: 'zhou.m' });
    const [notice] = await db.dataSource.query<{ destination: unknown; body: { content: string } }[]>(
      `SELECT o.destination, o.body FROM outbox o JOIN request r ON r.id = o.request_id
       WHERE r.no = $1 AND o.dedupe_key LIKE 'hand-over:%'`,
      [no],
    );
    expect(notice?.destination).toEqual({
      type: 'group_webhook',
      webhookKey: '0000fake-0000-4000-8000-00000000lead',
    });
    expect(notice?.body.content).toBe(`#${no} 原处理人赵志强已不在台账，改由周敏处理，请接单：接单 ${no}`);
    // The next message's sends include it, as the worker delivers it then.
    expect((await desk.said('zhang.min', `查询 ${no}`))[0]?.[2]).toEqual(['zhou.m']);
  });

  it('hands over at the next import a request still with someone who left at an earlier one', async () => {
    // Requests left with people removed before hand-overs existed are in this state after an upgrade.
    const no = await report('zhang.min', '#报修 2单元信箱锁坏了');
    await importLedger(db.dataSource, withoutZhao(), desk.clock, 'test');
    await db.dataSource.query(`UPDATE request SET assignee_id = 'zhao.zq' WHERE no = $1`, [no]);

    const next = withoutZhao();
    const result = await importLedger(
      db.dataSource,
      { ...next, street: { ...next.street, name: '江湾街道办事处' } },
      desk.clock,
      'test',
    );
    expect(result).toMatchObject({ changed: true, deactivated: [], handedOver: 1 });
    expect(await desk.request(no)).toMatchObject({ assignee_id: 'wang.jg' });
  });
});
