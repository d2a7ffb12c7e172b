import { PhotoKeeper } from '../../../src/photos';
import { silentLogger } from '../../../src/shared/logger';
import { PHOTOS_NOT_ATTACHED } from '../../../src/requests/carried-photos';
import type { TestDatabase } from '../../helpers/database';
import { closeDesk, openDesk, queuedView, type DeskHarness } from '../../helpers/desk-harness';
import { fakePng } from '../../helpers/media';
import { testEnv } from '../../helpers/test-service';
import { BOT_SECRETS } from '../../helpers/wecom-payloads';
import { laterPhotos, unattachedPhotos } from '../../helpers/photo-rows';

/**
 * A handler's 办结 and 进展 with photos in the same message (the finished repair, the part that
 * came), and 补充 from the handler who has just finished a request, through the real /wecom/bot
 * endpoint with encrypted callbacks, the photo keeper, the street office's page and /api.
 *
 * 江湾小区 7号楼's 2单元 goes to 赵志强 (zhao.zq); 刘婷 (liu.t) is the compound's grid worker; any
 * userid not in the ledger is a resident.
 */

const ADMIN_TOKEN = 'street-office-token-0123456789';
const B7_KEY = '0000fake-0000-4000-8000-0000000jw007';
/** After a refused 补充, 进展 or 办结: the refusal says the rest, never to send the photo with it again. */
const NOT_TAKEN = '照片没有附上';
const rate = (no: number) => `请报事人回复「满意 ${no}」或「不满意 ${no} 原因」`;

let db: TestDatabase;
let desk: DeskHarness;

beforeAll(async () => {
  ({ db, desk } = await openDesk({ env: testEnv({ MULIN_ADMIN_TOKEN: ADMIN_TOKEN }) }));
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

/** Photos sent with `text` in 7号楼's group: what they queued. */
async function sent(from: string, count: number, text: string, opts: { msgid?: string } = {}) {
  const said = await desk.sendPhotos(from, photos(count), { text, ...opts });
  expect(said.status).toBe(200);
  return queuedView(said.sent);
}

const attached = (no: number) => laterPhotos(db.dataSource, no);

const unattached = () => unattachedPhotos(db.dataSource);

const status = async (no: number) => (await desk.request(no))?.status;

const admin = (path: string) =>
  fetch(`${desk.url}${path}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });

describe('办结 with photos', () => {
  it('attaches them, says so, and shows them on the page, in /api and in 查询', async () => {
    const no = await desk.report('zz.a', '#报修 2单元楼道灯不亮');
    expect(await sent('zhao.zq', 1, `办结 ${no} 换了新灯泡`)).toEqual([
      [B7_KEY, `#${no} 已办结：换了新灯泡，照片已附上\n${rate(no)}`, ['zz.a']],
    ]);
    expect(await status(no)).toBe('resolved');
    expect(await attached(no)).toEqual({ rows: 1, count: 1 });
    // The photo is noted before the 办结 itself, which stays the latest step.
    expect(await desk.events(no)).toEqual(['created:zz.a', 'routed:-', 'photo:zhao.zq', 'resolved:zhao.zq']);
    expect(await desk.reply('zz.a', `查询 ${no}`)).toMatch(/\n最近：\S+ \S+ 办结 换了新灯泡$/u);

    const keeper = new PhotoKeeper(db.dataSource, desk.clock, silentLogger, {
      encodingAesKey: BOT_SECRETS.aesKey,
    });
    expect(await keeper.runOnce()).toBe(1);
    const [photo] = await db.dataSource.query<{ id: string }[]>(
      `SELECT p.id FROM inbound_photo p JOIN request r ON r.id = p.request_id WHERE r.no = $1`,
      [no],
    );
    const page = await (await admin(`/admin/requests/${no}`)).text();
    expect(page).toContain(`<img src="/admin/photos/${photo?.id}"`);
    expect(page).toContain('补充照片');
    const api = (await (await admin(`/api/requests/${no}`)).json()) as { photos: unknown };
    expect(api.photos).toEqual([{ status: 'kept', url: `/admin/photos/${photo?.id}` }]);
  });

  it('takes the number from the handler’s only request in hand, and words that only point at the photos are no note', async () => {
    const no = await desk.report('zz.b', '#报修 2单元扶手松了');
    expect(await sent('zhao.zq', 2, '办结 如图')).toEqual([
      [B7_KEY, `#${no} 已办结，2 张照片已附上\n${rate(no)}`, ['zz.b']],
    ]);
    expect(await attached(no)).toEqual({ rows: 2, count: 2 });
    const [resolved] = await db.dataSource.query<{ note: string | null }[]>(
      `SELECT note FROM request_event WHERE type = 'resolved'`,
    );
    expect(resolved?.note).toBeNull();
  });

  it('still resolves a request that has its 9 photos, and says the new ones were not added', async () => {
    await desk.sendPhotos('zz.c', [desk.hostPhoto(fakePng())], { text: '#报修 2单元楼道墙皮脱落' });
    await sent('zz.c', 8, '补充 1');
    expect(await sent('zhao.zq', 1, '办结 1 已修补')).toEqual([
      [B7_KEY, `#1 已办结：已修补，照片已有 9 张，这次的没有再加\n${rate(1)}`, ['zz.c']],
    ]);
    expect(await status(1)).toBe('resolved');
    expect(await attached(1)).toEqual({ rows: 8, count: 8 });
    expect(await unattached()).toBe(1);
  });

  it('attaches nothing when refused, and answers as before', async () => {
    const no = await desk.report('zz.d', '#报修 2单元楼道灯不亮');
    expect(await sent('zz.stranger', 1, `办结 ${no}`)).toEqual([
      [B7_KEY, `#${no} 由赵志强处理，只有处理人、网格员或街道管理员可以办结\n${NOT_TAKEN}`, ['zz.stranger']],
    ]);
    expect(await sent('zhao.zq', 1, '办结 99')).toEqual([
      [B7_KEY, `没有找到 #99，请核对编号（可发「待办」查看）\n${NOT_TAKEN}`, ['zhao.zq']],
    ]);
    await desk.said('zhao.zq', `办结 ${no}`);
    // 办结 sent again for the photo of the finished work: the one who resolved it may add it with 补充.
    expect(await sent('zhao.zq', 1, `办结 ${no}`)).toEqual([
      [B7_KEY, `#${no} 已办结，不用再办结；照片没有附上，要附上请发「补充 ${no}」并带上照片`, ['zhao.zq']],
    ]);
    expect(await sent('liu.t', 1, `办结 ${no}`)).toEqual([
      [B7_KEY, `#${no} 已办结，不用再办结\n${NOT_TAKEN}`, ['liu.t']],
    ]);
    expect(await attached(no)).toEqual({ rows: 0, count: 0 });
    expect(await unattached()).toBe(4);
  });

  it('attaches photos delivered again by WeCom once, with one answer', async () => {
    const no = await desk.report('zz.e', '#报修 2单元楼道灯不亮');
    const message = desk.photosMessage('zhao.zq', photos(2), { text: `办结 ${no}`, msgid: 'done-retry' });
    const first = await desk.send(message);
    const again = await desk.send(message);
    expect(queuedView(first.sent)).toEqual([
      [B7_KEY, `#${no} 已办结，2 张照片已附上\n${rate(no)}`, ['zz.e']],
    ]);
    expect(again.status).toBe(200);
    expect(again.sent).toEqual([]);
    expect(await attached(no)).toEqual({ rows: 2, count: 2 });
    expect(await desk.events(no)).toEqual(['created:zz.e', 'routed:-', 'photo:zhao.zq', 'resolved:zhao.zq']);
  });
});

