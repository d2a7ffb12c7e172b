import { attachPhotosToRequest, MAX_PHOTOS_PER_REQUEST } from '../../../src/requests/later-photos-store';
import type { TestDatabase } from '../../helpers/database';
import { closeDesk, openDesk, type DeskHarness } from '../../helpers/desk-harness';

/**
 * The statement that attaches a stored message's photos to a request (later-photos-store.ts), on
 * messages stored through the real /wecom/bot endpoint: the request's photo count, which the
 * 9-photo cap is checked against, follows the photo rows it actually attached.
 */

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

/**
 * Stores a message of `count` photos that attaches to nothing (chatter in 7号楼's group from a
 * neighbour with no post of their own) and returns its inbound id.
 */
async function storedPhotos(count: number, msgid: string): Promise<string> {
  const urls = Array.from({ length: count }, () => desk.hostPhoto());
  const said = await desk.sendPhotos('zz.neighbour', urls, { text: '扶手这里', msgid });
  expect(said.status).toBe(200);
  const [row] = await db.dataSource.query<{ id: string }[]>(
    `SELECT id FROM inbound_message WHERE msg_id = $1`,
    [msgid],
  );
  if (!row) throw new Error(`message ${msgid} not stored`);
  return row.id;
}

/** Request `no`'s photo count and the photo rows attached to it. */
async function photosOf(no: number): Promise<{ count: number; rows: number }> {
  const [row] = await db.dataSource.query<{ count: number; rows: number }[]>(
    `SELECT r.later_photos AS count,
            (SELECT count(*)::int FROM inbound_photo p WHERE p.request_id = r.id) AS rows
     FROM request r WHERE r.no = $1`,
    [no],
  );
  if (!row) throw new Error(`no request #${no}`);
  return row;
}

async function requestId(no: number): Promise<string> {
  const [row] = await db.dataSource.query<{ id: string }[]>(`SELECT id FROM request WHERE no = $1`, [no]);
  if (!row) throw new Error(`no request #${no}`);
  return row.id;
}

const now = () => desk.clock.now();

describe('attachPhotosToRequest', () => {
  it('counts the photos it attaches', async () => {
    const no = await desk.report('zz.store', '#报修 2单元楼梯扶手松了');
    const id = await requestId(no);
    const inbound = await storedPhotos(2, 'store-two');
    const result = await db.dataSource.transaction((tx) => attachPhotosToRequest(tx, id, inbound, now()));
    expect(result).toEqual({ attached: 2, full: false });
    expect(await photosOf(no)).toEqual({ count: 2, rows: 2 });
  });

  it('counts nothing when every photo of the message is attached already', async () => {
    const no = await desk.report('zz.store', '#报修 2单元楼梯扶手松了');
    const id = await requestId(no);
    const inbound = await storedPhotos(2, 'store-again');
    await db.dataSource.transaction((tx) => attachPhotosToRequest(tx, id, inbound, now()));
    const again = await db.dataSource.transaction((tx) => attachPhotosToRequest(tx, id, inbound, now()));
    expect(again).toEqual({ attached: 0, full: false });
    expect(await photosOf(no)).toEqual({ count: 2, rows: 2 });
  });

  it('attaches nothing past the cap, and says the request is full', async () => {
    const no = await desk.report('zz.store', '#报修 2单元楼梯扶手松了');
    const id = await requestId(no);
    const first = await storedPhotos(MAX_PHOTOS_PER_REQUEST - 1, 'store-eight');
    await db.dataSource.transaction((tx) => attachPhotosToRequest(tx, id, first, now()));
    const second = await storedPhotos(2, 'store-past-cap');
    const result = await db.dataSource.transaction((tx) => attachPhotosToRequest(tx, id, second, now()));
    expect(result).toEqual({ attached: 0, full: true });
    expect(await photosOf(no)).toEqual({
      count: MAX_PHOTOS_PER_REQUEST - 1,
      rows: MAX_PHOTOS_PER_REQUEST - 1,
    });
  });
});
