import type { TestDatabase } from '../helpers/database';
import { closeDesk, openDesk, registeredNo, type DeskHarness } from '../helpers/desk-harness';

/**
 * How messages to the bot are read, through the real /wecom/bot endpoint: the ways residents and
 * volunteer heads actually write posts and commands, and what the bot answers when it cannot
 * act. Mostly 7号楼's group (江湾小区); 6号楼's group where named.
 *
 * 7号楼: 楼长 王建国 (wang.jg); 1单元 李秀兰 (li.xl); 2单元 赵志强 (zhao.zq); 3单元 no head.
 * 网格员 刘婷 (liu.t). 马顺福 (ma.sf) is an electrician volunteer. 6号楼: 楼长 张德明 (zhang.dm),
 * 1单元 冯玉兰 (feng.yl). Residents 张敏 (zhang.min), 陈阿姨 (chen.ay), 孙老伯 (sun.lb) are not in
 * the ledger.
 */

const B6 = 'wrkB7FAKEjiangwan06';

let db: TestDatabase;
let desk: DeskHarness;

beforeAll(async () => {
  ({ db, desk } = await openDesk());
});

afterAll(() => closeDesk(desk, db));

/** Posts a request, answered with its receipt alone, and returns its number. */
async function report(from: string, text: string, opts: { chatid?: string } = {}): Promise<number> {
  return registeredNo(await desk.reply(from, text, opts));
}

async function requestCount(): Promise<number> {
  const [row] = await db.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM request`);
  return row?.n ?? 0;
}

describe('a danger reported without a tag', () => {
  it('files a gas leak as an urgent 求助 with the safety line, the unit head and the grid worker @-ed', async () => {
    const [, receipt = '', mentions = []] =
      (await desk.said('zhang.min', '2单元煤气泄漏了，快来人'))[0] ?? [];
    const lines = receipt.split('\n');
    expect(lines[0]).toBe('⚠️ 紧急：请立即开窗通风，不要开关电器、不要点火。燃气公司抢修 96777');
    const no = registeredNo(receipt);
    expect(lines[1]).toBe(`已登记 #${no}【求助】2单元煤气泄漏了，快来人`);
    expect(lines[2]).toMatch(/^位置：7号楼2单元；处理人：赵志强（2单元单元长）/u);
    expect(mentions).toEqual(expect.arrayContaining(['zhao.zq', 'liu.t']));
    expect(await desk.request(no)).toMatchObject({
      category: 'help',
      priority: 'urgent',
      hazard: 'gas',
      reporter_id: 'zhang.min',
      text: '2单元煤气泄漏了，快来人',
    });
  });

  it('files someone trapped in the lift', async () => {
    const [, receipt = '', mentions = []] = (await desk.said('chen.ay', '电梯困人了！'))[0] ?? [];
    expect(receipt.split('\n')[0]).toBe('⚠️ 紧急：被困人员请保持冷静，按电梯里的警铃。电梯困人请拨 96333');
    const no = registeredNo(receipt);
    expect(receipt).toContain(`已登记 #${no}【求助】电梯困人了`);
    expect(mentions).toEqual(expect.arrayContaining(['wang.jg', 'liu.t']));
    expect(await desk.request(no)).toMatchObject({
      category: 'help',
      priority: 'urgent',
      hazard: 'elevator',
    });
  });

  it('files someone fallen, untagged, with the line for an ambulance', async () => {
    const [, receipt = '', mentions = []] =
      (await desk.said('chen.ay', '3单元门口有位老人摔倒了起不来'))[0] ?? [];
    expect(receipt.split('\n')[0]).toBe('⚠️ 紧急：请守在病人身边，不要随意搬动。急救 120');
    const no = registeredNo(receipt);
    expect(receipt).toContain(`已登记 #${no}【求助】3单元门口有位老人摔倒了起不来`);
    expect(mentions).toEqual(expect.arrayContaining(['wang.jg', 'liu.t']));
    expect(await desk.request(no)).toMatchObject({ category: 'help', priority: 'urgent', hazard: 'medical' });
  });

  it('files a burst pipe written with a bare 求助 (6号楼)', async () => {
    const [, receipt = '', mentions = []] =
      (await desk.said('sun.lb', '求助 我家水管爆了', { chatid: B6 }))[0] ?? [];
    expect(receipt.split('\n')[0]).toBe('⚠️ 紧急：请先关闭总阀门。供水抢修 96116');
    const no = registeredNo(receipt);
    expect(receipt).toContain(`已登记 #${no}【求助】我家水管爆了`);
    expect(mentions).toEqual(expect.arrayContaining(['zhang.dm', 'liu.t']));
    expect(await desk.request(no)).toMatchObject({
      building_id: 'jw-b6',
      category: 'help',
      priority: 'urgent',
      hazard: 'water',
    });
  });

  it('files a danger written after 帮助 rather than listing the commands', async () => {
    const [, receipt = ''] = (await desk.said('chen.ay', '帮助！3单元楼道里冒烟了'))[0] ?? [];
    expect(receipt.split('\n')[0]).toMatch(/^⚠️ 紧急：请先撤离到安全地带/u);
    expect(receipt).toContain('【求助】帮助！3单元楼道里冒烟了');
  });

  it('gives the safety line for a danger in a private chat, and sends the sender to their group', async () => {
    const before = await requestCount();
    const gas = '⚠️ 紧急：请立即开窗通风，不要开关电器、不要点火。燃气公司抢修 96777';
    const toGroup = '请到您所在楼栋的群里@我报事，方便楼长及时看到';
    expect(await desk.reply('zhang.min', '楼道里有煤气味', { single: true })).toBe(
      `${gas}\n${toGroup}，例如：#求助 楼道里有煤气味`,
    );
    expect(await desk.reply('zhang.min', '#报修 厨房煤气漏了，电话13912345678', { single: true })).toBe(
      `${gas}\n${toGroup}，例如：#报修 厨房煤气漏了，电话139****5678`,
    );
    expect(await desk.reply('chen.ay', '帮助！电梯困人了', { single: true })).toBe(
      `⚠️ 紧急：被困人员请保持冷静，按电梯里的警铃。电梯困人请拨 96333\n${toGroup}，例如：#求助 帮助！电梯困人了`,
    );
    // Without a danger, the answers are as before.
    expect(await desk.reply('zhang.min', '#报修 楼道灯不亮', { single: true })).toBe(toGroup);
    expect(await desk.reply('bai.ay', '今天天气真好', { single: true })).toBe(
      '报事请到您楼栋的群里@我，例如：#报修 2单元楼道灯不亮；在这里可发「待办」「帮助」',
    );
    expect(await requestCount()).toBe(before);
  });

  it('still answers chatter with no danger in it with how to report', async () => {
    const before = await requestCount();
    expect(await desk.reply('bai.by', '今天天气真好')).toBe(
      '想报事请这样发：@睦邻助手 #报修 2单元楼道灯不亮；发「帮助」看全部用法',
    );
    expect(await desk.reply('bai.by', '燃气费在哪里交')).toContain('#报修 2单元楼道灯不亮');
    expect(await requestCount()).toBe(before);
  });
});

