import type { TestDatabase } from '../../helpers/database';
import { closeDesk, openDesk, queuedView, type DeskHarness } from '../../helpers/desk-harness';
import { fakePng } from '../../helpers/media';
import { unattachedPhotos } from '../../helpers/photo-rows';

/**
 * Photos that come with words, through the real /wecom/bot endpoint with encrypted callbacks:
 * `补充 N` carries them to request N, words that only point at the picture (照片, 如图) count as
 * none, and any other message that brings photos it does not attach says so.
 *
 * 江湾小区 7号楼's 2单元 goes to 赵志强 (zhao.zq); any userid not in the ledger is a resident.
 */

const B7_KEY = '0000fake-0000-4000-8000-0000000jw007';
const NOT_ATTACHED = '照片没有附上，要附到某件事上请发「补充 编号」并带上照片';
/** After a refused 补充, 进展 or 办结: the refusal says the rest, never to send the photo with it again. */
const NOT_TAKEN = '照片没有附上';

let db: TestDatabase;
let desk: DeskHarness;

beforeAll(async () => {
  ({ db, desk } = await openDesk());
});

afterAll(() => closeDesk(desk, db));

beforeEach(async () => {
  await db.dataSource.query(
    `TRUNCATE inbound_photo, inbound_message, request_event, request, outbox CASCADE`,
  );
  await db.dataSource.query(`UPDATE request_counter SET last_no = 0`);
});

/** `count` fresh photos on the simulator. */
const photos = (count: number) => Array.from({ length: count }, () => desk.hostPhoto());

