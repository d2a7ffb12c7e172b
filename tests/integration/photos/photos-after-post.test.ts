import type { InboundHandler } from '../../../src/intake';
import { PhotoKeeper } from '../../../src/photos';
import { silentLogger } from '../../../src/shared/logger';
import type { TestDatabase } from '../../helpers/database';
import { closeDesk, openDesk, type DeskHarness, type OutboxRecord } from '../../helpers/desk-harness';
import { startHeldInstance, waitingForAnother } from '../../helpers/held-instance';
import { fakeJpeg, fakePng } from '../../helpers/media';
import { testEnv } from '../../helpers/test-service';
import { BOT_SECRETS } from '../../helpers/wecom-payloads';
import { unattachedPhotos } from '../../helpers/photo-rows';

/**
 * A photo sent as a message of its own right after a post (elderly residents on phones often do)
 * is attached to the sender's request, through the real /wecom/bot endpoint with encrypted
 * callbacks, the photo keeper fetching from the simulator, and the street office's pages.
 */

const ADMIN_TOKEN = 'street-office-token-0123456789';
const KEY = BOT_SECRETS.aesKey;
const B7_KEY = '0000fake-0000-4000-8000-0000000jw007';
/** The answer to a photo with no recent post of the sender's in a group: held for their next post. */
const HELD = '收到照片。请接着@我说是什么事，例如：#报修 2单元楼道灯不亮，照片会附上';

let db: TestDatabase;
let desk: DeskHarness;
/** While set, the desk's transactions wait for it: messages sent meanwhile pile up into one batch. */
let gate: Promise<void> | undefined;
/** The messages each batch handled, by msgid. */
let batches: string[][] = [];

/** The desk, holding each transaction open while `gate` is set, and recording its batches. */
function gated(inner: InboundHandler): InboundHandler {
  return {
    handle: async (m, tx) => {
      batches.push([m.msgId ?? '']);
      await gate;
      return inner.handle(m, tx);
    },
    handleBatch: async (ms, tx) => {
      batches.push(ms.map((m) => m.msgId ?? ''));
      await gate;
      return inner.handleBatch ? inner.handleBatch(ms, tx) : undefined;
    },
  };
}

beforeAll(async () => {
  ({ db, desk } = await openDesk({ env: testEnv({ MULIN_ADMIN_TOKEN: ADMIN_TOKEN }), wrap: gated }));
});

afterAll(() => closeDesk(desk, db));

beforeEach(async () => {
  // Ids go on (the harness reads the outbox rows past the last it saw); numbers start at #1 again.
  await db.dataSource.query(
    `TRUNCATE inbound_photo, inbound_message, request_event, request, outbox CASCADE`,
  );
  await db.dataSource.query(`UPDATE request_counter SET last_no = 0`);
  gate = undefined;
  batches = [];
});

