import { openTestDatabase, type TestDatabase } from '../../helpers/database';
import { DeskHarness } from '../../helpers/desk-harness';
import { testEnv } from '../../helpers/test-service';
import { AdminClient, squash } from './admin-client';
import { ADMIN_TOKEN } from './admin-fixtures';

/**
 * The street office's actions and the chat on one running service: what the page does is what the
 * chat's commands then see. A 转派 from the page is taken on with 接单 by the new handler, as one
 * typed in the group would be; an internal note never shows in a 查询 answer; everything sent
 * reaches the WeCom stand-in once.
 *
 * 江湾小区 7号楼: 楼长 王建国 (wang.jg); 1单元 李秀兰 (li.xl); 2单元 赵志强 (zhao.zq).
 */

let db: TestDatabase;
let desk: DeskHarness;
let office: AdminClient;

beforeAll(async () => {
  db = await openTestDatabase();
  desk = new DeskHarness(db.dataSource, testEnv({ MULIN_ADMIN_TOKEN: ADMIN_TOKEN }));
  await desk.start();
  office = new AdminClient(desk.url);
  expect((await office.signIn()).status).toBe(303);
});

afterAll(async () => {
  await desk.stop();
  await db.close();
});

/**
 * The text of the one reply a chat message got. The harness lists every row queued since the last
 * message, so the page's own notices (queued in between) are left out here and checked apart.
 */
async function reply(from: string, text: string): Promise<string> {
  const said = await desk.say(from, text);
  expect(said.status).toBe(200);
  const replies = said.sent.filter((r) => r.purpose !== 'urge' && r.purpose !== 'assignment');
  expect(replies).toHaveLength(1);
  return replies[0]?.body.content ?? '';
}

/** Sends one of the request page's forms, filled in as a person would. */
async function act(no: number, action: string, fields: Record<string, string>): Promise<Response> {
  const page = squash(await office.text(`/admin/requests/${no}`));
  const form = new RegExp(`action="/admin/requests/${no}/${action}">(.*?)</form>`).exec(page)?.[1] ?? '';
  const hidden: Record<string, string> = {};
  for (const m of form.matchAll(/type="hidden" name="(_\w+)" value="([^"]+)"/g))
    hidden[m[1] ?? ''] = m[2] ?? '';
  return office.post(`/admin/requests/${no}/${action}`, { ...hidden, ...fields });
}

it('hands a request over from the page to someone who then takes it on in the chat', async () => {
  const receipt = await reply('res.chen', '#报修 2单元楼道灯不亮');
  const no = Number(/#(\d+)/.exec(receipt)?.[1]);
  expect((await desk.request(no))?.assignee_id).toBe('zhao.zq');

  expect((await act(no, 'reassign', { to: 'li.xl' })).status).toBe(303);
  expect(await reply('zhao.zq', `接单 ${no}`)).toContain(`#${no} 由李秀兰处理`);
  expect(await reply('li.xl', `接单 ${no}`)).toBe(`#${no} 李秀兰 已接单，会尽快处理`);
  expect(await desk.events(no)).toEqual([
    'created:res.chen',
    'routed:-',
    'assigned:zhou.m',
    'acknowledged:li.xl',
  ]);

  // The group was told of the hand-over once, @-ing 李秀兰, before she took it on.
  await desk.deliverAll();
  const handedOver = desk.wecom
    .messages()
    .filter((m) => m.body.content.startsWith(`#${no} 已由街道转派给李秀兰`));
  expect(handedOver).toHaveLength(1);
  expect(handedOver[0]?.body).toMatchObject({ kind: 'text', mentions: ['li.xl'] });
});

it('keeps internal notes out of 查询, and names a 督办 there', async () => {
  const receipt = await reply('res.wu', '#报修 1单元门口垃圾没人清');
  const no = Number(/#(\d+)/.exec(receipt)?.[1]);
  expect((await act(no, 'note', { note: '物业经理电话13912345678，说周五清' })).status).toBe(303);
  const answer = await reply('res.wu', `查询 ${no}`);
  expect(answer).not.toContain('物业');
  expect(answer.split('\n').at(-1)).toMatch(/^最近：\S+ \S+ 登记$/);

  expect((await act(no, 'urge', { note: '请今天清掉' })).status).toBe(303);
  expect((await reply('res.wu', `查询 ${no}`)).split('\n').at(-1)).toMatch(
    /^最近：\S+ \S+ 街道督办 请今天清掉$/,
  );
  await desk.deliverAll();
  const urged = desk.wecom.messages().filter((m) => m.body.content.startsWith(`街道督办 #${no}`));
  expect(urged).toHaveLength(1);
  expect(urged[0]?.body.content).not.toContain('物业');
});
