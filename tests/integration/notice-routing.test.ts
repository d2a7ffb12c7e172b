import type { TestDatabase } from '../helpers/database';
import { closeDesk, openDesk, registeredNo, type DeskHarness, type Queued } from '../helpers/desk-harness';

/**
 * Where the desk's messages go when a command is typed outside the request's own group (a private
 * chat, another building's group), and where a post that names another building is placed.
 *
 * 江湾小区: 5号楼 (楼长 钱桂芳; 1单元 吴淑珍, 2单元 郑海平), 7号楼 (楼长 王建国; 1单元 李秀兰,
 * 2单元 赵志强), 8号楼 (no group, no head); 网格员 刘婷 (liu.t). 纪念路新村 4号楼 has a group
 * without a push key. Residents 张敏 (zhang.min) and 陈阿姨 (chen.ay) are not in the ledger.
 */

const KEY_B5 = '0000fake-0000-4000-8000-0000000jw005';
const KEY_B7 = '0000fake-0000-4000-8000-0000000jw007';
const CHAT_B5 = 'wrkB7FAKEjiangwan05';

let db: TestDatabase;
let desk: DeskHarness;

beforeAll(async () => {
  ({ db, desk } = await openDesk());
});

afterAll(() => closeDesk(desk, db));

describe('a command typed outside the request group', () => {
  it('tells the reporter in their group and confirms briefly in a private chat', async () => {
    const n = await desk.report('zhang.min', '#报修 2单元楼道灯不亮');
    expect(await desk.said('zhao.zq', `办结 ${n} 换好了`, { single: true })).toEqual([
      ['response_url', `#${n} 已办结：换好了\n已发到7号楼群`, []],
      [KEY_B7, `#${n} 已办结：换好了\n请报事人回复「满意 ${n}」或「不满意 ${n} 原因」`, ['zhang.min']],
    ]);
    // The reporter, also privately, is not satisfied: the assignee hears of it in the group.
    expect(await desk.said('zhang.min', `不满意 ${n} 还是不亮`, { single: true })).toEqual([
      ['response_url', `#${n} 已重新打开，请继续跟进。原因：还是不亮\n已发到7号楼群`, []],
      [KEY_B7, `#${n} 已重新打开，请继续跟进。原因：还是不亮`, ['zhao.zq']],
    ]);
  });

  it("does not @ the reporter in another building's group, only the sender there", async () => {
    const n = await desk.report('zhang.min', '#报修 1单元门口地砖松了');
    expect(await desk.said('liu.t', `接单 ${n}`, { chatid: CHAT_B5 })).toEqual([
      [KEY_B5, `#${n} 刘婷 已接单，会尽快处理\n已发到7号楼群`, ['liu.t']],
      // The grid worker takes it over from 李秀兰, who is told it is off her hands.
      [KEY_B7, `#${n} 刘婷 已接单，会尽快处理`, ['zhang.min', 'li.xl']],
    ]);
    expect(await desk.said('liu.t', `进展 ${n} 明天来修`, { chatid: CHAT_B5 })).toEqual([
      [KEY_B5, `#${n} 进展：明天来修（刘婷）\n已发到7号楼群`, ['liu.t']],
      [KEY_B7, `#${n} 进展：明天来修（刘婷）`, ['zhang.min']],
    ]);
    expect(await desk.said('liu.t', `办结 ${n}`, { chatid: CHAT_B5 })).toEqual([
      [KEY_B5, `#${n} 已办结\n已发到7号楼群`, ['liu.t']],
      [KEY_B7, `#${n} 已办结\n请报事人回复「满意 ${n}」或「不满意 ${n} 原因」`, ['zhang.min']],
    ]);
  });

  it('sends an escalation notice to the request group', async () => {
    const n = await desk.report('chen.ay', '#投诉 2单元楼道堆物');
    const sent = await desk.said('zhao.zq', `上报 ${n} 需要协调清运`, { single: true });
    expect(sent).toEqual([
      ['response_url', `#${n} 已上报网格员 刘婷：需要协调清运\n已发到7号楼群`, []],
      [KEY_B7, `#${n} 已上报网格员 刘婷：需要协调清运\n投诉 7号楼2单元 2单元楼道堆物`, ['liu.t']],
    ]);
  });

  it('keeps answers that @ no one where they were asked', async () => {
    const n = await desk.report('chen.ay', '#咨询 2单元什么时候换水表');
    const sent = await desk.said('zhao.zq', `查询 ${n}`, { single: true });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.[0]).toBe('response_url');
  });

  it('gives the sender the whole notice to pass on when the group has no push key', async () => {
    // 纪念路新村 4号楼: a registered group without a push key; 网格员 孙岩 (sun.y).
    const receipt = await desk.said('zhang.min', '#报修 2单元水管漏水', { chatid: 'wrkB7FAKEjinianlu04' });
    const n = Number(/#(\d+)/u.exec(receipt[0]?.[1] ?? '')?.[1]);
    expect(await desk.said('sun.y', `办结 ${n} 修好了`, { single: true })).toEqual([
      [
        'response_url',
        `#${n} 已办结：修好了\n请报事人回复「满意 ${n}」或「不满意 ${n} 原因」\n没能发到4号楼群，请代为转告`,
        [],
      ],
    ]);
  });
});

