import type { TestDatabase } from '../../helpers/database';
import { BatchGate } from '../../helpers/batch-gate';
import { closeDesk, openDesk, queuedView, type DeskHarness } from '../../helpers/desk-harness';
import { startHeldInstance, waitingForAnother } from '../../helpers/held-instance';
import { fakePng } from '../../helpers/media';
import { laterPhotos, unattachedPhotos } from '../../helpers/photo-rows';

/**
 * A photo sent on its own before its post (on a phone the picture is often sent first, the words
 * typed after), through the real /wecom/bot endpoint with encrypted callbacks: held, and taken by
 * the sender's next post in the same group within 10 minutes, whose receipt says so.
 *
 * 江湾小区 7号楼's 1单元 goes to 李秀兰 (li.xl); any userid not in
 * the ledger is a resident.
 */

const B7_KEY = '0000fake-0000-4000-8000-0000000jw007';
const HELD = '收到照片。请接着@我说是什么事，例如：#报修 2单元楼道灯不亮，照片会附上';
const POST = '#报修 1单元楼梯口地砖翘起来了';

let db: TestDatabase;
let desk: DeskHarness;
const gate = new BatchGate();

beforeAll(async () => {
  ({ db, desk } = await openDesk({ wrap: gate.wrap }));
});

afterAll(() => closeDesk(desk, db));

beforeEach(async () => {
  await db.dataSource.query(
    `TRUNCATE inbound_photo, inbound_message, request_event, request, outbox CASCADE`,
  );
  await db.dataSource.query(`UPDATE request_counter SET last_no = 0`);
  gate.reset();
});

/** `count` fresh photos on the simulator. */
const photos = (count: number) => Array.from({ length: count }, () => desk.hostPhoto());

/** Photos alone in 7号楼's group (or as `opts` say): what they queued. */
async function photo(
  from: string,
  opts: { msgid?: string; chatid?: string; count?: number; text?: string } = {},
) {
  const said = await desk.sendPhotos(from, photos(opts.count ?? 1), opts);
  expect(said.status).toBe(200);
  return queuedView(said.sent);
}

/** The receipt of a post, line by line. */
async function receipt(from: string, text: string, opts: { chatid?: string } = {}): Promise<string[]> {
  const [first] = await desk.said(from, text, opts);
  return (first?.[1] ?? '').split('\n');
}

const attached = (no: number) => laterPhotos(db.dataSource, no);

const unattached = () => unattachedPhotos(db.dataSource);

/** Every text queued so far, oldest first. */
async function outbox(): Promise<string[]> {
  const rows = await db.dataSource.query<{ content: string }[]>(
    `SELECT body->>'content' AS content FROM outbox ORDER BY id`,
  );
  return rows.map((r) => r.content);
}

it('holds a photo sent before the post, and the post takes it', async () => {
  expect(await photo('gao.ayi')).toEqual([[B7_KEY, HELD, ['gao.ayi']]]);
  desk.advance(2);
  const lines = await receipt('gao.ayi', POST);
  expect(lines.slice(0, 2)).toEqual(['已登记 #1【报修】1单元楼梯口地砖翘起来了', '照片已附上']);
  expect(await attached(1)).toEqual({ rows: 1, count: 1 });
  expect(await desk.events(1)).toEqual(['created:gao.ayi', 'routed:-', 'photo:gao.ayi']);
  // Her words about the photo afterwards change nothing.
  const after = await desk.said('gao.ayi', '刚才发的照片就是这个地砖');
  expect(after).toHaveLength(1);
  expect(after[0]?.[1]).not.toContain('照片');
  expect(await unattached()).toBe(0);
});

