import { openTestDatabase, type TestDatabase } from '../../helpers/database';
import { DeskHarness, registeredNo } from '../../helpers/desk-harness';
import { testEnv } from '../../helpers/test-service';
import { AdminClient, squash } from './admin-client';
import { ADMIN_TOKEN } from './admin-fixtures';

/**
 * 督办 and 转派 from the street office's page, on the running service with private notices on:
 * the private line to a street admin links the request's page when the pages have an address
 * (MULIN_PUBLIC_URL), as the reminders' and escalations' lines do; nothing sent to a building
 * group, and nothing sent to a head, ever does. Two services share one database, one with the
 * address and one without.
 *
 * 江湾小区 7号楼 (its group has a push key): 2单元 赵志强 (zhao.zq). 纪念路新村 4号楼's group has no
 * push key: its notices go privately. Street admins 周敏 (zhou.m) and 陈丽娟 (chen.lj).
 */

const ORIGIN = 'https://mulin.example.gov.cn';
const B7_KEY = '0000fake-0000-4000-8000-0000000jw007';
const JNL4 = { chatid: 'wrkB7FAKEjinianlu04' };
const APP_API = { WECOM_CORP_SECRET: 'app-secret-not-real', WECOM_AGENT_ID: '1000005' };

interface Office {
  readonly desk: DeskHarness;
  readonly client: AdminClient;
}

let db: TestDatabase;
let linked: Office;
let plain: Office;

async function startOffice(publicUrl: string | undefined): Promise<Office> {
  const env = testEnv({ MULIN_ADMIN_TOKEN: ADMIN_TOKEN, MULIN_PUBLIC_URL: publicUrl, ...APP_API });
  const desk = new DeskHarness(db.dataSource, env);
  await desk.start();
  const client = new AdminClient(desk.url);
  expect((await client.signIn()).status).toBe(303);
  return { desk, client };
}

beforeAll(async () => {
  db = await openTestDatabase();
  linked = await startOffice(`${ORIGIN}/`);
  plain = await startOffice(undefined);
});

afterAll(async () => {
  await linked.desk.stop();
  await plain.desk.stop();
  await db.close();
});

/**
 * Posts `text` and returns the number its receipt gave it. The harness lists every row queued
 * since its own last message: the pages' notices and the other service's rows among them, before
 * this message's receipt, which is the last.
 */
async function report(desk: DeskHarness, text: string, opts: { chatid?: string } = {}): Promise<number> {
  // Each service's own resident: the same words from the same one would be a repeat, filed once.
  const said = await desk.say(desk === linked.desk ? 'res.linked' : 'res.plain', text, opts);
  const receipt = said.sent.findLast((r) => r.body.content.includes('已登记 #'));
  return registeredNo(receipt?.body.content ?? 'nothing sent');
}

/** Sends one of the request page's forms, filled in as a person would. */
async function act(office: Office, no: number, action: string, fields: Record<string, string>) {
  const page = squash(await office.client.text(`/admin/requests/${no}`));
  const form = new RegExp(`action="/admin/requests/${no}/${action}">(.*?)</form>`).exec(page)?.[1] ?? '';
  const hidden: Record<string, string> = {};
  for (const m of form.matchAll(/type="hidden" name="(_\w+)" value="([^"]+)"/g))
    hidden[m[1] ?? ''] = m[2] ?? '';
  expect((await office.client.post(`/admin/requests/${no}/${action}`, { ...hidden, ...fields })).status).toBe(
    303,
  );
}

/** What the page's action queued about request `no`: where to (a push key or the userids), and the text. */
async function notices(no: number, purpose: string): Promise<[string, string][]> {
  const rows = await db.dataSource.query<
    { destination: { type: string; webhookKey?: string; userIds?: string[] }; body: { content: string } }[]
  >(
    `SELECT o.destination, o.body FROM outbox o JOIN request r ON r.id = o.request_id
      WHERE r.no = $1 AND o.purpose = $2 ORDER BY o.id`,
    [no, purpose],
  );
  return rows.map((r) => [
    r.destination.webhookKey ?? (r.destination.userIds ?? []).join(','),
    r.body.content,
  ]);
}

const page = (no: number) => `<a href="${ORIGIN}/admin/requests/${no}">#${no}</a>`;

describe.each([
  ['set', () => linked, (no: number) => page(no)],
  ['unset', () => plain, (no: number) => `#${no}`],
])('with MULIN_PUBLIC_URL %s', (_, office, ref) => {
  it('督办: a street admin handling it is told privately, #N linked only where there is an address', async () => {
    const { desk } = office();
    const no = await report(desk, '#报修 2单元楼道灯不亮');
    await desk.said('zhou.m', `接单 ${no}`, { single: true });
    await act(office(), no, 'urge', { note: '请今天处理' });
    expect(await notices(no, 'urge')).toEqual([
      [
        B7_KEY,
        `街道督办 #${no}，请尽快办结：办结 ${no} 处理情况\n说明：请今天处理\n报修 7号楼2单元 2单元楼道灯不亮`,
      ],
      [
        'zhou.m',
        `街道督办 ${ref(no)} 报修 江湾小区7号楼2单元 2单元楼道灯不亮\n说明：请今天处理\n请尽快办结：办结 ${no} 处理情况`,
      ],
    ]);
  });

  it('督办: a head is told without a link', async () => {
    const { desk } = office();
    const no = await report(desk, '#报修 2单元信箱坏了');
    await act(office(), no, 'urge', { note: '' });
    const sent = await notices(no, 'urge');
    expect(sent.map(([to]) => to)).toEqual([B7_KEY, 'zhao.zq']);
    for (const [, text] of sent) expect(text).not.toMatch(/https?:|admin|<a /);
  });

  it('转派 to a street admin: only the private line may link', async () => {
    const { desk } = office();
    const no = await report(desk, '#报修 2单元扶手松了');
    await act(office(), no, 'reassign', { to: 'chen.lj' });
    expect(await notices(no, 'assignment')).toEqual([
      [B7_KEY, `#${no} 已由街道转派给陈丽娟，请接单：接单 ${no}\n报修 7号楼2单元 2单元扶手松了`],
      ['chen.lj', `街道把 ${ref(no)} 报修 江湾小区7号楼2单元 2单元扶手松了 转派给您，请接单：接单 ${no}`],
    ]);
  });

  it('转派 to a head: no link', async () => {
    const { desk } = office();
    const no = await report(desk, '#报修 2单元门锁坏了');
    await act(office(), no, 'reassign', { to: 'li.xl' });
    const sent = await notices(no, 'assignment');
    expect(sent.map(([to]) => to)).toEqual([B7_KEY, 'li.xl']);
    for (const [, text] of sent) expect(text).not.toMatch(/https?:|admin|<a /);
  });

  it('转派 to a street admin where the group has no push key: the private notice may link', async () => {
    const { desk } = office();
    const no = await report(desk, '#报修 1单元楼道堆满杂物', JNL4);
    await act(office(), no, 'reassign', { to: 'zhou.m' });
    expect(await notices(no, 'assignment')).toEqual([
      ['zhou.m', `${ref(no)} 已由街道转派给周敏，请接单：接单 ${no}\n报修 4号楼1单元 1单元楼道堆满杂物`],
    ]);
  });
});
