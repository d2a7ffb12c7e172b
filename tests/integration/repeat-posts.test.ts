import type { TestDatabase } from '../helpers/database';
import { closeDesk, openDesk, type DeskHarness } from '../helpers/desk-harness';
import { startHeldInstance, waitingForAnother } from '../helpers/held-instance';

/**
 * The same post sent twice, as residents do when the first seems not to have gone through: a new
 * WeCom message (another msgid, so not a repeated delivery), the same words. The repeat is
 * answered with the number the first got and files nothing.
 *
 * 7号楼 (江湾小区): 1单元 李秀兰 (li.xl); 5号楼 and 6号楼 are in the same compound. Residents
 * 张敏 (zhang.min) and 陈阿姨 (chen.ay) are not in the ledger.
 */

const KEY_B7 = '0000fake-0000-4000-8000-0000000jw007';
const CHAT_B5 = 'wrkB7FAKEjiangwan05';
const CHAT_B6 = 'wrkB7FAKEjiangwan06';

let db: TestDatabase;
let desk: DeskHarness;

beforeAll(async () => {
  ({ db, desk } = await openDesk());
});

afterAll(() => closeDesk(desk, db));

const requestCount = async () =>
  (await db.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM request`))[0]?.n;

const seconds = (n: number) => desk.clock.set(new Date(desk.clock.now().getTime() + n * 1000));

const answer = (no: number) => `您刚才已报过 #${no}，不用重复发，可发「查询 ${no}」看进度`;

it('answers the same post sent again a few seconds later with the first one’s number, and files nothing', async () => {
  const no = await desk.report('zhang.min', '#报修 1单元3楼水管漏水');
  const before = await requestCount();
  seconds(3);
  expect(await desk.said('zhang.min', '#报修 1单元3楼水管漏水')).toEqual([
    [KEY_B7, answer(no), ['zhang.min']],
  ]);
  expect(await requestCount()).toBe(before);
  expect(await desk.events(no)).toEqual(['created:zhang.min', 'routed:-']);
  // Numbers stay gapless: the next request is the next number.
  expect(await desk.report('zhang.min', '#报修 1单元楼道扶手松了')).toBe(no + 1);
});

it('knows the post however its spaces, punctuation, tag and width differ', async () => {
  const no = await desk.report('chen.ay', '#报修 1单元门口地砖松了，容易绊倒');
  for (const again of [
    '#报修   1单元 门口地砖松了 容易绊倒！',
    '1单元门口地砖松了,容易绊倒。【报修】',
    '＃报修 １单元门口地砖松了，容易绊倒',
    '#求助 1单元门口地砖松了，容易绊倒',
  ]) {
    seconds(20);
    expect(await desk.said('chen.ay', again)).toEqual([[KEY_B7, answer(no), ['chen.ay']]]);
  }
});

it('files the same words again when they are not a repeat', async () => {
  const first = await desk.report('zhang.min', '#报修 1单元楼道灯不亮');
  // Someone else reporting the same thing is their own report.
  expect(await desk.report('chen.ay', '#报修 1单元楼道灯不亮')).not.toBe(first);
  // Other words, from the same reporter.
  expect(await desk.report('zhang.min', '#报修 1单元二楼楼道灯不亮')).not.toBe(first);
  // The same words about another building: posted in 6号楼's group, this is 6号楼's lamp.
  expect(await desk.report('zhang.min', '#报修 1单元楼道灯不亮', { chatid: CHAT_B6 })).not.toBe(first);
  // Half an hour on, it is a new report (the first may have been fixed and broken again).
  desk.advance(31);
  expect(await desk.report('zhang.min', '#报修 1单元楼道灯不亮')).not.toBe(first);
});

it('files the same words again once the first is withdrawn or resolved', async () => {
  const withdrawn = await desk.report('zhang.min', '#报修 1单元信箱门掉了');
  await desk.said('zhang.min', `撤回 ${withdrawn}`);
  const again = await desk.report('zhang.min', '#报修 1单元信箱门掉了');
  expect(again).not.toBe(withdrawn);
  await desk.said('li.xl', `办结 ${again} 装好了`);
  expect(await desk.report('zhang.min', '#报修 1单元信箱门掉了')).not.toBe(again);
});

it('is about the building, whichever group the post is sent in', async () => {
  // A resident of both groups posts about 5号楼 in 7号楼's group, then in 5号楼's own.
  const no = await desk.report('zhang.min', '#报修 5号楼1单元门口路灯坏了');
  seconds(30);
  expect(await desk.said('zhang.min', '#报修 5号楼1单元门口路灯坏了', { chatid: CHAT_B5 })).toEqual([
    ['0000fake-0000-4000-8000-0000000jw005', answer(no), ['zhang.min']],
  ]);
});

it('files a post sent again with a photo the first did not have, so the photo is kept with it', async () => {
  const no = await desk.report('chen.ay', '#报修 1单元楼顶渗水');
  seconds(30);
  const said = await desk.sendPhotos('chen.ay', ['https://example.invalid/photo-1'], {
    text: '#报修 1单元楼顶渗水',
  });
  expect(said.sent[0]?.body.content).toMatch(new RegExp(`^已登记 #${no + 1}【报修】`, 'u'));
  // The same again, photo and all, is a repeat; its photo is attached to nothing, and it says so.
  seconds(30);
  const repeat = await desk.sendPhotos('chen.ay', ['https://example.invalid/photo-2'], {
    text: '#报修 1单元楼顶渗水',
  });
  expect(repeat.sent.map((r) => r.body.content)).toEqual([
    `${answer(no + 1)}\n照片没有附上，要附到某件事上请发「补充 编号」并带上照片`,
  ]);
});

it('knows a repeat that another instance handles while the first post is still being stored', async () => {
  // Instance A has filed the post and not yet committed when instance B is handed the same words
  // again: B must wait for A's post and answer with its number, not read the requests before A
  // commits. (Reading them in the statement that waits for the request counter did just that: a
  // statement sees what was committed when it began, not what was committed while it waited.)
  const before = await requestCount();
  const a = await startHeldInstance(db, desk);
  try {
    const first = a.desk.say('zhou.fang', '#报修 3单元顶楼屋面渗水');
    await a.holding;
    const again = desk.say('zhou.fang', '#报修 3单元顶楼屋面渗水');
    await waitingForAnother(db);
    a.release();
    expect((await first).status).toBe(200);
    expect((await again).status).toBe(200);
    // Each harness lists the outbox rows after its own last look, so read what the two queued here.
    const filed = await db.dataSource.query<{ no: number }[]>(
      `SELECT no FROM request WHERE text = '3单元顶楼屋面渗水'`,
    );
    expect(filed).toHaveLength(1);
    const no = filed[0]?.no ?? 0;
    const queued = await db.dataSource.query<{ content: string }[]>(
      `SELECT body->>'content' AS content FROM outbox WHERE body->>'content' LIKE '%#' || $1 || '%' ORDER BY id`,
      [no],
    );
    expect(queued.map((r) => r.content.split('\n')[0])).toEqual([
      `已登记 #${no}【报修】3单元顶楼屋面渗水`,
      answer(no),
    ]);
    expect(await requestCount()).toBe((before ?? 0) + 1);
  } finally {
    await a.stop();
  }
});

it('answers a danger sent again with the safety line again, and says the handler has been told', async () => {
  const no = await desk.report('wu.ay', '2单元厨房煤气泄漏了');
  const safety = '⚠️ 紧急：请立即开窗通风，不要开关电器、不要点火。燃气公司抢修 96777';
  seconds(40);
  expect(await desk.said('wu.ay', '2单元厨房煤气泄漏了！')).toEqual([
    [KEY_B7, `${safety}\n#${no} 已通知赵志强，请稍等；可发「查询 ${no}」看进度`, ['wu.ay']],
  ]);
  await desk.said('zhao.zq', `接单 ${no}`);
  seconds(40);
  expect(await desk.said('wu.ay', '#求助 2单元厨房煤气泄漏了')).toEqual([
    [KEY_B7, `${safety}\n#${no} 赵志强已接单，正在处理；可发「查询 ${no}」看进度`, ['wu.ay']],
  ]);
  expect(await desk.events(no)).toEqual(['created:wu.ay', 'routed:-', 'acknowledged:zhao.zq']);
});