it('takes several photo messages, and a post with photos of its own', async () => {
  await photo('gao.ayi');
  await photo('gao.ayi', { count: 2 });
  const lines = await receipt('gao.ayi', POST);
  expect(lines[1]).toBe('3 张照片已附上');
  expect(await attached(1)).toEqual({ rows: 3, count: 3 });

  await photo('gao.ayi', { chatid: 'wrkB7FAKEjiangwan06' });
  const said = await desk.sendPhotos('gao.ayi', photos(1), {
    text: '#报修 2单元门口路灯不亮',
    chatid: 'wrkB7FAKEjiangwan06',
  });
  expect(queuedView(said.sent)[0]?.[1].split('\n').slice(0, 2)).toEqual([
    '已登记 #2【报修】2单元门口路灯不亮',
    '照片已附上',
  ]);
  expect(await attached(2)).toEqual({ rows: 1, count: 1 });
});

it("is taken only by the sender's own next post in the same group within 10 minutes", async () => {
  await photo('gao.ayi');
  // A neighbour's post, and hers in another group, do not take it.
  expect((await receipt('zz.n', POST))[1]).toMatch(/^位置：/u);
  expect((await receipt('gao.ayi', POST, { chatid: 'wrkB7FAKEjiangwan06' }))[1]).toMatch(/^位置：/u);
  desk.advance(11);
  expect((await receipt('gao.ayi', '#报修 1单元门口地砖翘起来了'))[1]).toMatch(/^位置：/u);
  for (const no of [1, 2, 3]) expect(await attached(no)).toEqual({ rows: 0, count: 0 });
  expect(await unattached()).toBe(1);
});

it('is taken once, by the first post', async () => {
  await photo('gao.ayi');
  expect((await receipt('gao.ayi', POST))[1]).toBe('照片已附上');
  expect((await receipt('gao.ayi', '#报修 1单元门口路灯不亮'))[1]).toMatch(/^位置：/u);
  expect(await attached(1)).toEqual({ rows: 1, count: 1 });
  expect(await attached(2)).toEqual({ rows: 0, count: 0 });
});

it('stops at 9 photos a request, and the receipt says so', async () => {
  await photo('gao.ayi');
  await desk.sendPhotos('gao.ayi', [desk.hostPhoto(fakePng()), ...photos(8)], { text: POST });
  const [first] = await outbox().then((all) => all.filter((t) => t.startsWith('已登记')));
  expect(first?.split('\n')[1]).toBe('先发的照片没有再加：已有 9 张');
  expect(await attached(1)).toEqual({ rows: 0, count: 0 });
  expect(await unattached()).toBe(1);
});

it('leaves 补充 N as it was', async () => {
  const no = await desk.report('gao.ayi', POST);
  desk.advance(11);
  expect(await photo('gao.ayi')).toEqual([[B7_KEY, HELD, ['gao.ayi']]]);
  const said = await desk.sendPhotos('gao.ayi', photos(1), { text: `补充 ${no} 就是这块砖` });
  expect(queuedView(said.sent)).toEqual([[B7_KEY, `#${no} 报事人补充了照片：就是这块砖`, ['li.xl']]]);
  expect(await attached(no)).toEqual({ rows: 1, count: 1 });
});

it('holds and attaches once when WeCom delivers the photo and the post again', async () => {
  const message = desk.photosMessage('gao.ayi', photos(1), { msgid: 'held-retry' });
  expect(queuedView((await desk.send(message)).sent)).toEqual([[B7_KEY, HELD, ['gao.ayi']]]);
  expect((await desk.send(message)).sent).toEqual([]);
  expect((await receipt('gao.ayi', POST))[1]).toBe('照片已附上');
  expect((await desk.send(message)).sent).toEqual([]);
  expect(await attached(1)).toEqual({ rows: 1, count: 1 });
  expect(await desk.events(1)).toEqual(['created:gao.ayi', 'routed:-', 'photo:gao.ayi']);
});