describe('a phone number written in Chinese numerals', () => {
  it('is masked in the receipt and in 查询, like one in Arabic digits', async () => {
    desk.advance(31);
    const receipt = await desk.reply(
      'chen.ay',
      '#报修 3单元501门口灯坏了 有事打我电话一三九一二三四五六七八 或 139 1234 5678',
    );
    // Both shorten the text: the first number shows whole.
    expect(receipt).toContain('3单元501门口灯坏了 有事打我电话139****5678 或 139****');
    const no = registeredNo(receipt);
    const answer = await desk.reply('chen.ay', `查询 ${no}`);
    expect(answer).toContain('有事打我电话139****5678 或 139****');
    for (const shown of [receipt, answer]) {
      expect(shown).not.toMatch(/一三九|一二三四|1234/);
    }
  });
});

describe('people @-ed before the bot', () => {
  it('reads the post after them', async () => {
    const no = registeredNo(
      await desk.reply('zhang.min', '@王建国 @睦邻助手 #报修 3单元楼道灯不亮', { asTyped: true }),
    );
    expect(await desk.request(no)).toMatchObject({ category: 'repair', unit_no: 3, text: '3单元楼道灯不亮' });
  });

  it('reads the command after them, and keeps the @ after 转派', async () => {
    const no = await report('zhang.min', '#报修 2单元门口地砖松了');
    expect(await desk.reply('zhao.zq', `@张敏 @睦邻助手 接单 ${no}`, { asTyped: true })).toBe(
      `#${no} 赵志强 已接单，会尽快处理`,
    );
    const [handedOver] = await desk.said('zhao.zq', `@王建国 @睦邻助手 转派 ${no} @李秀兰`, {
      asTyped: true,
    });
    expect(handedOver?.[2]).toEqual(['li.xl']);
    expect((await desk.request(no))?.assignee_id).toBe('li.xl');
  });
});

