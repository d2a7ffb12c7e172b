import { randomBytes } from 'node:crypto';
import { PhotoKeeper, type PhotoKeeperOptions } from '../../../src/photos';
import { silentLogger } from '../../../src/shared/logger';
import { truncate, type TestDatabase } from '../../helpers/database';
import { closeDesk, openDesk, type DeskHarness } from '../../helpers/desk-harness';
import { encryptMedia, encryptRaw, fakeJpeg, fakePng } from '../../helpers/media';
import { testEnv } from '../../helpers/test-service';
import { BOT_SECRETS } from '../../helpers/wecom-payloads';

/**
 * Photos sent with a request, end to end: an encrypted mixed message through the real /wecom/bot
 * endpoint, the keeper downloading from the simulator over HTTP and decrypting with the robot's
 * key, and the street office's pages serving the kept bytes.
 */

const ADMIN_TOKEN = 'street-office-token-0123456789';
const KEY = BOT_SECRETS.aesKey;

let db: TestDatabase;
let desk: DeskHarness;

beforeAll(async () => {
  ({ db, desk } = await openDesk({ env: testEnv({ MULIN_ADMIN_TOKEN: ADMIN_TOKEN }) }));
});

afterAll(() => closeDesk(desk, db));

beforeEach(async () => {
  await truncate(db.dataSource, 'inbound_photo', 'inbound_message', 'request_event', 'request', 'outbox');
});

function keeper(options: Partial<PhotoKeeperOptions> = {}): PhotoKeeper {
  return new PhotoKeeper(db.dataSource, desk.clock, silentLogger, { encodingAesKey: KEY, ...options });
}

interface PhotoRow {
  id: string;
  status: string;
  attempts: number;
  error: string | null;
  content_type: string | null;
  next_attempt_at: Date;
}

async function photoRows(): Promise<PhotoRow[]> {
  return db.dataSource.query<PhotoRow[]>(
    `SELECT id, status, attempts, error, content_type, next_attempt_at FROM inbound_photo ORDER BY id`,
  );
}

const admin = (path: string) =>
  fetch(`${desk.url}${path}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });

const seconds = (n: number) => desk.advance(n / 60);

it('keeps a photo sent with a request and shows it on the request page', async () => {
  const photo = fakeJpeg(5000);
  const link = desk.hostPhoto(photo);
  const said = await desk.sendPhotos('zhang.min', [link], { text: '#报修 2单元三楼楼道窗户玻璃碎了' });
  expect(said.status).toBe(200);
  expect((await photoRows()).map((r) => r.status)).toEqual(['pending']);

  expect(await keeper().runOnce()).toBe(1);
  const [row] = await photoRows();
  expect(row).toMatchObject({ status: 'kept', attempts: 1, content_type: 'image/jpeg', error: null });

  const served = await admin(`/admin/photos/${row?.id}`);
  expect(served.status).toBe(200);
  expect(served.headers.get('content-type')).toBe('image/jpeg');
  expect(served.headers.get('cache-control')).toBe('no-store');
  expect(served.headers.get('x-content-type-options')).toBe('nosniff');
  expect(Buffer.from(await served.arrayBuffer()).equals(photo)).toBe(true);

  const [request] = await db.dataSource.query<{ no: number }[]>(`SELECT no FROM request`);
  const page = await (await admin(`/admin/requests/${request?.no}`)).text();
  expect(page).toContain(`<img src="/admin/photos/${row?.id}"`);
  expect(page).not.toContain(link);
  const csp = (await admin(`/admin/requests/${request?.no}`)).headers.get('content-security-policy');
  expect(csp).toMatch(/img-src 'self'/);

  const api = (await (await admin(`/api/requests/${request?.no}`)).json()) as Record<string, unknown>;
  expect(api.photos).toEqual([{ status: 'kept', url: `/admin/photos/${row?.id}` }]);
  expect(api.image_urls).toEqual([link]);
});

it('adds no second photo row for a repeated delivery', async () => {
  const link = desk.hostPhoto(fakePng());
  const message = desk.photosMessage('zhang.min', [link, link], {
    text: '#报修 楼下路灯坏了',
    msgid: 'repeat-1',
  });
  expect((await desk.send(message)).status).toBe(200);
  expect((await desk.send(message)).status).toBe(200);
  expect(await photoRows()).toHaveLength(2);
  const [count] = await db.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM request`);
  expect(count?.n).toBe(1);
});

it('shows a photo not kept yet as being saved', async () => {
  await desk.sendPhotos('zhang.min', [desk.hostPhoto()], { text: '#报修 电梯按钮失灵' });
  const [request] = await db.dataSource.query<{ no: number }[]>(`SELECT no FROM request`);
  const page = await (await admin(`/admin/requests/${request?.no}`)).text();
  expect(page).toContain('照片保存中');
  expect(page).not.toContain('/admin/photos/');
});