const admin = (path: string) =>
  fetch(`${desk.url}${path}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });

const keeper = () => new PhotoKeeper(db.dataSource, desk.clock, silentLogger, { encodingAesKey: KEY });

/** The photos attached to request `no` after its post, by the message they came in. */
async function attached(no: number): Promise<{ id: string; msg_id: string; status: string }[]> {
  return db.dataSource.query(
    `SELECT p.id, m.msg_id, p.status FROM inbound_photo p
       JOIN inbound_message m ON m.id = p.inbound_id
       JOIN request r ON r.id = p.request_id
     WHERE r.no = $1 ORDER BY p.id`,
    [no],
  );
}

const replies = (sent: readonly OutboxRecord[]) => sent.map((o) => o.body.content);

it('attaches a photo sent right after a post to that request, and shows it on its page', async () => {
  const post = await desk.say('zhang.min', '#报修 2单元楼道灯不亮');
  expect(replies(post.sent)[0]).toMatch(/^已登记 #1【报修】/);

  desk.advance(2);
  const photo = fakeJpeg(4000);
  const said = await desk.sendPhotos('zhang.min', [desk.hostPhoto(photo)]);
  expect(said.status).toBe(200);
  // A short answer in the group, @-ing the sender as every reply there does.
  expect(said.sent).toEqual([
    expect.objectContaining({
      purpose: 'reply',
      destination: { type: 'group_webhook', webhookKey: B7_KEY },
      body: { kind: 'text', content: '已收到照片，附在 #1', mentions: ['zhang.min'] },
    }),
  ]);
  expect(await desk.events(1)).toEqual(['created:zhang.min', 'routed:-', 'photo:zhang.min']);
  expect(await desk.reply('zhang.min', '查询 1')).toMatch(/\n最近：\S+ \S+ 补充照片 1 张$/u);

  expect(await keeper().runOnce()).toBe(1);
  const [row] = await attached(1);
  expect(row?.status).toBe('kept');
  const page = await (await admin('/admin/requests/1')).text();
  expect(page).toContain(`<img src="/admin/photos/${row?.id}"`);
  expect(page).toContain('补充照片');
  expect(page).not.toContain('照片未保存');
  const served = await admin(`/admin/photos/${row?.id}`);
  expect(Buffer.from(await served.arrayBuffer()).equals(photo)).toBe(true);
  const api = (await (await admin('/api/requests/1')).json()) as { photos: unknown };
  expect(api.photos).toEqual([{ status: 'kept', url: `/admin/photos/${row?.id}` }]);

  await desk.deliverAll();
  expect(desk.wecom.messages().map((m) => m.body)).toContainEqual({
    kind: 'text',
    content: '已收到照片，附在 #1',
    mentions: ['zhang.min'],
  });
});

it("lists the post's own photos first, then those sent after it, and counts several at once", async () => {
  await desk.sendPhotos('zhang.min', [desk.hostPhoto(fakePng())], { text: '#报修 楼下路灯坏了' });
  const said = await desk.sendPhotos('zhang.min', [desk.hostPhoto(), desk.hostPhoto()]);
  expect(replies(said.sent)).toEqual(['已收到 2 张照片，附在 #1']);
  await keeper().runOnce();
  const later = await attached(1);
  expect(later).toHaveLength(2);
  const page = await (await admin('/admin/requests/1')).text();
  const shown = [...page.matchAll(/<img src="\/admin\/photos\/(\d+)"/g)].map((m) => m[1]);
  expect(shown).toHaveLength(3);
  expect(shown.slice(1)).toEqual(later.map((p) => p.id));
});

it('attaches a photo sent in a private chat, as an image message, to the request filed in the group', async () => {
  await desk.say('zhang.min', '#报修 2单元楼道灯不亮');
  const said = await desk.sendPhotos('zhang.min', [desk.hostPhoto()], { single: true });
  // Answered through the message's one-use reply handle: a private chat has no push key.
  expect(said.sent).toEqual([
    expect.objectContaining({
      destination: { type: 'response_url', url: expect.any(String) as string },
      body: { kind: 'markdown', content: '已收到照片，附在 #1' },
    }),
  ]);
  expect(await attached(1)).toHaveLength(1);
});

it('attaches an image message in a group, should WeCom forward one', async () => {
  await desk.say('zhang.min', '#报修 2单元楼道灯不亮');
  const said = await desk.send({
    ...desk.envelope('zhang.min'),
    msgtype: 'image',
    image: { url: desk.hostPhoto() },
  });
  expect(replies(said.sent)).toEqual(['已收到照片，附在 #1']);
  expect(await attached(1)).toHaveLength(1);
});

it('attaches a photo delivered again by WeCom once, with one answer', async () => {
  await desk.say('zhang.min', '#报修 2单元楼道灯不亮');
  const link = desk.hostPhoto();
  const first = await desk.sendPhotos('zhang.min', [link], { msgid: 'photo-retry' });
  const again = await desk.sendPhotos('zhang.min', [link], { msgid: 'photo-retry' });
  expect(first.status).toBe(200);
  expect(again.status).toBe(200);
  expect(replies(first.sent)).toEqual(['已收到照片，附在 #1']);
  expect(again.sent).toEqual([]);
  expect(await attached(1)).toHaveLength(1);
  expect(await desk.events(1)).toEqual(['created:zhang.min', 'routed:-', 'photo:zhang.min']);
});

it('holds a photo with no recent post in a group, and says how to attach one in a private chat', async () => {
  // In a group, for the post the sender is about to send (photo-before-post.test.ts).
  const said = await desk.sendPhotos('zhang.min', [desk.hostPhoto()]);
  expect(said.sent).toEqual([
    expect.objectContaining({
      destination: { type: 'group_webhook', webhookKey: B7_KEY },
      body: { kind: 'text', content: HELD, mentions: ['zhang.min'] },
    }),
  ]);
  expect(await unattachedPhotos(db.dataSource)).toBe(1);

  // A post of more than 10 minutes ago is not recent.
  desk.advance(11);
  await desk.say('zhang.min', '#报修 2单元楼道灯不亮');
  desk.advance(11);
  const late = await desk.sendPhotos('zhang.min', [desk.hostPhoto()]);
  expect(replies(late.sent)).toEqual([HELD]);
  expect(await attached(1)).toHaveLength(0);
  expect(await unattachedPhotos(db.dataSource)).toBe(2);

  // A private chat files nothing, so holds nothing.
  const single = await desk.sendPhotos('zhang.min', [desk.hostPhoto()], { single: true });
  expect(single.sent.map((o) => o.body.content)).toEqual([
    '照片没有附上：已报过的事请发「补充 编号」并带上照片；新的事请到楼栋群里@我报事，一起发照片',
  ]);
});

it("does not attach someone else's photo to another resident's request", async () => {
  await desk.say('zhang.min', '#报修 2单元楼道灯不亮');
  const said = await desk.sendPhotos('chen.ay', [desk.hostPhoto()]);
  expect(replies(said.sent)).toEqual([HELD]);
  expect(said.sent[0]?.body.mentions).toEqual(['chen.ay']);
  expect(await attached(1)).toHaveLength(0);
  expect(await desk.events(1)).toEqual(['created:zhang.min', 'routed:-']);
});

it('does not attach a photo to a request filed in another group, or one withdrawn', async () => {
  await desk.say('zhang.min', '#报修 2单元楼道灯不亮');
  const elsewhere = await desk.sendPhotos('zhang.min', [desk.hostPhoto()], { chatid: 'wrkB7FAKEjiangwan06' });
  expect(replies(elsewhere.sent)).toEqual([HELD]);
  await desk.say('zhang.min', '撤回 1');
  const withdrawn = await desk.sendPhotos('zhang.min', [desk.hostPhoto()]);
  expect(replies(withdrawn.sent)).toEqual([HELD]);
  expect(await attached(1)).toHaveLength(0);
});

it('attaches to the newest of two recent requests', async () => {
  await desk.say('zhang.min', '#报修 2单元楼道灯不亮');
  desk.advance(1);
  await desk.say('zhang.min', '#投诉 楼下广场舞太吵');
  const said = await desk.sendPhotos('zhang.min', [desk.hostPhoto()]);
  expect(replies(said.sent)).toEqual(['已收到照片，附在 #2']);
  expect(await attached(2)).toHaveLength(1);
  expect(await attached(1)).toHaveLength(0);
});

it('stops at 9 photos a request', async () => {
  await desk.say('zhang.min', '#报修 2单元楼道灯不亮');
  const eight = await desk.sendPhotos(
    'zhang.min',
    Array.from({ length: 8 }, () => desk.hostPhoto()),
  );
  expect(replies(eight.sent)).toEqual(['已收到 8 张照片，附在 #1']);
  const two = await desk.sendPhotos('zhang.min', [desk.hostPhoto(), desk.hostPhoto()]);
  expect(replies(two.sent)).toEqual(['#1 的照片已有 9 张，这次的没有再加']);
  const one = await desk.sendPhotos('zhang.min', [desk.hostPhoto()]);
  expect(replies(one.sent)).toEqual(['已收到照片，附在 #1']);
  expect(await attached(1)).toHaveLength(9);
  expect(await unattachedPhotos(db.dataSource)).toBe(2);
});

it('attaches a photo that comes in the same batch right after the post', async () => {
  // The first two messages' transactions (the intake runs two at once) are held open; the post
  // and the photo sent meanwhile wait for them and are then stored and handled together, in the
  // order they came.
  let release: () => void = () => undefined;
  gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 150));
  const first = Promise.all([
    desk.say('chen.ay', '大家早上好', { msgid: 'batch-hello' }),
    desk.say('li.xl', '早', { msgid: 'batch-morning' }),
  ]);
  // Both held (the embedded database runs one transaction at a time: the second waits for it).
  const held = db.kind === 'postgres' ? 2 : 1;
  for (let i = 0; i < 100 && batches.length < held; i++) await settle();
  expect(batches).toHaveLength(held);
  const post = desk.say('zhang.min', '#报修 2单元楼道灯不亮', { msgid: 'batch-post' });
  await settle();
  const photo = desk.sendPhotos('zhang.min', [desk.hostPhoto()], { msgid: 'batch-photo' });
  await settle();
  release();
  const [, posted, photographed] = await Promise.all([first, post, photo]);
  expect(batches.slice(2)).toEqual([['batch-post', 'batch-photo']]);
  expect([posted.status, photographed.status]).toEqual([200, 200]);

  const [row] = await attached(1);
  expect(row?.msg_id).toBe('batch-photo');
  const bodies = (
    await db.dataSource.query<{ content: string }[]>(
      `SELECT body->>'content' AS content FROM outbox ORDER BY id`,
    )
  ).map((r) => r.content);
  expect(bodies.filter((b) => b.startsWith('已登记 #1'))).toHaveLength(1);
  expect(bodies).toContain('已收到照片，附在 #1');
  expect(await desk.events(1)).toEqual(['created:zhang.min', 'routed:-', 'photo:zhang.min']);
});

it('attaches a photo that another instance handles while the post is still being stored', async () => {
  // Instance A has filed the post and not yet committed when instance B handles the photo.
  const a = await startHeldInstance(db, desk);
  try {
    const post = a.desk.say('zhang.min', '#报修 2单元楼道灯不亮');
    await a.holding;
    const photo = desk.sendPhotos('zhang.min', [desk.hostPhoto()]);
    await waitingForAnother(db);
    a.release();
    expect((await post).status).toBe(200);
    const said = await photo;
    expect(said.status).toBe(200);
    expect(replies(said.sent)).toContain('已收到照片，附在 #1');
    expect(await attached(1)).toHaveLength(1);
  } finally {
    await a.stop();
  }
});
