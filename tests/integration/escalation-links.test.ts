import type { TestDatabase } from '../helpers/database';
import { closeDesk, openDesk, type DeskHarness } from '../helpers/desk-harness';
import { testEnv } from '../helpers/test-service';

/**
 * 上报 typed in a building group, with the pages' address set (MULIN_PUBLIC_URL): the leadership
 * group's card links the request to its page; nothing said in the building group ever does.
 *
 * 7号楼 (江湾小区): 2单元 赵志强 (zhao.zq); 网格员 刘婷 (liu.t). 张敏 (zhang.min) is a resident.
 */

const ORIGIN = 'https://mulin.example.gov.cn';
const KEY_B7 = '0000fake-0000-4000-8000-0000000jw007';
const KEY_LEADERSHIP = '0000fake-0000-4000-8000-00000000lead';

let db: TestDatabase;
let desk: DeskHarness;

beforeAll(async () => {
  ({ db, desk } = await openDesk({ env: testEnv({ MULIN_PUBLIC_URL: `${ORIGIN}/` }) }));
});

afterAll(() => closeDesk(desk, db));

it('links the leadership card of a grid worker’s 上报 to the request’s page, and nothing in the group', async () => {
  const posted = await desk.say('zhang.min', '#报修 2单元三楼楼道灯不亮');
  const viewed = await desk.say('zhang.min', '查询 1');
  const escalated = await desk.say('liu.t', '上报 1 需要街道出面协调');
  expect(escalated.sent.map((s) => [s.destination, s.body.content])).toEqual([
    [
      { type: 'group_webhook', webhookKey: KEY_B7 },
      '#1 已上报街道：需要街道出面协调\n报修 7号楼2单元 2单元三楼楼道灯不亮',
    ],
    [
      { type: 'group_webhook', webhookKey: KEY_LEADERSHIP },
      `**上报街道** [#1](${ORIGIN}/admin/requests/1) 报修 江湾小区7号楼2单元 2单元三楼楼道灯不亮\n> 原因：需要街道出面协调\n> 上报人：刘婷`,
    ],
  ]);
  const inGroup = [...posted.sent, ...viewed.sent, ...escalated.sent].filter(
    (s) => s.destination.webhookKey !== KEY_LEADERSHIP,
  );
  expect(inGroup.length).toBeGreaterThanOrEqual(3);
  for (const s of inGroup) expect(s.body.content).not.toMatch(/https?:|admin/);
});
