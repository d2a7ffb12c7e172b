import type { TestDatabase } from '../helpers/database';
import { closeDesk, openDesk, type DeskHarness } from '../helpers/desk-harness';

/**
 * What the desk answers to commands as residents and volunteer heads type them, through the real
 * /wecom/bot endpoint: a missing number, refusals, who may read a request, handing over by name,
 * to-do lists and help. Each case uses residents of its own, so the requests they have are known.
 *
 * 江湾小区 7号楼: 楼长 王建国 (wang.jg); 1单元 李秀兰 (li.xl); 2单元 赵志强 (zhao.zq); 3单元 no
 * head. 5号楼's head is 钱桂芳 (qian.gf). 网格员 刘婷 (liu.t). Street admins 周敏 (zhou.m) and
 * 陈丽娟 (chen.lj). 马顺福 (ma.sf) is an electrician volunteer, 潘小梅 (pan.xm) is in the
 * corridor team, 唐大庆 (tang.dq) a plumber. 场中路三村: 12号楼's head 吕德华 (lv.dh), 网格员
 * 徐芳 (xu.f). Any other userid is a resident not in the ledger.
 */

const CHAT_B7 = 'wrkB7FAKEjiangwan07';
const KEY_B7 = '0000fake-0000-4000-8000-0000000jw007';
const CHAT_CZ12 = 'wrkB7FAKEchangzhong12';

let db: TestDatabase;
let desk: DeskHarness;

beforeAll(async () => {
  ({ db, desk } = await openDesk());
});

afterAll(() => closeDesk(desk, db));

async function status(no: number): Promise<unknown> {
  return (await desk.request(no))?.status;
}