describe('a post that names a building', () => {
  async function request(no: number) {
    const [row] = await db.dataSource.query<Record<string, unknown>[]>(
      `SELECT building_id, unit_no, room, assignee_id FROM request WHERE no = $1`,
      [no],
    );
    return row;
  }
  const receiptOf = (sent: readonly Queued[]) => registeredNo(sent[0]?.[1] ?? '');

  it('goes to that building when it stands in the same compound, and its group hears of it', async () => {
    const sent = await desk.said('zhang.min', '#报修 5号楼1单元门口路灯坏了');
    const n = receiptOf(sent);
    const receipt = `已登记 #${n}【报修】5号楼1单元门口路灯坏了\n位置：5号楼1单元；处理人：吴淑珍（1单元单元长），电工志愿队协助\n请吴淑珍回复「接单 ${n}」，大家可发「查询 ${n}」看进度`;
    // Each group's copy @s its own people: the reporter here, the head and the team in 5号楼's.
    expect(sent).toEqual([
      [KEY_B7, receipt, ['zhang.min']],
      [KEY_B5, receipt, ['wu.sz', 'ma.sf', 'gu.jm']],
    ]);
    expect(await request(n)).toEqual({ building_id: 'jw-b5', unit_no: 1, room: null, assignee_id: 'wu.sz' });

    // The head takes it on in 5号楼's group; the reporter hears of it in 7号楼's.
    expect(await desk.said('wu.sz', `接单 ${n}`, { chatid: CHAT_B5 })).toEqual([
      [KEY_B5, `#${n} 吴淑珍 已接单，会尽快处理\n已发到7号楼群`, ['wu.sz']],
      [KEY_B7, `#${n} 吴淑珍 已接单，会尽快处理`, ['zhang.min']],
    ]);
  });

  it('tells a head relieved of it in their own group, and the reporter in theirs', async () => {
    const n = await desk.report('zhang.min', '#报修 5号楼2单元楼道窗户破了');
    expect(await request(n)).toMatchObject({ building_id: 'jw-b5', assignee_id: 'zheng.hp' });
    // The grid worker takes it over from 郑海平, typing in 5号楼's group where he is.
    expect(await desk.said('liu.t', `接单 ${n}`, { chatid: CHAT_B5 })).toEqual([
      [KEY_B5, `#${n} 刘婷 已接单，会尽快处理\n已发到7号楼群`, ['zheng.hp']],
      [KEY_B7, `#${n} 刘婷 已接单，会尽快处理`, ['zhang.min']],
    ]);
  });

  it('reads building-unit-room as that building', async () => {
    const sent = await desk.said('zhang.min', '#报修 5-2-301 厨房顶上渗水');
    const n = receiptOf(sent);
    expect(sent[0]?.[1]).toContain('位置：5号楼2单元301室；处理人：郑海平（2单元单元长）');
    expect(await request(n)).toMatchObject({ building_id: 'jw-b5', unit_no: 2, room: '301' });
  });

  it('naming its own building changes nothing', async () => {
    const sent = await desk.said('zhang.min', '#报修 7号楼2单元门口地面塌了');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.[1]).toContain('位置：7号楼2单元；处理人：赵志强（2单元单元长）');
  });

  it('ignores the unit and room of a building the compound does not have', async () => {
    // 9号楼 is not in the ledger; 12号楼 stands in another compound.
    for (const text of ['#报修 9号楼2单元301室门口地面塌了', '#报修 12号楼1单元门口地面塌了']) {
      const sent = await desk.said('zhang.min', text);
      const n = receiptOf(sent);
      expect(sent).toHaveLength(1);
      const building = /(\d+号楼)/u.exec(text)?.[1] ?? '';
      expect(sent[0]?.[1].split('\n')[1]).toBe(`位置：本小区台账里没有${building}；处理人：王建国（楼长）`);
      expect(sent[0]?.[2]).toEqual(['wang.jg']);
      expect(await request(n)).toEqual({
        building_id: 'jw-b7',
        unit_no: null,
        room: null,
        assignee_id: 'wang.jg',
      });
    }
  });

  it('reaches a building without a group through the grid worker it falls to', async () => {
    // 8号楼: no group, no heads; street-backed, so the grid worker has it.
    const sent = await desk.said('zhang.min', '#求助 8号楼1单元有位老人摔倒了');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.[1]).toContain('位置：8号楼1单元；处理人：刘婷（网格员）');
    // With no group of its own to tell them in, its people are @-ed where the post was made.
    expect(sent[0]?.[2]).toEqual(['liu.t', 'xie.ll', 'luo.qy']);
  });
});

