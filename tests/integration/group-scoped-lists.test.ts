import type { TestDatabase } from '../helpers/database';
import { closeDesk, openDesk, type DeskHarness } from '../helpers/desk-harness';

/**
 * The lists a handler or a resident is shown in the chat (待办, and the requests to choose from
 * when 接单, 办结 or 满意 leaves the number out) name a request's place and words. A grid worker
 * holds requests of several buildings: in a building group only that group's are listed (its
 * building's, or posted in it, where their receipts were shown already), the rest are counted;
 * in a private chat everything is listed.
 *
 * 江湾小区: 5号楼 (楼长 钱桂芳 qian.gf), 6号楼, 7号楼 (楼长 王建国 wang.jg), 8号楼 (no group, no
 * head: its requests go to the grid worker); 网格员 刘婷 (liu.t). Street admin 周敏 (zhou.m).
 * Residents (*.gs) are not in the ledger.
 */

const B5 = { chatid: 'wrkB7FAKEjiangwan05' };
const B6 = { chatid: 'wrkB7FAKEjiangwan06' };
const B7 = { chatid: 'wrkB7FAKEjiangwan07' };
const PRIVATE = { single: true };

let db: TestDatabase;
let desk: DeskHarness;
/** In 5号楼, passed up to 刘婷. */
let b5: number;
/** In 7号楼, passed up to 刘婷 (the older, then the newer). */
let b7old: number;
let b7new: number;
/** Posted in 7号楼's group about 8号楼: 刘婷's from the start. */
let b8: number;

/** A post in `where`'s group, handed up to the grid worker by the building's head. */
async function toGridWorker(head: string, text: string, where: { chatid: string }): Promise<number> {
  const no = await desk.report('res.gs', text, where);
  await desk.said(head, `上报 ${no} 需要网格员协调`, where);
  expect((await desk.request(no))?.assignee_id).toBe('liu.t');
  return no;
}

beforeAll(async () => {
  ({ db, desk } = await openDesk());
  b5 = await toGridWorker('qian.gf', '#报修 楼顶水箱漏水', B5);
  b7old = await toGridWorker('wang.jg', '#报修 楼门禁坏了', B7);
  b7new = await toGridWorker('wang.jg', '#报修 楼道窗户玻璃碎了', B7);
  b8 = await desk.report('res.gs', '#报修 8号楼1单元楼道灯不亮', B7);
  expect((await desk.request(b8))?.assignee_id).toBe('liu.t');
});

afterAll(() => closeDesk(desk, db));

const line = {
  b5: () => `#${b5} 报修 5号楼：楼顶水箱漏水（待接单）`,
  b7old: () => `#${b7old} 报修 7号楼：楼门禁坏了（待接单）`,
  b7new: () => `#${b7new} 报修 7号楼：楼道窗户玻璃碎了（待接单）`,
  b8: () => `#${b8} 报修 8号楼1单元：8号楼1单元楼道灯不亮（待接单）`,
};

describe('接单 without a number, several fitting', () => {
  it('lists in a building group only that group’s requests, and counts the others', async () => {
    expect(await desk.reply('liu.t', '接单', B5)).toBe(
      [
        `您手上有 4 件事待接单，请带上编号，例如：接单 ${b5}`,
        line.b5(),
        '另有3件在别的楼，私聊我发「待办」查看',
      ].join('\n'),
    );
    // 7号楼's group saw the receipt of the post about 8号楼 made there.
    expect(await desk.reply('liu.t', '接单', B7)).toBe(
      [
        `您手上有 4 件事待接单，请带上编号，例如：接单 ${b8}`,
        line.b8(),
        line.b7new(),
        line.b7old(),
        '另有1件在别的楼，私聊我发「待办」查看',
      ].join('\n'),
    );
  });

  it('names none in a group where none of them is', async () => {
    expect(await desk.reply('liu.t', '接单', B6)).toBe(
      [`您手上有 4 件事待接单，请带上编号，例如：接单 ${b8}`, '都在别的楼，私聊我发「待办」查看'].join('\n'),
    );
  });

  it('lists them all in a private chat', async () => {
    expect(await desk.reply('liu.t', '接单', PRIVATE)).toBe(
      [
        `您手上有 4 件事待接单，请带上编号，例如：接单 ${b8}`,
        line.b8(),
        line.b7new(),
        line.b7old(),
        line.b5(),
      ].join('\n'),
    );
  });

  it('changes nothing', async () => {
    for (const no of [b5, b7old, b7new, b8]) expect((await desk.request(no))?.status).toBe('open');
  });
});

describe('待办', () => {
  it('lists in a building group only that group’s requests, and counts the others', async () => {
    expect(await desk.reply('liu.t', '待办', B5)).toBe(
      ['您的待办：', line.b5(), '另有3件在别的楼，私聊我发「待办」查看'].join('\n'),
    );
    expect(await desk.reply('liu.t', '待办', B6)).toBe(
      '这个群里没有您的事；另有4件在别的楼，私聊我发「待办」查看',
    );
  });

  it('lists everything in a private chat', async () => {
    expect(await desk.reply('liu.t', '待办', PRIVATE)).toBe(
      ['您的待办：', line.b8(), line.b7new(), line.b7old(), line.b5()].join('\n'),
    );
  });

  it('shows a street admin in a building group only what is with the street from there', async () => {
    await desk.said('liu.t', `上报 ${b7old} 需要街道协调`, B7);
    expect((await desk.request(b7old))?.escalation_level).toBe(2);
    expect(await desk.reply('zhou.m', '待办', B7)).toBe(['街道督办：', line.b7old()].join('\n'));
    expect(await desk.reply('zhou.m', '待办', B5)).toBe(
      '这个群里没有您的事；另有1件在别的楼，私聊我发「待办」查看',
    );
    expect(await desk.reply('zhou.m', '待办', PRIVATE)).toBe(['街道督办：', line.b7old()].join('\n'));
  });

  it('lists a resident’s own reports of another building only in a private chat', async () => {
    const here = await desk.report('two.gs', '#咨询 5号楼几号收物业费', B5);
    const there = await desk.report('two.gs', '#咨询 7号楼几点停水', B7);
    expect(await desk.reply('two.gs', '待办', B5)).toBe(
      [
        '您报的事：',
        `#${here} 咨询 5号楼：5号楼几号收物业费（待接单）`,
        '另有1件在别的楼，私聊我发「待办」查看',
      ].join('\n'),
    );
    expect((await desk.reply('two.gs', '待办', PRIVATE)).split('\n')).toEqual([
      '您报的事：',
      `#${there} 咨询 7号楼：7号楼几点停水（待接单）`,
      `#${here} 咨询 5号楼：5号楼几号收物业费（待接单）`,
    ]);
  });
});

describe('a long list in a building group', () => {
  it('is cut as before, and counts the other buildings’ apart', async () => {
    const many: number[] = [];
    for (let i = 1; i <= 11; i++) many.push(await desk.report('many.gs', `#咨询 第${i}个问题`, B6));
    await desk.report('many.gs', '#咨询 7号楼的问题', B7);
    const lines = (await desk.reply('many.gs', '待办', B6)).split('\n');
    expect(lines).toHaveLength(1 + 10 + 2);
    expect(lines[0]).toBe('您报的事：');
    expect(lines[1]).toBe(`#${many[10]} 咨询 6号楼：第11个问题（待接单）`);
    expect(lines.slice(-2)).toEqual(['（只列出最近10件）', '另有1件在别的楼，私聊我发「待办」查看']);
  });
});