describe('进展 with photos', () => {
  it('attaches them to a request it takes on, with words or without', async () => {
    const no = await desk.report('zz.f', '#报修 2单元楼道灯不亮');
    expect(await sent('zhao.zq', 1, `进展 ${no} 师傅下午来`)).toEqual([
      [B7_KEY, `#${no} 进展：师傅下午来（赵志强），照片已附上`, ['zz.f']],
    ]);
    expect(await status(no)).toBe('acknowledged');
    expect(await sent('zhao.zq', 3, `进展 ${no} 照片`)).toEqual([
      [B7_KEY, `#${no} 进展：3 张照片已附上（赵志强）`, ['zz.f']],
    ]);
    expect(await attached(no)).toEqual({ rows: 4, count: 4 });
    expect(await desk.events(no)).toEqual([
      'created:zz.f',
      'routed:-',
      'acknowledged:zhao.zq',
      'photo:zhao.zq',
      'note:zhao.zq',
      'photo:zhao.zq',
    ]);
    expect(await desk.reply('zz.f', `查询 ${no}`)).toMatch(/\n最近：\S+ \S+ 补充照片 3 张$/u);
  });

  it('keeps the words of a request with its 9 photos, and changes nothing with photos alone', async () => {
    await desk.sendPhotos('zz.g', [desk.hostPhoto(fakePng())], { text: '#报修 2单元楼道墙皮脱落' });
    await sent('zz.g', 8, '补充 1');
    // Photos alone add nothing: the handler alone is told, and the request is not taken on.
    expect(await sent('zhao.zq', 1, '进展 1')).toEqual([
      [B7_KEY, '#1 的照片已有 9 张，这次的没有再加', ['zhao.zq']],
    ]);
    expect(await status(1)).toBe('open');
    expect(await sent('zhao.zq', 1, '进展 1 明天来修')).toEqual([
      [B7_KEY, '#1 进展：明天来修（赵志强），照片已有 9 张，这次的没有再加', ['zz.g']],
    ]);
    expect(await status(1)).toBe('acknowledged');
    expect(await attached(1)).toEqual({ rows: 8, count: 8 });
  });

  it('attaches nothing to a request that is done, or for someone who is not its handler', async () => {
    const no = await desk.report('zz.h', '#报修 2单元楼道灯不亮');
    // Another head: refused. (A resident's 进展 is read as 查询, which attaches nothing either.)
    expect(await sent('li.xl', 1, `进展 ${no} 我看了一下`)).toEqual([
      [
        B7_KEY,
        `#${no} 由赵志强处理。要接手，请赵志强发「转派 ${no} @李秀兰」，或找网格员刘婷；只看进度请发「查询 ${no}」\n${NOT_TAKEN}`,
        ['li.xl'],
      ],
    ]);
    expect((await sent('zz.stranger', 1, `进展 ${no} 我看了一下`))[0]?.[1]).toMatch(
      new RegExp(`^#${no} 报修｜待接单\n[^]*\n${PHOTOS_NOT_ATTACHED}$`, 'u'),
    );
    await desk.said('zz.h', `撤回 ${no}`);
    expect(await sent('zhao.zq', 1, `进展 ${no} 师傅下午来`)).toEqual([
      [B7_KEY, `#${no} 已撤回，不能再补充进展\n${NOT_TAKEN}`, ['zhao.zq']],
    ]);
    expect(await attached(no)).toEqual({ rows: 0, count: 0 });
    expect(await unattached()).toBe(3);
  });
});

