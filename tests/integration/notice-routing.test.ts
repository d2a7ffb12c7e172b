import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { DeskHarness } from '../helpers/desk-harness';

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
  db = await openTestDatabase();
  desk = new DeskHarness(db.dataSource);
  await desk.start();
});

afterAll(async () => {
  await desk.stop();
  await db.close();
});

/** What one message queued: where to (the group's push key, or the destination type), text, @s. */
async function say(from: string, text: string, opts: { chatid?: string; single?: boolean } = {}) {
  const s = await desk.say(from, text, opts);
  expect(s.status).toBe(200);
  return s.sent.map(
    (r) =>
      [
        r.destination.type === 'group_webhook' ? (r.destination.webhookKey ?? '') : r.destination.type,
        r.body.content,
        r.body.mentions ?? [],
      ] as const,
  );
}

/** Posts in 7号楼's group and returns the new request's number. */
async function post(from: string, text: string): Promise<number> {
  const [receipt] = await say(from, text);
  const no = /已登记 #(\d+)/u.exec(receipt?.[1] ?? '')?.[1];
  if (!no) throw new Error(`no receipt for ${text}`);
  return Number(no);
}

describe('a command typed outside the request group', () => {
  it('tells the reporter in their group and confirms briefly in a private chat', async () => {
    const n = await post('zhang.min', '#报修 2单元楼道灯不亮');
    expect(await say('zhao.zq', `办结 ${n} 换好了`, { single: true })).toEqual([
      ['response_url', `#${n} 已办结：换好了\n已发到7号楼群`, []],
      [KEY_B7, `#${n} 已办结：换好了\n请报事人回复「满意 ${n}」或「不满意 ${n} 原因」`, ['zhang.min']],
    ]);
    // The reporter, also privately, is not satisfied: the assignee hears of it in the group.
    expect(await say('zhang.min', `不满意 ${n} 还是不亮`, { single: true })).toEqual([
      ['response_url', `#${n} 已重新打开，请继续跟进。原因：还是不亮\n已发到7号楼群`, []],
      [KEY_B7, `#${n} 已重新打开，请继续跟进。原因：还是不亮`, ['zhao.zq']],
    ]);
  });

  it("does not @ the reporter in another building's group", async () => {
    const n = await post('zhang.min', '#报修 1单元门口地砖松了');
    expect(await say('liu.t', `接单 ${n}`, { chatid: CHAT_B5 })).toEqual([
      [KEY_B5, `#${n} 刘婷 已接单，会尽快处理\n已发到7号楼群`, []],
      [KEY_B7, `#${n} 刘婷 已接单，会尽快处理`, ['zhang.min']],
    ]);
    expect(await say('liu.t', `进展 ${n} 明天来修`, { chatid: CHAT_B5 })).toEqual([
      [KEY_B5, `#${n} 进展：明天来修（刘婷）\n已发到7号楼群`, []],
      [KEY_B7, `#${n} 进展：明天来修（刘婷）`, ['zhang.min']],
    ]);
    expect(await say('liu.t', `办结 ${n}`, { chatid: CHAT_B5 })).toEqual([
      [KEY_B5, `#${n} 已办结\n已发到7号楼群`, []],
      [KEY_B7, `#${n} 已办结\n请报事人回复「满意 ${n}」或「不满意 ${n} 原因」`, ['zhang.min']],
    ]);
  });

  it('sends an escalation notice to the request group', async () => {
    const n = await post('chen.ay', '#投诉 2单元楼道堆物');
    const sent = await say('zhao.zq', `上报 ${n} 需要协调清运`, { single: true });
    expect(sent).toEqual([
      ['response_url', `#${n} 已上报网格员 刘婷：需要协调清运\n已发到7号楼群`, []],
      [KEY_B7, `#${n} 已上报网格员 刘婷：需要协调清运`, ['liu.t']],
    ]);
  });

  it('keeps answers that @ no one where they were asked', async () => {
    const n = await post('chen.ay', '#咨询 2单元什么时候换水表');
    const sent = await say('zhao.zq', `查询 ${n}`, { single: true });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.[0]).toBe('response_url');
  });

  it('gives the sender the whole notice to pass on when the group has no push key', async () => {
    // 纪念路新村 4号楼: a registered group without a push key; 网格员 孙岩 (sun.y).
    const receipt = await say('zhang.min', '#报修 2单元水管漏水', { chatid: 'wrkB7FAKEjinianlu04' });
    const n = Number(/#(\d+)/u.exec(receipt[0]?.[1] ?? '')?.[1]);
    expect(await say('sun.y', `办结 ${n} 修好了`, { single: true })).toEqual([
      [
        'response_url',
        `#${n} 已办结：修好了\n请报事人回复「满意 ${n}」或「不满意 ${n} 原因」\n没能发到4号楼群，请代为转告`,
        [],
      ],
    ]);
  });
});