describe('a rating, withdrawal or query without a number', () => {
  it('takes the number from the bot message it quote-replies to', async () => {
    const first = await desk.report('lu.ay', '#报修 2单元信箱门掉了');
    const second = await desk.report('lu.ay', '#报修 2单元楼道窗户关不上');
    await desk.said('zhao.zq', `办结 ${second} 修好了`);
    const resolved = (await desk.said('zhao.zq', `办结 ${first} 装好了`))[0]?.[1];
    expect(await desk.reply('lu.ay', '满意', { quote: resolved ?? '' })).toMatch(
      new RegExp(`^#${first} 已完结`, 'u'),
    );
    expect(await status(first)).toBe('closed');
    expect(await status(second)).toBe('resolved');
    expect(await desk.events(first)).toContain('rated:lu.ay');
  });

  it('reads the number from a quote pasted inline before the command too', async () => {
    const first = await desk.report('ding.ay', '#报修 2单元楼道扶手松了');
    const second = await desk.report('ding.ay', '#报修 2单元楼道窗户关不上');
    await desk.said('zhao.zq', `办结 ${first} 拧紧了`);
    await desk.said('zhao.zq', `办结 ${second} 修好了`);
    const pasted = `「睦邻助手：#${first} 已办结：拧紧了」\n- - - - - - - - - -\n不满意 还是晃`;
    expect(await desk.reply('ding.ay', pasted)).toMatch(new RegExp(`^#${first} 已重新打开`, 'u'));
    expect(await status(first)).toBe('acknowledged');
    expect(await status(second)).toBe('resolved');
  });

  it('rates the only request waiting for the sender’s rating', async () => {
    const no = await desk.report('gu.ay', '#报修 2单元楼梯灯不亮');
    await desk.report('gu.ay', '#建议 2单元门口放个长椅');
    await desk.said('zhao.zq', `办结 ${no} 换了灯泡`);
    expect(await desk.reply('gu.ay', '满意！谢谢赵师傅')).toMatch(new RegExp(`^#${no} 已完结`, 'u'));
    expect(await desk.request(no)).toMatchObject({
      status: 'closed',
      rating: 'good',
      rating_note: '谢谢赵师傅',
    });
  });

  it('rates with a plain 满意 too', async () => {
    const no = await desk.report('mao.ay', '#报修 2单元水表箱门关不上');
    await desk.said('zhao.zq', `办结 ${no} 修好了`);
    expect(await desk.reply('mao.ay', '满意')).toMatch(new RegExp(`^#${no} 已完结`, 'u'));
    expect(await status(no)).toBe('closed');
  });

  it('looks up and withdraws the only request the sender still has open', async () => {
    const done = await desk.report('he.ay', '#报修 2单元单元门关不上');
    await desk.said('zhao.zq', `办结 ${done} 修好了`);
    const open = await desk.report('he.ay', '#咨询 2单元什么时候换水表');
    // 查询 means the one waiting for a rating too; 撤回 only the one still being handled.
    expect((await desk.reply('he.ay', '查询')).split('\n')[0]).toBe(
      `您有 2 件事还在办或等评价，请带上编号，例如：查询 ${open}`,
    );
    expect(await desk.reply('he.ay', '撤回')).toBe(`#${open} 已撤回，不用再处理了`);
    expect(await status(open)).toBe('withdrawn');
    expect(await status(done)).toBe('resolved');
  });

  it('lists the sender’s requests when more than one fits, and changes nothing', async () => {
    const first = await desk.report('fang.ay', '#报修 2单元一楼灯不亮');
    const second = await desk.report('fang.ay', '#报修 2单元二楼灯不亮');
    await desk.said('zhao.zq', `办结 ${first} 换好了`);
    await desk.said('zhao.zq', `办结 ${second} 换好了`);
    expect(await desk.reply('fang.ay', '满意')).toBe(
      [
        `您有 2 件事等评价，请带上编号，例如：满意 ${second}`,
        `#${second} 报修 7号楼2单元：2单元二楼灯不亮（已办结，待评价）`,
        `#${first} 报修 7号楼2单元：2单元一楼灯不亮（已办结，待评价）`,
      ].join('\n'),
    );
    expect(await status(first)).toBe('resolved');
    expect(await status(second)).toBe('resolved');
  });

  it('takes the handler’s only request waiting for them when 接单 or 办结 leaves the number out', async () => {
    // 6号楼1单元: 冯玉兰 (feng.yl) handles it; nothing else in this file is hers.
    const b6 = { chatid: 'wrkB7FAKEjiangwan06' };
    const first = await desk.report('pan.ay', '#报修 1单元楼道灯不亮', b6);
    expect(await desk.reply('feng.yl', '接单', b6)).toMatch(new RegExp(`^#${first} 冯玉兰 已接单`, 'u'));
    const second = await desk.report('pan.ay', '#报修 1单元信箱门坏了', b6);
    // Only the second waits to be taken on; both are in her hands to finish.
    expect(await desk.reply('feng.yl', '接单', b6)).toMatch(new RegExp(`^#${second} 冯玉兰 已接单`, 'u'));
    expect((await desk.reply('feng.yl', '办结 换好了', b6)).split('\n')[0]).toBe(
      `您手上有 2 件事还没办结，请带上编号，例如：办结 ${second} 灯已换好`,
    );
    expect(await status(first)).toBe('acknowledged');
    expect(await status(second)).toBe('acknowledged');
    await desk.said('feng.yl', `办结 ${first} 换好了`, b6);
    expect(await desk.reply('feng.yl', '办结 修好了', b6)).toMatch(
      new RegExp(`^#${second} 已办结：修好了`, 'u'),
    );
  });

  it('looks up a request waiting for a rating, alone or listed with one still open', async () => {
    const resolved = await desk.report('chen.lao', '#报修 2单元楼梯扶手松了');
    await desk.said('zhao.zq', `办结 ${resolved} 拧紧了`);
    expect((await desk.reply('chen.lao', '查询')).split('\n')[0]).toBe(`#${resolved} 报修｜已办结，待评价`);
    const open = await desk.report('chen.lao', '#报修 2单元信箱门掉了');
    expect(await desk.reply('chen.lao', '查询')).toBe(
      [
        `您有 2 件事还在办或等评价，请带上编号，例如：查询 ${open}`,
        `#${open} 报修 7号楼2单元：2单元信箱门掉了（待接单）`,
        `#${resolved} 报修 7号楼2单元：2单元楼梯扶手松了（已办结，待评价）`,
      ].join('\n'),
    );
  });

  it('says there is nothing it could mean when nothing fits, and changes nothing', async () => {
    expect(await desk.reply('qiu.ay', '满意')).toBe('您没有等评价的事');
    expect(await desk.reply('qiu.ay', '不满意 又坏了')).toBe('您没有等评价的事');
    expect(await desk.reply('qiu.ay', '撤回')).toBe('您没有可撤回的事');
    expect(await desk.reply('qiu.ay', '查询')).toBe('您没有还在办的事；查别的事请带上编号，例如：查询 12');
    expect(await desk.reply('qiu.ay', '补充 是三楼')).toBe('您没有还在办的事可以补充');
    expect(await desk.reply('qiu.ay', '催办')).toBe(
      '您没有还在办的事；催别人报的事请带上编号，例如：催办 12',
    );
    expect(await desk.reply('qiu.ay', '接单')).toBe('您手上没有待接单的事');
    expect(await desk.reply('qiu.ay', '办结 修好了')).toBe('您手上没有要办结的事');
    // A request still being handled is not one to rate yet; nor is a resolved one to withdraw.
    const no = await desk.report('qiu.ay', '#报修 2单元楼道窗户关不上');
    expect(await desk.reply('qiu.ay', '满意')).toBe(`您报的 #${no} 还没办结，办结后再评价`);
    await desk.said('zhao.zq', `办结 ${no} 修好了`);
    expect(await desk.reply('qiu.ay', '撤回')).toBe('您没有可撤回的事');
    expect(await status(no)).toBe('resolved');
    // A head with nothing in hand; a grid worker, who may act on any request of the compound.
    expect(await desk.reply('wang.jg', '接单')).toBe('您手上没有待接单的事');
    expect(await desk.reply('chen.lj', '接单')).toBe(
      '您手上没有待接单的事；接别的事请带上编号，例如：接单 12',
    );
    expect(await desk.reply('chen.lj', '办结 修好了')).toBe(
      '您手上没有要办结的事；办结别的事请带上编号，例如：办结 12 灯已换好',
    );
  });

  it('asks whether /rate means good or bad rather than guessing', async () => {
    const no = await desk.report('tao.ay', '#报修 2单元楼道扶手松了');
    await desk.said('zhao.zq', `办结 ${no} 拧紧了`);
    expect(await desk.reply('tao.ay', '/rate')).toBe(
      '请写上满意还是不满意，例如：/rate 12 good 或 /rate 12 bad 原因',
    );
    expect(await status(no)).toBe('resolved');
  });

  it('takes a quoted number for staff commands as well', async () => {
    const receipt = (await desk.said('yan.ay', '#报修 2单元楼道窗户玻璃裂了'))[0]?.[1] ?? '';
    const no = Number(/#(\d+)/u.exec(receipt)?.[1]);
    expect(await desk.reply('zhao.zq', '接单', { quote: receipt })).toBe(`#${no} 赵志强 已接单，会尽快处理`);
  });
});

describe('refusals', () => {
  it('name the handler and say how to take the request over', async () => {
    const no = await desk.report('bai.ay', '#报修 2单元三楼灯不亮');
    expect(await desk.reply('wang.jg', `接单 ${no}`)).toBe(
      `#${no} 由赵志强处理。要接手，请赵志强发「转派 ${no} @王建国」，或找网格员刘婷`,
    );
    expect(await desk.reply('ma.sf', `接单 ${no}`)).toBe(
      `#${no} 由赵志强处理。要接手，请赵志强发「转派 ${no} @马顺福」，或找网格员刘婷`,
    );
    expect(await desk.reply('bai.ay', `办结 ${no}`)).toBe(
      `#${no} 由赵志强处理，只有处理人、网格员或街道管理员可以办结`,
    );
    expect(await status(no)).toBe('open');
  });

  it('does not send people to the grid worker who already has the request', async () => {
    const no = await desk.report('lin.ay', '#报修 1单元外墙渗水');
    await desk.said('li.xl', `上报 ${no} 需要专业施工队`);
    expect(await desk.reply('wang.jg', `办结 ${no}`)).toBe(
      `#${no} 由刘婷处理。要接手，请刘婷发「转派 ${no} @王建国」`,
    );
  });

  it('the receipt asks the handler by name to take it on', async () => {
    const [, receipt = '', mentions = []] = (await desk.said('du.ay', '#报修 2单元楼道灯不亮'))[0] ?? [];
    const no = Number(/#(\d+)/u.exec(receipt)?.[1]);
    expect(receipt.split('\n')[2]).toBe(`请赵志强回复「接单 ${no}」，大家可发「查询 ${no}」看进度`);
    expect(mentions).toEqual(['zhao.zq', 'ma.sf', 'gu.jm']);
  });
});

describe('help', () => {
  it('shows team volunteers only what they may use, and not itself', async () => {
    const volunteer = await desk.reply('ma.sf', '帮助');
    expect(volunteer).toContain('撤回 12');
    expect(volunteer).toContain('待办');
    expect(volunteer).not.toContain('接单 12');
    expect(volunteer).not.toContain('办结 12');
    expect(volunteer).not.toContain('帮助：');
    const head = await desk.reply('wang.jg', '帮助');
    expect(head).toContain('接单 12');
    expect(head).not.toContain('帮助：');
  });

  it('shows a volunteer the handler commands once a request is handed to them', async () => {
    const no = await desk.report('xiang.ay', '#报修 1单元楼道插座冒火花');
    await desk.said('li.xl', `转派 ${no} @马顺福`);
    expect(await desk.reply('ma.sf', '帮助')).toContain('接单 12');
  });

  it('shows residents no slash commands', async () => {
    const help = await desk.reply('pu.ay', '帮助');
    expect(help).toContain('满意 12');
    expect(help).not.toContain('/rate');
  });
});

describe('查询 by someone not involved', () => {
  it('shows a stranger in another compound’s group only the status line', async () => {
    const no = await desk.report('shi.ay', '#投诉 2单元有人在楼道里养鸽子，味道很大');
    expect(await desk.reply('stranger.x', `查询 ${no}`, { chatid: CHAT_CZ12 })).toBe(`#${no} 投诉｜待接单`);
    expect(await desk.reply('stranger.x', `查询 ${no}`, { single: true })).toBe(`#${no} 投诉｜待接单`);
    // In the request's own building group, everyone there saw the receipt already.
    expect(await desk.reply('stranger.x', `查询 ${no}`, { chatid: CHAT_B7 })).toContain('养鸽子');
  });

  it('shows the reporter and the compound’s staff everything, wherever they ask', async () => {
    const no = await desk.report('shi.ay', '#投诉 3单元楼道里堆了杂物');
    for (const who of ['shi.ay', 'wang.jg', 'qian.gf', 'liu.t', 'chen.lj', 'pan.xm'])
      expect(await desk.reply(who, `查询 ${no}`, { single: true })).toContain('堆了杂物');
    // Staff of another compound, or a team the request does not name, see the status only.
    for (const who of ['lv.dh', 'xu.f', 'tang.dq'])
      expect(await desk.reply(who, `查询 ${no}`, { single: true })).toBe(`#${no} 投诉｜待接单`);
  });
});

describe('转派 by name', () => {
  it('takes the name typed without an @', async () => {
    const no = await desk.report('ren.ay', '#报修 2单元楼道窗户坏了');
    expect(await desk.said('zhao.zq', `转派 ${no} 给李秀兰`)).toEqual([
      [KEY_B7, `#${no} 已转派给李秀兰，请接单：接单 ${no}`, ['li.xl']],
    ]);
    expect(await desk.reply('li.xl', `转派 ${no} 王建国`)).toBe(`#${no} 已转派给王建国，请接单：接单 ${no}`);
    expect(await desk.reply('wang.jg', `转派 ${no} 李秀兰 她住1单元，熟悉情况`)).toBe(
      `#${no} 已转派给李秀兰，请接单：接单 ${no}`,
    );
    const [last] = await db.dataSource.query<{ note: string | null }[]>(
      `SELECT e.note FROM request_event e JOIN request r ON r.id = e.request_id
       WHERE r.no = $1 AND e.type = 'assigned' ORDER BY e.id DESC LIMIT 1`,
      [no],
    );
    expect(last?.note).toBe('她住1单元，熟悉情况');
    expect((await desk.request(no))?.assignee_id).toBe('li.xl');
  });

  it('accepts a group nickname that contains one name from the ledger', async () => {
    const no = await desk.report('ren.ay', '#报修 2单元信箱锁坏了');
    expect(await desk.reply('zhao.zq', `转派 ${no} @王建国楼长`)).toBe(
      `#${no} 已转派给王建国，请接单：接单 ${no}`,
    );
    expect(await desk.reply('wang.jg', `转派 ${no} @李秀兰(1单元长)`)).toBe(
      `#${no} 已转派给李秀兰，请接单：接单 ${no}`,
    );
    expect(await desk.reply('li.xl', `转派 ${no} @1单元-王建国`)).toBe(
      `#${no} 已转派给王建国，请接单：接单 ${no}`,
    );
    expect((await desk.request(no))?.assignee_id).toBe('wang.jg');
  });

  it('says plainly when the name is not in the ledger', async () => {
    const no = await desk.report('ren.ay', '#报修 2单元门铃坏了');
    expect(await desk.reply('zhao.zq', `转派 ${no} @不存在`)).toBe(
      '台账里没有「不存在」，请核对姓名，或请街道先把这位加进台账',
    );
    expect(await desk.reply('zhao.zq', `转派 ${no}`)).toBe(`请写上交给谁，例如：转派 ${no} @李秀兰`);
    expect((await desk.request(no))?.assignee_id).toBe('zhao.zq');
  });
});

describe('转派 without a number', () => {
  // 纪念路新村 2号楼: 楼长 卫秀华 (wei.xh), also 1单元's head; 2单元 蒋立峰 (jiang.lf); 3单元 沈玉梅
  // (shen.ym). Nothing else in this file is theirs.
  const B2 = { chatid: 'wrkB7FAKEjinianlu02' };

  it('hands over the only request in hand, however it is spelled', async () => {
    const no = await desk.report('wen.ay', '#报修 2单元楼道灯不亮', B2);
    expect(await desk.reply('jiang.lf', '接单', B2)).toMatch(new RegExp(`^#${no} 蒋立峰 已接单`, 'u'));
    const handed = (to: string) => `#${no} 已转派给${to}，请接单：接单 ${no}`;
    expect(await desk.reply('jiang.lf', '转派 给卫秀华', B2)).toBe(handed('卫秀华'));
    expect(await desk.reply('wei.xh', '转给蒋立峰', B2)).toBe(handed('蒋立峰'));
    expect(await desk.reply('jiang.lf', '转派给卫秀华', B2)).toBe(handed('卫秀华'));
    expect(await desk.reply('wei.xh', '转派 @蒋立峰', B2)).toBe(handed('蒋立峰'));
    expect(await desk.reply('jiang.lf', '转派 卫秀华', B2)).toBe(handed('卫秀华'));
    expect(await desk.reply('wei.xh', '转派', B2)).toBe(`请写上交给谁，例如：转派 ${no} @李秀兰`);
    expect((await desk.request(no))?.assignee_id).toBe('wei.xh');
  });

  it('lists the requests in hand when there are several, and changes nothing', async () => {
    const first = await desk.report('wen.by', '#报修 3单元信箱门掉了', B2);
    await desk.said('shen.ym', `接单 ${first}`, B2);
    const second = await desk.report('wen.by', '#报修 3单元楼道窗户坏了', B2);
    for (const typed of ['转派 给卫秀华', '转给卫秀华', '转派 @卫秀华'])
      expect(await desk.reply('shen.ym', typed, B2)).toBe(
        [
          `您手上有 2 件事还在办，请带上编号，例如：转派 ${second} @卫秀华`,
          `#${second} 报修 2号楼3单元：3单元楼道窗户坏了（待接单）`,
          `#${first} 报修 2号楼3单元：3单元信箱门掉了（处理中）`,
        ].join('\n'),
      );
    expect((await desk.request(first))?.assignee_id).toBe('shen.ym');
    expect((await desk.request(second))?.assignee_id).toBe('shen.ym');
  });

  it('says so when nothing is in hand, never suggesting 接单', async () => {
    expect(await desk.reply('han.gq', '转派 给卫秀华', B2)).toBe('您手上没有可转派的事');
    expect(await desk.reply('han.gq', '转给卫秀华', B2)).toBe('您手上没有可转派的事');
    expect(await desk.reply('zhou.m', '转派 给卫秀华', B2)).toBe(
      '您手上没有可转派的事；转派别的事请带上编号，例如：转派 12 @卫秀华',
    );
    // 转给 alone names no one: chatter, as before.
    expect(await desk.reply('han.gq', '转给', B2)).not.toContain('转派');
  });
});

describe('进展 from someone who is not the handler', () => {
  it('shows a resident the progress they asked for, and records nothing', async () => {
    const no = await desk.report('jin.by', '#报修 2单元楼梯扶手松了');
    await desk.said('zhao.zq', `进展 ${no} 已联系师傅，明天来`);
    const shown = await desk.reply('jin.by', `进展 ${no}`);
    expect(shown.split('\n')[0]).toBe(`#${no} 报修｜处理中`);
    expect(shown).toContain('最近：');
    expect(shown).toContain('进展 已联系师傅，明天来');
    // A neighbour anywhere, as 查询 answers them; with a question after the number too.
    expect(await desk.reply('stranger.y', `进展 ${no} 怎么样了`, { chatid: CHAT_CZ12 })).toBe(
      `#${no} 报修｜处理中`,
    );
    // Without a number, their only request.
    expect((await desk.reply('jin.by', '进展')).split('\n')[0]).toBe(`#${no} 报修｜处理中`);
    expect(await desk.events(no)).toEqual([
      'created:jin.by',
      'routed:-',
      'acknowledged:zhao.zq',
      'note:zhao.zq',
    ]);
  });

  it('still records the handler’s, and tells someone with a role how to look instead', async () => {
    const no = await desk.report('jin.cy', '#报修 2单元楼道窗户关不严');
    expect(await desk.reply('zhao.zq', `进展 ${no} 师傅下午到`)).toBe(`#${no} 进展：师傅下午到（赵志强）`);
    expect(await desk.reply('ma.sf', `进展 ${no} 我也去看看`)).toBe(
      `#${no} 由赵志强处理。要接手，请赵志强发「转派 ${no} @马顺福」，或找网格员刘婷；只看进度请发「查询 ${no}」`,
    );
    expect((await desk.events(no)).filter((e) => e.startsWith('note:'))).toEqual(['note:zhao.zq']);
  });
});

describe('待办', () => {
  it('shows street admins what sits with the street', async () => {
    const no = await desk.report('kang.ay', '#报修 3单元屋顶漏水');
    await desk.said('liu.t', `上报 ${no} 需要街道协调施工队`);
    expect(await desk.request(no)).toMatchObject({ escalation_level: 2, assignee_id: 'wang.jg' });
    const todo = await desk.reply('zhou.m', '待办', { single: true });
    expect(todo).toMatch(new RegExp(`^街道督办：\n#${no} 报修 7号楼3单元：3单元屋顶漏水（待接单）`, 'u'));
    // Not for the heads and grid workers: they see what they handle.
    expect(await desk.reply('liu.t', '待办', { single: true })).not.toContain('街道督办');
  });

  it('shows urgency and the place on each line, and says 您', async () => {
    const no = await desk.report('jin.ay', '#报修 1单元有燃气味，好像漏气了');
    expect((await desk.reply('jin.ay', '待办')).split('\n')).toEqual([
      '您报的事：',
      `#${no} 紧急报修 7号楼1单元：1单元有燃气味，好像漏气了（待接单）`,
    ]);
    expect((await desk.reply('li.xl', '待办')).split('\n').slice(0, 2)).toEqual([
      '您的待办：',
      `#${no} 紧急报修 7号楼1单元：1单元有燃气味，好像漏气了（待接单）`,
    ]);
  });

  it('tells someone who never reported how to', async () => {
    expect(await desk.reply('xin.ay', '待办')).toBe(
      '您还没有报过事。报事请在楼栋群里发：@睦邻助手 #报修 2单元楼道灯不亮',
    );
    const no = await desk.report('xin.ay', '#咨询 2单元几号收物业费');
    await desk.said('xin.ay', `撤回 ${no}`);
    expect(await desk.reply('xin.ay', '待办')).toBe('您报的事都办完了');
  });
});

describe('wording', () => {
  it('says a withdrawn request is withdrawn once', async () => {
    const no = await desk.report('yu.ay', '#咨询 2单元几点停水');
    await desk.said('yu.ay', `撤回 ${no}`);
    expect(await desk.reply('yu.ay', `撤回 ${no}`)).toBe(`#${no} 已经撤回了`);
  });

  it('tells the handler about a 满意 rather than thanking them for rating', async () => {
    const no = await desk.report('xia.ay', '#报修 2单元楼道声控灯不灵');
    await desk.said('zhao.zq', `办结 ${no} 换了感应器`);
    expect(await desk.said('xia.ay', `满意 ${no}`)).toEqual([
      [KEY_B7, `#${no} 已完结。报事人评价满意，辛苦赵志强了！`, ['zhao.zq']],
    ]);
    const other = await desk.report('xia.ay', '#报修 2单元楼道窗户关不严');
    await desk.said('zhao.zq', `办结 ${other} 修好了`);
    expect(await desk.reply('xia.ay', `满意 ${other} 谢谢赵师傅`)).toBe(
      `#${other} 已完结。报事人评价满意（谢谢赵师傅），辛苦赵志强了！`,
    );
  });
});
