import type { TestDatabase } from '../helpers/database';
import { closeDesk, openDesk, registeredNo, type DeskHarness } from '../helpers/desk-harness';

/**
 * WeCom treats userids without regard to letter case, so a callback may spell a member's userid
 * otherwise than the ledger does. The desk must know them as the ledger's person all the same.
 *
 * 7号楼: 2单元 赵志强 (zhao.zq) heads the unit; 张敏 (zhang.min) is a resident, not in the ledger.
 */

const KEY_B7 = '0000fake-0000-4000-8000-0000000jw007';

let db: TestDatabase;
let desk: DeskHarness;

beforeAll(async () => {
  ({ db, desk } = await openDesk());
});

afterAll(() => closeDesk(desk, db));

describe('userids spelled in another letter case', () => {
  it('lets a head whose userid WeCom spells in capitals take on and resolve their request', async () => {
    const no = registeredNo(await desk.reply('zhang.min', '#报修 2单元二楼楼道灯不亮'));
    expect(await desk.said('Zhao.ZQ', `接单 ${no}`)).toEqual([
      [KEY_B7, `#${no} 赵志强 已接单，会尽快处理`, ['zhang.min']],
    ]);
    await desk.said('ZHAO.ZQ', `办结 ${no} 换了灯泡`);
    expect(await desk.request(no)).toMatchObject({ status: 'resolved', assignee_id: 'zhao.zq' });
    expect(await desk.events(no)).toEqual([
      'created:zhang.min',
      'routed:-',
      'acknowledged:zhao.zq',
      'resolved:zhao.zq',
    ]);
  });

  it('files a head’s own post under the ledger’s spelling of their userid', async () => {
    const no = registeredNo(await desk.reply('Zhao.Zq', '#报修 2单元三楼窗户玻璃裂了'));
    expect((await desk.request(no))?.reporter_id).toBe('zhao.zq');
    // Their own 撤回, in the ledger's spelling, is theirs.
    expect(await desk.reply('zhao.zq', `撤回 ${no}`)).toContain(`#${no}`);
    expect((await desk.request(no))?.status).toBe('withdrawn');
  });

  it('finds a person named by userid in another case in 转派', async () => {
    const no = registeredNo(await desk.reply('zhang.min', '#报修 2单元一楼信箱坏了'));
    expect(await desk.said('zhao.zq', `转派 ${no} @LI.XL`)).toEqual([
      [KEY_B7, `#${no} 已转派给李秀兰，请接单：接单 ${no}`, ['li.xl']],
    ]);
  });

  it('keeps a resident outside the ledger as WeCom spells them', async () => {
    const no = registeredNo(await desk.reply('Chen.AY', '#报修 3单元门口地砖松了'));
    expect((await desk.request(no))?.reporter_id).toBe('Chen.AY');
  });
});