describe('the leadership group', () => {
  const LEAD = 'wrkLeadFAKEjiangwan';

  it('runs commands, and sends posts to the building groups', async () => {
    const n = await desk.report('zhang.min', '#报修 3单元楼道扶手松了');
    const shown = await desk.said('zhou.m', `查询 ${n}`, { chatid: LEAD });
    expect(shown).toHaveLength(1);
    expect(shown[0]?.[0]).toBe('response_url');
    expect(shown[0]?.[1]).toMatch(
      new RegExp(`^#${n} 报修｜待接单\\n3单元楼道扶手松了\\n位置：7号楼3单元`, 'u'),
    );

    // An admin resolving it there: the reporter is asked in 7号楼's group.
    expect(await desk.said('zhou.m', `办结 ${n} 已修好`, { chatid: LEAD })).toEqual([
      ['response_url', `#${n} 已办结：已修好\n已发到7号楼群`, []],
      [KEY_B7, `#${n} 已办结：已修好\n请报事人回复「满意 ${n}」或「不满意 ${n} 原因」`, ['zhang.min']],
    ]);

    expect(await desk.said('song.t', '#报修 5号楼门口灯坏了', { chatid: LEAD })).toEqual([
      ['response_url', '请到您所在楼栋的群里@我报事，方便楼长及时看到', []],
    ]);
  });
});

describe('volunteer teams', () => {
  // 6号楼: 楼长 张德明 (zhang.dm); 1单元 冯玉兰 (feng.yl). Teams: 电工 (灯, 电, …), 水管 (堵, …),
  // 邻里调解 (噪音, 养狗, …).
  const CHAT_B6 = 'wrkB7FAKEjiangwan06';
  const receipt = async (text: string) => {
    const [sent] = await desk.said('chen.ay', text, { chatid: CHAT_B6 });
    return { place: sent?.[1].split('\n')[1] ?? '', mentions: sent?.[2] ?? [] };
  };

  it('are not brought in by words that only contain their keywords', async () => {
    expect(await receipt('#投诉 消防通道被电动车堵了')).toEqual({
      place: '位置：6号楼；处理人：张德明（楼长）',
      mentions: ['zhang.dm'],
    });
  });

  it('are not brought in for a question, a suggestion or a council topic', async () => {
    for (const text of ['#咨询 电费在哪里交', '#建议 楼道灯换成声控的', '#议事 1单元门口垃圾桶挪个地方']) {
      const { place, mentions } = await receipt(text);
      expect(place).not.toContain('协助');
      expect(mentions).toHaveLength(1);
    }
  });

  it('are brought in for repairs, calls for help and complaints that are their work', async () => {
    expect(await receipt('#报修 1单元厨房下水道堵了')).toEqual({
      place: '位置：6号楼1单元；处理人：冯玉兰（1单元单元长），水管志愿队协助',
      mentions: ['feng.yl', 'tang.dq'],
    });
    expect((await receipt('#投诉 1单元楼上养狗太吵')).place).toBe(
      '位置：6号楼1单元；处理人：冯玉兰（1单元单元长），邻里调解队协助',
    );
    expect((await receipt('#求助 家里跳闸了，不会弄')).place).toContain('电工志愿队协助');
  });
});
