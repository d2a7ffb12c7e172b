import type { TestDatabase } from '../../helpers/database';
import { BatchGate } from '../../helpers/batch-gate';
import { closeDesk, openDesk, queuedView, type DeskHarness } from '../../helpers/desk-harness';
import { startHeldInstance, waitingForAnother } from '../../helpers/held-instance';
import { laterPhotos } from '../../helpers/photo-rows';

/**
 * A photo sent right after the sender's own post with a few words about it (`看看这里扶手都快掉了`),
 * through the real /wecom/bot endpoint with encrypted callbacks: attached as a photo sent alone
 * would be, its words kept as a supplement of the same request, in one answer.
 *
 * 江湾小区 7号楼's 2单元 goes to 赵志强 (zhao.zq); any userid not in the ledger is a resident.
 */

const B7_KEY = '0000fake-0000-4000-8000-0000000jw007';
const NOT_ATTACHED = '照片没有附上，要附到某件事上请发「补充 编号」并带上照片';
const WORDS = '看看这里扶手都快掉了';

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

/** Photos sent with `text` in 7号楼's group (or as `opts` say): what they queued. */
async function sent(
  from: string,
  count: number,
  text: string,
  opts: { single?: boolean; msgid?: string; chatid?: string } = {},
) {
  const said = await desk.sendPhotos(from, photos(count), { text, ...opts });
  expect(said.status).toBe(200);
  return queuedView(said.sent);
}

const attached = (no: number) => laterPhotos(db.dataSource, no);

/** The notes of request `no`'s supplements, oldest first. */
async function supplements(no: number): Promise<string[]> {
  const rows = await db.dataSource.query<{ note: string }[]>(
    `SELECT e.note FROM request_event e JOIN request r ON r.id = e.request_id
     WHERE r.no = $1 AND e.type = 'supplement' ORDER BY e.id`,
    [no],
  );
  return rows.map((r) => r.note);
}

it('attaches it to her post of a few minutes ago and keeps her words as a supplement, in one answer', async () => {
  const no = await desk.report('li.nainai', '#报修 2单元楼梯扶手松了');
  desk.advance(3);
  expect(await sent('li.nainai', 1, WORDS)).toEqual([
    [B7_KEY, `已收到照片，附在 #${no}，补充：${WORDS}`, ['li.nainai']],
  ]);
  expect(await attached(no)).toEqual({ rows: 1, count: 1 });
  expect(await desk.events(no)).toEqual([
    'created:li.nainai',
    'routed:-',
    'photo:li.nainai',
    'supplement:li.nainai',
  ]);
  expect(await supplements(no)).toEqual([WORDS]);
  expect(await desk.reply('li.nainai', `查询 ${no}`)).toMatch(
    new RegExp(`\\n最近：\\S+ \\S+ 补充 ${WORDS}$`, 'u'),
  );

  // Several photos, from a private chat too (as photos alone, any group's post); a phone number
  // in the words is not repeated.
  expect(await sent('li.nainai', 2, '楼下王师傅13812345678说过来看', { single: true })).toEqual([
    ['response_url', `已收到 2 张照片，附在 #${no}，补充：楼下王师傅138****5678说过来看`, []],
  ]);
  expect(await attached(no)).toEqual({ rows: 3, count: 3 });
});

it('is only for her own post of the last 10 minutes in this group', async () => {
  const no = await desk.report('li.nainai', '#报修 2单元楼梯扶手松了');
  // A neighbour's photo with words is chatter, as before.
  const neighbour = await sent('zz.n', 1, WORDS);
  expect(neighbour).toHaveLength(1);
  expect(neighbour[0]?.[1]).toMatch(new RegExp(`\\n${NOT_ATTACHED}$`, 'u'));
  const elsewhere = await sent('li.nainai', 1, WORDS, { chatid: 'wrkB7FAKEjiangwan06' });
  expect(elsewhere[0]?.[1]).toMatch(new RegExp(`\\n${NOT_ATTACHED}$`, 'u'));
  desk.advance(11);
  const late = await sent('li.nainai', 1, WORDS);
  expect(late).toHaveLength(1);
  expect(late[0]?.[1]).toMatch(new RegExp(`^您报的 #${no} 还在等赵志强接单[^]*\\n${NOT_ATTACHED}$`, 'u'));
  expect(await attached(no)).toEqual({ rows: 0, count: 0 });
  expect(await supplements(no)).toEqual([]);
});

