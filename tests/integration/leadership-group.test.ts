import type { TestDatabase } from '../helpers/database';
import { closeDesk, openDesk, registeredNo, type DeskHarness } from '../helpers/desk-harness';

/**
 * What the desk answers in the leadership group (领导小组), which is known to the ledger but is no
 * building's: nothing is filed there. A danger described without a tag still gets the safety line
 * residents get, first; a photo gets a short answer about photos, not a lesson in posting.
 *
 * Leaders 宋涛 (song.t, not a street admin) and 周敏 (zhou.m, a street admin too).
 */

const LEAD = { chatid: 'wrkLeadFAKEjiangwan' };

let db: TestDatabase;
let desk: DeskHarness;

beforeAll(async () => {
  ({ db, desk } = await openDesk());
});

afterAll(() => closeDesk(desk, db));

async function requestCount(): Promise<number> {
  const [row] = await db.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM request`);
  return row?.n ?? -1;
}

describe('a danger described without a tag', () => {
  it('gets the safety line first, and files nothing', async () => {
    expect(await desk.said('song.t', '江湾小区5号楼有燃气味，好像漏气了', LEAD)).toEqual([
      [
        'response_url',
        [
          '⚠️ 紧急：请立即开窗通风，不要开关电器、不要点火。燃气公司抢修 96777',
          '请到您所在楼栋的群里@我报事，方便楼长及时看到，例如：#求助 江湾小区5号楼有燃气味，好像漏气了',
        ].join('\n'),
        [],
      ],
    ]);
    expect((await desk.reply('zhou.m', '7号楼3单元楼道冒烟了', LEAD)).split('\n')[0]).toBe(
      '⚠️ 紧急：请先撤离到安全地带。火警 119',
    );
    expect(await requestCount()).toBe(0);
  });

  it('leaves other chatter and commands as they were', async () => {
    expect(await desk.reply('song.t', '好的，收到', LEAD)).not.toContain('紧急');
    // A command naming a danger is still the command.
    expect(await desk.reply('zhou.m', '查询 99 燃气', LEAD)).not.toContain('紧急');
  });
});

describe('a photo', () => {
  it('gets a short answer about photos, not how to post a request', async () => {
    const sent = await desk.sendPhotos('song.t', [desk.hostPhoto()], LEAD);
    expect(sent.sent.map((r) => r.body.content)).toEqual([
      '照片没有附上，要附到某件事上请发「补充 编号」并带上照片',
    ]);
  });

  it('is not taken for a post the leader just made in a building group', async () => {
    const receipt = await desk.said('zhou.m', '#报修 2单元楼道灯不亮');
    expect(receipt[0]?.[1]).toContain('已登记');
    const sent = await desk.sendPhotos('zhou.m', [desk.hostPhoto()], LEAD);
    expect(sent.sent.map((r) => r.body.content)).toEqual([
      '照片没有附上，要附到某件事上请发「补充 编号」并带上照片',
    ]);
    const [row] = await db.dataSource.query<{ later_photos: number }[]>(
      `SELECT later_photos FROM request WHERE no = $1`,
      [registeredNo(receipt[0]?.[1] ?? '')],
    );
    expect(row?.later_photos).toBe(0);
  });
});