/** How many photos sent after its post request `no` has. */
async function attached(no: number): Promise<number> {
  const [row] = await db.dataSource.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM inbound_photo p JOIN request r ON r.id = p.request_id WHERE r.no = $1`,
    [no],
  );
  return row?.n ?? -1;
}

const unattached = () => unattachedPhotos(db.dataSource);

/** Photos sent with `text` in 7号楼's group (or a private chat): what they queued. */
async function sent(
  from: string,
  count: number,
  text: string,
  opts: { single?: boolean; msgid?: string } = {},
) {
  const said = await desk.sendPhotos(from, photos(count), { text, ...opts });
  expect(said.status).toBe(200);
  return queuedView(said.sent);
}

describe('补充 N with photos', () => {
  it('attaches them to request N, with or without words, long after the post, and tells the handler', async () => {
    const no = await desk.report('zz.a', '#报修 2单元楼梯扶手松了');
    desk.advance(60);
    expect(await sent('zz.a', 1, `补充 ${no} 扶手这里`)).toEqual([
      [B7_KEY, `#${no} 报事人补充了照片：扶手这里`, ['zhao.zq']],
    ]);
    expect(await sent('zz.a', 2, `补充 ${no}`)).toEqual([
      [B7_KEY, `#${no} 报事人补充了 2 张照片`, ['zhao.zq']],
    ]);
    // Words that only point at the picture are no detail of their own.
    expect(await sent('zz.a', 1, `补充 ${no} 照片！`)).toEqual([
      [B7_KEY, `#${no} 报事人补充了照片`, ['zhao.zq']],
    ]);
    // The handler's photo goes to the reporter.
    expect(await sent('zhao.zq', 1, `补充 ${no} 新扶手到了`)).toEqual([
      [B7_KEY, `#${no} 赵志强补充了照片：新扶手到了`, ['zz.a']],
    ]);
    expect(await attached(no)).toBe(5);
    expect(await desk.events(no)).toEqual([
      'created:zz.a',
      'routed:-',
      'photo:zz.a',
      'supplement:zz.a',
      'photo:zz.a',
      'photo:zz.a',
      'photo:zhao.zq',
      'supplement:zhao.zq',
    ]);
    expect(await desk.reply('zz.a', `查询 ${no}`)).toMatch(/\n最近：\S+ \S+ 补充 新扶手到了$/u);
    expect((await desk.request(no))?.status).toBe('open');
  });

  it('takes the number from the sender’s only open request, in a private chat too', async () => {
    const no = await desk.report('zz.b', '#报修 2单元门口地砖翘起来了');
    expect(await sent('zz.b', 1, '补充')).toEqual([[B7_KEY, `#${no} 报事人补充了照片`, ['zhao.zq']]]);
    const single = await sent('zz.b', 1, `补充 ${no} 在门口左边`, { single: true });
    // The handler is @-ed in the group; the sender is told in the private chat.
    expect(single).toEqual([
      ['response_url', `#${no} 报事人补充了照片：在门口左边\n已发到7号楼群`, []],
      [B7_KEY, `#${no} 报事人补充了照片：在门口左边`, ['zhao.zq']],
    ]);
    expect(await attached(no)).toBe(2);
  });

  it('stops at 9 photos a request, still keeping the words', async () => {
    await desk.sendPhotos('zz.c', [desk.hostPhoto(fakePng())], { text: '#报修 2单元楼道墙皮脱落' });
    expect(await sent('zz.c', 8, '补充 1')).toEqual([[B7_KEY, '#1 报事人补充了 8 张照片', ['zhao.zq']]]);
    expect(await sent('zz.c', 1, '补充 1 掉在楼梯上')).toEqual([
      [B7_KEY, '#1 报事人补充：掉在楼梯上\n#1 的照片已有 9 张，这次的没有再加', ['zhao.zq']],
    ]);
    // With nothing else to add, nothing is told to the handler.
    expect(await sent('zz.c', 1, '补充 1')).toEqual([
      [B7_KEY, '#1 的照片已有 9 张，这次的没有再加', ['zz.c']],
    ]);
    expect(await attached(1)).toBe(8);
    expect(await unattached()).toBe(2);
    expect(await desk.events(1)).toEqual(['created:zz.c', 'routed:-', 'photo:zz.c', 'supplement:zz.c']);
  });

  it('attaches nothing for someone who may not 补充, or to a request that is done, and says so', async () => {
    const no = await desk.report('zz.d', '#报修 2单元楼梯扶手松了');
    // Not sent back to the 补充 just refused: only that the photo was not attached.
    expect(await sent('zz.stranger', 1, `补充 ${no} 我家门口也松了`)).toEqual([
      [B7_KEY, `#${no} 只有报事人或处理人赵志强可以补充\n${NOT_TAKEN}`, ['zz.stranger']],
    ]);
    await desk.said('zz.d', `撤回 ${no}`);
    // The refusal says what to do: report it again, the photo with it.
    expect(await sent('zz.d', 1, `补充 ${no}`)).toEqual([
      [B7_KEY, `#${no} 已撤回，不能再补充；有新情况请重新报事，例如：#报修 2单元楼道灯不亮`, ['zz.d']],
    ]);
    expect(await sent('zz.d', 1, '补充 99 扶手')).toEqual([
      [B7_KEY, `没有找到 #99，请核对编号（可发「待办」查看）\n${NOT_TAKEN}`, ['zz.d']],
    ]);
    expect(await attached(no)).toBe(0);
    expect(await unattached()).toBe(3);
    expect(await desk.events(no)).toEqual(['created:zz.d', 'routed:-', 'withdrawn:zz.d']);
  });

  it('refused for a request that is closed, say only what to do instead', async () => {
    const no = await desk.report('wang.ayi', '#报修 2单元楼道灯不亮');
    await desk.said('zhao.zq', `办结 ${no}`);
    await desk.said('wang.ayi', `满意 ${no}`);
    // The photo waits for the new report (photo-before-post.test.ts).
    expect(await sent('wang.ayi', 1, `补充 ${no} 又坏了`)).toEqual([
      [B7_KEY, `#${no} 已完结，不能再补充；有新情况请重新报事，例如：#报修 又坏了`, ['wang.ayi']],
    ]);
    expect(await attached(no)).toBe(0);
  });

  it('without the number, with several requests it could mean, say only that they are not attached', async () => {
    await desk.report('wang.ayi', '#报修 2单元楼梯扶手松了');
    await desk.report('wang.ayi', '#报修 2单元门口地砖翘起来了');
    const several = await sent('wang.ayi', 1, '补充');
    expect(several).toHaveLength(1);
    expect(several[0]?.[1]).toMatch(new RegExp(`^您有 2 件事还在办，请带上编号[^]*\\n${NOT_TAKEN}$`, 'u'));
    expect(await unattached()).toBe(1);
  });

  it('attaches photos delivered again by WeCom once, with one answer', async () => {
    const no = await desk.report('zz.e', '#报修 2单元楼梯扶手松了');
    const message = desk.photosMessage('zz.e', photos(2), {
      text: `补充 ${no} 扶手这里`,
      msgid: 'add-retry',
    });
    const first = await desk.send(message);
    const again = await desk.send(message);
    expect(queuedView(first.sent)).toEqual([[B7_KEY, `#${no} 报事人补充了 2 张照片：扶手这里`, ['zhao.zq']]]);
    expect(again.status).toBe(200);
    expect(again.sent).toEqual([]);
    expect(await attached(no)).toBe(2);
    expect(await desk.events(no)).toEqual(['created:zz.e', 'routed:-', 'photo:zz.e', 'supplement:zz.e']);
  });
});