describe('补充 after 办结', () => {
  const DAY = 24 * 60;

  it('lets the handler who finished the request add photos for a few days, with words or without', async () => {
    const no = await desk.report('zz.i', '#报修 2单元楼道灯不亮');
    await desk.said('zhao.zq', `办结 ${no}`);
    desk.advance(60);
    expect(await sent('zhao.zq', 1, `补充 ${no}`)).toEqual([[B7_KEY, `#${no} 赵志强补充了照片`, ['zz.i']]]);
    desk.advance(3 * DAY - 61);
    expect(await sent('zhao.zq', 2, `补充 ${no} 修好后的样子`)).toEqual([
      [B7_KEY, `#${no} 赵志强补充了 2 张照片：修好后的样子`, ['zz.i']],
    ]);
    expect(await status(no)).toBe('resolved');
    expect(await attached(no)).toEqual({ rows: 3, count: 3 });
    // Three days after the 办结, and a minute more.
    desk.advance(2);
    expect(await sent('zhao.zq', 1, `补充 ${no}`)).toEqual([
      [B7_KEY, `#${no} 已办结，不能再补充\n${NOT_TAKEN}`, ['zhao.zq']],
    ]);
    expect(await attached(no)).toEqual({ rows: 3, count: 3 });
  });

  it('is still refused to words alone, to another handler, to the reporter and once closed', async () => {
    const no = await desk.report('zz.j', '#报修 2单元楼道灯不亮');
    await desk.said('zhao.zq', `办结 ${no}`);
    expect(await desk.reply('zhao.zq', `补充 ${no} 灯泡是新的`)).toBe(`#${no} 已办结，不能再补充`);
    expect(await sent('liu.t', 1, `补充 ${no}`)).toEqual([
      [B7_KEY, `#${no} 已办结，不能再补充\n${NOT_TAKEN}`, ['liu.t']],
    ]);
    expect(await sent('zz.j', 1, `补充 ${no}`)).toEqual([
      [B7_KEY, `#${no} 已办结，不能再补充；没修好请回复「不满意 ${no} 原因」\n${NOT_TAKEN}`, ['zz.j']],
    ]);
    await desk.said('zz.j', `满意 ${no}`);
    expect(await sent('zhao.zq', 1, `补充 ${no}`)).toEqual([
      [B7_KEY, `#${no} 已完结，不能再补充；有新情况请重新报事，例如：#报修 2单元楼道灯不亮`, ['zhao.zq']],
    ]);
    expect(await attached(no)).toEqual({ rows: 0, count: 0 });
  });

  it('adds no caption without its photos, on a request that has its 9', async () => {
    await desk.sendPhotos('zz.l', [desk.hostPhoto(fakePng())], { text: '#报修 2单元楼道墙皮脱落' });
    await sent('zz.l', 8, '补充 1');
    await desk.said('zhao.zq', '办结 1');
    expect(await sent('zhao.zq', 1, '补充 1 补好后的墙面')).toEqual([
      [B7_KEY, '#1 的照片已有 9 张，这次的没有再加', ['zhao.zq']],
    ]);
    expect(await desk.events(1)).toEqual(['created:zz.l', 'routed:-', 'photo:zz.l', 'resolved:zhao.zq']);
  });

  it('goes to whoever resolved it last: a request reopened and resolved by another handler is theirs', async () => {
    const no = await desk.report('zz.k', '#报修 2单元楼道灯不亮');
    await desk.said('zhao.zq', `办结 ${no}`);
    await desk.said('zz.k', `不满意 ${no} 还是不亮`);
    await desk.said('liu.t', `办结 ${no} 换了开关`);
    expect(await sent('zhao.zq', 1, `补充 ${no}`)).toEqual([
      [B7_KEY, `#${no} 已办结，不能再补充\n${NOT_TAKEN}`, ['zhao.zq']],
    ]);
    expect(await sent('liu.t', 1, `补充 ${no}`)).toEqual([
      [B7_KEY, `#${no} 刘婷补充了照片`, ['zz.k', 'zhao.zq']],
    ]);
    expect(await attached(no)).toEqual({ rows: 1, count: 1 });
  });
});