describe('posts written without the # form', () => {
  it.each([
    ['报修 2单元楼道灯不亮', 'repair', '2单元楼道灯不亮'],
    ['报修，二单元楼道灯不亮。', 'repair', '二单元楼道灯不亮'],
    ['#保修 2单元楼道灯不亮', 'repair', '2单元楼道灯不亮'],
    ['＃ 报修 3单元灯坏了', 'repair', '3单元灯坏了'],
    ['3单元灯坏了，报修', 'repair', '3单元灯坏了'],
    ['#报修# 3单元灯坏了', 'repair', '3单元灯坏了'],
    ['#报修一下 3单元灯坏了', 'repair', '3单元灯坏了'],
    ['议事 小区停车难怎么办', 'council', '小区停车难怎么办'],
  ])('files %j', async (text, category, description) => {
    // Half an hour apart, so that one form of a text does not repeat the post of another.
    desk.advance(31);
    const no = await report('chen.ay', text);
    expect(await desk.request(no)).toMatchObject({ category, text: description });
  });

  it('answers a category named inside a sentence with the sender’s own words, tagged', async () => {
    const before = await requestCount();
    expect(await desk.reply('chen.ay', '我要报修，3单元灯坏了')).toBe(
      '请在前面加上「#报修」，例如：#报修 3单元灯坏了',
    );
    expect(await desk.reply('chen.ay', '报修二单元楼道灯不亮')).toBe(
      '请在前面加上「#报修」，例如：#报修 二单元楼道灯不亮',
    );
    expect(await desk.reply('chen.ay', '我要报修，电话13912345678')).toBe(
      '请在前面加上「#报修」，例如：#报修 电话139****5678',
    );
    expect(await desk.reply('chen.ay', '我想报修')).toBe(
      '请在「#报修」后面写上具体情况，例如：#报修 2单元楼道灯不亮',
    );
    expect(await requestCount()).toBe(before);
  });

  it('asks for a description after a bare category word', async () => {
    expect(await desk.reply('chen.ay', '投诉')).toBe(
      '请在「#投诉」后面写上具体情况，例如：#投诉 2单元楼道灯不亮',
    );
  });
});

describe('everyday words for the commands', () => {
  it('takes on, resolves and rates with them', async () => {
    const no = await report('zhang.min', '#报修 1单元三楼楼道灯不亮');
    expect(await desk.reply('li.xl', `好的，接单 ${no}`)).toBe(`#${no} 李秀兰 已接单，会尽快处理`);
    expect(await desk.reply('zhang.min', `进度 ${no}`)).toMatch(new RegExp(`^#${no} 报修｜处理中`, 'u'));
    expect(await desk.reply('li.xl', `已修好 ${no} 换了灯泡`)).toMatch(
      new RegExp(`^#${no} 已办结：换了灯泡`, 'u'),
    );
    expect(await desk.reply('zhang.min', `${no} 满意`)).toMatch(new RegExp(`^#${no} 已完结`, 'u'));
    expect((await desk.request(no))?.status).toBe('closed');
  });

  it('takes a spaced 接 单 and a number written 第N号', async () => {
    const no = await report('zhang.min', '#报修 1单元门禁刷不开');
    expect(await desk.reply('li.xl', `接 单 第${no}号`)).toBe(`#${no} 李秀兰 已接单，会尽快处理`);
  });

  it('withdraws with 取消', async () => {
    const no = await report('chen.ay', '#咨询 下周几点停水？');
    expect(await desk.reply('chen.ay', `取消 ${no}`)).toBe(`#${no} 已撤回，不用再处理了`);
    expect((await desk.request(no))?.status).toBe('withdrawn');
  });

  it('hands over with 转给 …, the number last', async () => {
    const no = await report('zhang.min', '#报修 2单元信箱坏了');
    await desk.said('zhao.zq', `转给 @李秀兰 ${no}`);
    expect((await desk.request(no))?.assignee_id).toBe('li.xl');
  });

  it('refuses several numbers at once and changes nothing', async () => {
    const a = await report('zhang.min', '#报修 1单元车棚灯不亮');
    const b = await report('zhang.min', '#报修 1单元车棚门坏了');
    expect(await desk.reply('li.xl', `接单 ${a} ${b}`)).toBe(`请一件一件发：「接单 ${a}」「接单 ${b}」`);
    expect(await desk.request(a)).toMatchObject({ status: 'open' });
    expect(await desk.request(b)).toMatchObject({ status: 'open' });
  });
});