it('leaves a command, a new post and a danger their meaning', async () => {
  const no = await desk.report('li.nainai', '#报修 2单元楼梯扶手松了');
  const command = await sent('li.nainai', 1, `查询 ${no}`);
  expect(command[0]?.[1]).toMatch(new RegExp(`^#${no} 报修｜[^]*\\n${NOT_ATTACHED}$`, 'u'));
  // A new post files a new request, with its photo.
  const post = await sent('li.nainai', 1, '#报修 2单元门口地砖翘起来了');
  expect(post[0]?.[1]).toMatch(/^已登记 #2【报修】2单元门口地砖翘起来了/u);
  const danger = await sent('li.nainai', 1, '2单元楼道里有很大的煤气味');
  expect(danger[0]?.[1]).toMatch(/已登记 #3【求助】/u);
  const [filed] = await db.dataSource.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM request r JOIN inbound_photo p ON p.inbound_id = r.inbound_id`,
  );
  expect(filed?.n).toBe(2);
  expect(await attached(no)).toEqual({ rows: 0, count: 0 });
  expect(await supplements(no)).toEqual([]);
});

it('keeps the words when the request has its 9 photos', async () => {
  const no = await desk.report('li.nainai', '#报修 2单元楼梯扶手松了');
  await sent('li.nainai', 9, '');
  expect(await sent('li.nainai', 1, WORDS)).toEqual([
    [B7_KEY, `#${no} 补充：${WORDS}\n#${no} 的照片已有 9 张，这次的没有再加`, ['li.nainai']],
  ]);
  expect(await attached(no)).toEqual({ rows: 9, count: 9 });
  expect(await supplements(no)).toEqual([WORDS]);
});

it('attaches and keeps the words once when WeCom delivers it again', async () => {
  const no = await desk.report('li.nainai', '#报修 2单元楼梯扶手松了');
  const message = desk.photosMessage('li.nainai', photos(1), { text: WORDS, msgid: 'comment-retry' });
  const first = await desk.send(message);
  const again = await desk.send(message);
  expect(queuedView(first.sent)).toEqual([
    [B7_KEY, `已收到照片，附在 #${no}，补充：${WORDS}`, ['li.nainai']],
  ]);
  expect(again.status).toBe(200);
  expect(again.sent).toEqual([]);
  expect(await attached(no)).toEqual({ rows: 1, count: 1 });
  expect(await supplements(no)).toEqual([WORDS]);
});

it('attaches it when it comes in the same batch right after the post', async () => {
  const [post, comment] = await gate.inOneBatch(desk, db, [
    () => desk.say('li.nainai', '#报修 2单元楼梯扶手松了', { msgid: 'batch-post' }),
    () => desk.sendPhotos('li.nainai', photos(1), { text: WORDS, msgid: 'batch-comment' }),
  ]);
  expect(gate.batches.at(-1)).toEqual(['batch-post', 'batch-comment']);
  const answers = (
    await db.dataSource.query<{ content: string }[]>(
      `SELECT body->>'content' AS content FROM outbox ORDER BY id`,
    )
  ).map((r) => r.content);
  expect([post?.status, comment?.status]).toEqual([200, 200]);
  // Both answers, read from the outbox: each callback's answer comes after the batch commits.
  expect(answers.filter((a) => a.startsWith('已登记 #1【报修】'))).toHaveLength(1);
  expect(answers).toContain(`已收到照片，附在 #1，补充：${WORDS}`);
  expect(await attached(1)).toEqual({ rows: 1, count: 1 });
  expect(await supplements(1)).toEqual([WORDS]);
});

it('attaches it when another instance is still storing the post', async () => {
  const a = await startHeldInstance(db, desk);
  try {
    const post = a.desk.say('li.nainai', '#报修 2单元楼梯扶手松了');
    await a.holding;
    const comment = desk.sendPhotos('li.nainai', photos(1), { text: WORDS });
    await waitingForAnother(db);
    a.release();
    expect((await post).status).toBe(200);
    const said = await comment;
    expect(said.status).toBe(200);
    // What the harness read since includes the other instance's receipt.
    expect(queuedView(said.sent)).toContainEqual([
      B7_KEY,
      `已收到照片，附在 #1，补充：${WORDS}`,
      ['li.nainai'],
    ]);
    expect(await attached(1)).toEqual({ rows: 1, count: 1 });
  } finally {
    await a.stop();
  }
});