it('retries a dead link with backoff, then gives up once its 5 minutes have passed', async () => {
  const link = desk.hostPhoto();
  desk.wecom.expireMedia(link);
  await desk.sendPhotos('zhang.min', [link], { text: '#报修 楼道堆满杂物' });
  const received = desk.clock.now().getTime();
  const k = keeper();

  await k.runOnce();
  let [row] = await photoRows();
  expect(row).toMatchObject({ status: 'pending', attempts: 1, error: 'download answered HTTP 404' });
  expect(row?.next_attempt_at.getTime()).toBe(received + 5000);
  expect(await k.runOnce()).toBe(0); // not due yet

  seconds(5);
  await k.runOnce();
  [row] = await photoRows();
  expect(row).toMatchObject({ status: 'pending', attempts: 2 });
  expect(row?.next_attempt_at.getTime()).toBe(received + 5000 + 15_000);

  desk.clock.set(new Date(received + 5 * 60_000 + 1000));
  await k.runOnce();
  [row] = await photoRows();
  expect(row?.status).toBe('failed');
  expect(row?.error).toMatch(/expired/);
  expect(desk.wecom.mediaDownloads(link)).toBe(2);
  expect(await k.runOnce()).toBe(0);
  // What /healthz shows of this keeper: its rounds went well, but it kept no photo.
  expect(k.health()).toMatchObject({
    failing: false,
    lastAttempt: { outcome: 'ok', photos: 0 },
    sinceStart: { kept: 0, retried: 2, failed: 1 },
  });

  const [request] = await db.dataSource.query<{ no: number }[]>(`SELECT no FROM request`);
  expect(await (await admin(`/admin/requests/${request?.no}`)).text()).toContain(
    '照片未能保存（链接已过期）',
  );
  expect((await admin(`/admin/photos/${row?.id}`)).status).toBe(404);
});

it.each([
  [
    'something that is not an image',
    encryptMedia(KEY, Buffer.from('<html><body>链接已失效</body></html>')),
    /not an image/,
  ],
  [
    'bytes that do not decrypt (bad padding)',
    encryptRaw(KEY, Buffer.concat([fakeJpeg(4092), Buffer.from([4, 3, 4, 4])])),
    /inconsistent padding/,
  ],
  ['bytes that are not whole blocks', randomBytes(1000), /cannot decrypt/],
])('fails %s at once, without retrying', async (_name, body, error) => {
  const link = desk.wecom.hostMedia(body);
  await desk.sendPhotos('zhang.min', [link], { text: '#求助 帮忙看看这个' });
  const k = keeper();
  await k.runOnce();
  const [row] = await photoRows();
  expect(row).toMatchObject({ status: 'failed', attempts: 1 });
  expect(row?.error).toMatch(error);
  seconds(60);
  expect(await k.runOnce()).toBe(0);
  expect(desk.wecom.mediaDownloads(link)).toBe(1);
  const [request] = await db.dataSource.query<{ no: number }[]>(`SELECT no FROM request`);
  const page = await (await admin(`/admin/requests/${request?.no}`)).text();
  expect(page).toContain('照片未能保存');
  expect(page).not.toContain('链接已过期');
});

it('fails a link that is not http(s) without fetching it', async () => {
  await desk.sendPhotos('zhang.min', ['javascript:alert(1)'], { text: '#报修 奇怪的链接' });
  await keeper().runOnce();
  expect((await photoRows())[0]).toMatchObject({ status: 'failed', error: 'not an http(s) link' });
});

it('keeps a photo of exactly 10 MB, whose encrypted file is a little larger', async () => {
  const link = desk.hostPhoto(fakeJpeg(10 * 1024 * 1024));
  await desk.sendPhotos('zhang.min', [link], { text: '#报修 刚好10MB的照片' });
  await keeper().runOnce();
  expect((await photoRows())[0]).toMatchObject({ status: 'kept' });
});

it('refuses a file over the 10 MB cap', async () => {
  const link = desk.hostPhoto(fakeJpeg(10 * 1024 * 1024 + 1));
  await desk.sendPhotos('zhang.min', [link], { text: '#报修 大照片' });
  await keeper().runOnce();
  const [row] = await photoRows();
  expect(row).toMatchObject({ status: 'failed', attempts: 1, error: 'file larger than 10 MB' });
});

it('has two keepers on one database fetch each photo once', async () => {
  const links = Array.from({ length: 8 }, () => desk.hostPhoto());
  await desk.sendPhotos('zhang.min', links.slice(0, 4), { text: '#报修 一楼大门坏了' });
  await desk.sendPhotos('zhang.min', links.slice(4), { text: '#报修 三楼窗户漏风' });
  const a = keeper({ batchSize: 2 });
  const b = keeper({ batchSize: 2 });
  for (let round = 0; round < 10; round++) {
    const [x, y] = await Promise.all([a.runOnce(), b.runOnce()]);
    if (x + y === 0) break;
  }
  expect((await photoRows()).map((r) => r.status)).toEqual(Array(8).fill('kept'));
  expect(links.map((l) => desk.wecom.mediaDownloads(l))).toEqual(Array(8).fill(1));
});

it('keeps photos in the background once started, and stops', async () => {
  const k = keeper({ pollIntervalMs: 20 });
  k.start();
  try {
    await desk.sendPhotos('zhang.min', [desk.hostPhoto(fakePng())], { text: '#报修 信箱锁坏了' });
    for (let i = 0; i < 100 && (await photoRows())[0]?.status !== 'kept'; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await photoRows())[0]?.status).toBe('kept');
  } finally {
    await k.stop();
  }
});