describe('chatter, answered by who is asking', () => {
  it('points a reporter with a resolved request at rating it', async () => {
    const no = await report('sun.lb', '#报修 2单元楼梯扶手松了');
    await desk.said('zhao.zq', `办结 ${no} 扶手已加固`);
    expect(await desk.reply('sun.lb', '谢谢赵师傅，修好了')).toBe(
      `#${no} 已办结，请回复「满意 ${no}」或「不满意 ${no} 原因」`,
    );
  });

  it('tells a reporter asking after their request where it stands, and nothing else', async () => {
    const no = await report('sun.mz', '#报修 2单元三楼楼道灯不亮');
    const waiting = `您报的 #${no} 还在等赵志强接单，可发「查询 ${no}」看进度`;
    expect(await desk.reply('sun.mz', '灯修好了吗')).toBe(waiting);
    expect(await desk.reply('sun.mz', '进展怎么样了')).toBe(waiting);
    await desk.said('zhao.zq', `接单 ${no}`);
    expect(await desk.reply('sun.mz', '什么时候来修啊', { single: true })).toBe(
      `您报的 #${no} 赵志强已接单，正在处理，可发「查询 ${no}」看进度`,
    );
    const other = await report('sun.mz', '#建议 2单元门口放个长椅');
    expect(await desk.reply('sun.mz', '怎么样了')).toBe('您有 2 件事还在办，可发「查询」看进度');
    expect(await desk.request(other)).toMatchObject({ status: 'open' });
  });

  it('asks a reporter with several requests waiting for a rating which one they mean', async () => {
    const first = await report('sun.lc', '#报修 2单元一楼扶手松了');
    const second = await report('sun.lc', '#报修 2单元信箱门掉了');
    await desk.said('zhao.zq', `办结 ${first} 拧紧了`);
    await desk.said('zhao.zq', `办结 ${second} 装好了`);
    expect(await desk.reply('sun.lc', '谢谢赵师傅')).toBe(
      `您有 2 件事等评价：#${second}、#${first}\n请回复「满意 编号」或「不满意 编号 原因」`,
    );
    expect(await desk.request(first)).toMatchObject({ status: 'resolved' });
    expect(await desk.request(second)).toMatchObject({ status: 'resolved' });
  });

  it('shows a handler the verbs with the number of their one request', async () => {
    const no = await report('sun.lb', '#报修 1单元门口地砖松了', { chatid: B6 });
    expect((await desk.request(no))?.assignee_id).toBe('feng.yl');
    expect(await desk.reply('feng.yl', '这个我去看看', { chatid: B6 })).toBe(
      `您手上有 #${no}：接单请发「接单 ${no}」，办完请发「办结 ${no} 处理情况」`,
    );
    // Once taken on, only finishing it is left to say.
    await desk.said('feng.yl', `接单 ${no}`, { chatid: B6 });
    expect(await desk.reply('feng.yl', '明天就来', { chatid: B6 })).toBe(
      `您手上有 #${no}：办完请发「办结 ${no} 处理情况」`,
    );
  });

  it('shows a grid worker the verbs', async () => {
    expect(await desk.reply('liu.t', '收到')).toBe(
      '接单请发「接单 编号」，办完请发「办结 编号 处理情况」；发「待办」看您手上的事',
    );
  });

  it('sends someone in a private chat to their building’s group to report', async () => {
    expect(await desk.reply('bai.cy', '你好', { single: true })).toBe(
      '报事请到您楼栋的群里@我，例如：#报修 2单元楼道灯不亮；在这里可发「待办」「帮助」',
    );
    expect(await desk.reply('bai.cy', '我要报修，3单元灯坏了', { single: true })).toBe(
      '报事请到您楼栋的群里@我，例如：#报修 3单元灯坏了',
    );
  });
});