describe('words that only point at the picture', () => {
  it.each(['照片', '图片', '看图', '如图👇', '就是这个！', '这个[强]', '补充照片', '请看，这里'])(
    'attach %s with a photo as photos of their own',
    async (words) => {
      await desk.report('zz.f', '#报修 2单元楼梯扶手松了');
      expect(await sent('zz.f', 1, words)).toEqual([[B7_KEY, '已收到照片，附在 #1', ['zz.f']]]);
      expect(await attached(1)).toBe(1);
    },
  );

  it('are held with no recent post, as photos alone are', async () => {
    expect(await sent('zz.g', 1, '照片')).toEqual([
      [B7_KEY, '收到照片。请接着@我说是什么事，例如：#报修 2单元楼道灯不亮，照片会附上', ['zz.g']],
    ]);
    expect(await unattached()).toBe(1);
  });
});

describe('photos with any other words', () => {
  it('are not attached, and the answer says so', async () => {
    const no = await desk.report('zz.h', '#报修 2单元楼梯扶手松了');
    // Chatter more than 10 minutes after the post (within them, see photo-with-comment.test.ts).
    desk.advance(11);
    const chatter = await sent('zz.h', 1, '扶手这里');
    expect(chatter).toHaveLength(1);
    expect(chatter[0]?.[1]).toMatch(
      new RegExp(`^您报的 #${no} 还在等赵志强接单[^]*\\n${NOT_ATTACHED}$`, 'u'),
    );
    const command = await sent('zz.h', 1, `查询 ${no}`);
    expect(command).toHaveLength(1);
    expect(command[0]?.[1]).toMatch(new RegExp(`^#${no} 报修｜[^]*\\n${NOT_ATTACHED}$`, 'u'));
    // A tag without its words in a private chat: no group to file in, nothing held.
    expect(await sent('zz.h', 1, '#报修', { single: true })).toEqual([
      ['response_url', `请在「#报修」后面写上具体情况，例如：#报修 2单元楼道灯不亮\n${NOT_ATTACHED}`, []],
    ]);
    expect(await sent('zz.h', 1, '#报修 楼道灯不亮', { single: true })).toEqual([
      ['response_url', `请到您所在楼栋的群里@我报事，方便楼长及时看到\n${NOT_ATTACHED}`, []],
    ]);
    expect(await attached(no)).toBe(0);
    expect(await unattached()).toBe(4);
  });

  it('that repeat a post with photos are not attached, and the answer says so', async () => {
    await desk.sendPhotos('zz.i', photos(1), { text: '#报修 2单元楼梯扶手松了' });
    const again = await sent('zz.i', 1, '#报修 2单元楼梯扶手松了');
    expect(again).toEqual([
      [B7_KEY, `您刚才已报过 #1，不用重复发，可发「查询 1」看进度\n${NOT_ATTACHED}`, ['zz.i']],
    ]);
  });
});