it('attaches it when the photo and the post come in one batch, photo first', async () => {
  await gate.inOneBatch(desk, db, [
    () => desk.sendPhotos('gao.ayi', photos(1), { msgid: 'batch-photo' }),
    () => desk.say('gao.ayi', POST, { msgid: 'batch-post' }),
    () => desk.say('gao.ayi', '#报修 1单元门口路灯不亮', { msgid: 'batch-second-post' }),
  ]);
  expect(gate.batches.at(-1)).toEqual(['batch-photo', 'batch-post', 'batch-second-post']);
  const sent = await outbox();
  expect(sent).toContain(HELD);
  const receipts = sent.filter((t) => t.startsWith('已登记')).map((t) => t.split('\n').slice(0, 2));
  expect(receipts).toEqual([
    ['已登记 #1【报修】1单元楼梯口地砖翘起来了', '照片已附上'],
    ['已登记 #2【报修】1单元门口路灯不亮', expect.stringMatching(/^位置：/u)],
  ]);
  expect(await attached(1)).toEqual({ rows: 1, count: 1 });
  expect(await attached(2)).toEqual({ rows: 0, count: 0 });
});

it('attaches it when another instance is still holding the photo', async () => {
  // Instance A has held the photo and not yet committed when this one files the post.
  const a = await startHeldInstance(db, desk);
  try {
    const held = a.desk.sendPhotos('gao.ayi', photos(1));
    await a.holding;
    const post = desk.say('gao.ayi', POST);
    await waitingForAnother(db);
    a.release();
    expect((await held).status).toBe(200);
    expect((await post).status).toBe(200);
    const receipts = (await outbox()).filter((t) => t.startsWith('已登记'));
    expect(receipts.map((t) => t.split('\n')[1])).toEqual(['照片已附上']);
    expect(await attached(1)).toEqual({ rows: 1, count: 1 });
  } finally {
    await a.stop();
  }
});

it('holds the photo of a 补充 refused for a closed request, for the new report the refusal asks for', async () => {
  const no = await desk.report('wang.ayi', '#报修 1单元楼道灯不亮');
  await desk.said('li.xl', `办结 ${no}`);
  await desk.said('wang.ayi', `满意 ${no}`);
  const said = await desk.sendPhotos('wang.ayi', photos(1), { text: `补充 ${no} 又坏了` });
  expect(queuedView(said.sent)).toEqual([
    [B7_KEY, `#${no} 已完结，不能再补充；有新情况请重新报事，例如：#报修 又坏了`, ['wang.ayi']],
  ]);
  desk.advance(1);
  expect((await receipt('wang.ayi', '#报修 1单元楼道灯又坏了')).slice(0, 2)).toEqual([
    '已登记 #2【报修】1单元楼道灯又坏了',
    '照片已附上',
  ]);
  expect(await attached(no)).toEqual({ rows: 0, count: 0 });
  expect(await attached(2)).toEqual({ rows: 1, count: 1 });
});

it('holds the photo of a tag sent without its words, for the post sent again with them', async () => {
  expect(await photo('gao.ayi', { text: '#报修' })).toEqual([
    [B7_KEY, '请在「#报修」后面写上具体情况，例如：#报修 2单元楼道灯不亮', ['gao.ayi']],
  ]);
  expect((await receipt('gao.ayi', POST))[1]).toBe('照片已附上');
  expect(await attached(1)).toEqual({ rows: 1, count: 1 });
});

it('holds the photo of a refused 补充 for a new report that comes in the same batch', async () => {
  const no = await desk.report('wang.ayi', '#报修 1单元楼道灯不亮');
  await desk.said('wang.ayi', `撤回 ${no}`);
  await gate.inOneBatch(desk, db, [
    () => desk.sendPhotos('wang.ayi', photos(1), { text: `补充 ${no} 又坏了`, msgid: 'batch-refused' }),
    () => desk.say('wang.ayi', '#报修 1单元楼道灯又坏了', { msgid: 'batch-new-report' }),
  ]);
  expect(gate.batches.at(-1)).toEqual(['batch-refused', 'batch-new-report']);
  const sent = await outbox();
  expect(sent).toContain(`#${no} 已撤回，不能再补充；有新情况请重新报事，例如：#报修 又坏了`);
  expect(sent.filter((t) => t.startsWith('已登记 #2')).map((t) => t.split('\n')[1])).toEqual(['照片已附上']);
  expect(await attached(2)).toEqual({ rows: 1, count: 1 });
});
