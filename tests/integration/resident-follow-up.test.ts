import type { TestDatabase } from '../helpers/database';
import { closeDesk, DeskHarness, openDesk } from '../helpers/desk-harness';
import { testEnv } from '../helpers/test-service';
import { randomMsgId } from '../helpers/wecom-payloads';

/**
 * What residents do after reporting, through the real /wecom/bot endpoint: 补充 adds a detail to
 * their request, 催办 chases its handler. Each case uses residents of its own.
 *
 * 江湾小区 7号楼: 楼长 王建国 (wang.jg); 2单元 赵志强 (zhao.zq), who gets 2单元's requests. 网格员
 * 刘婷 (liu.t). 5号楼's head is 钱桂芳 (qian.gf). Any other userid is a resident not in the ledger.
 */

const KEY_B7 = '0000fake-0000-4000-8000-0000000jw007';
const CHAT_B5 = 'wrkB7FAKEjiangwan05';
/** The street office's pages are on too, to read a request's timeline. */
const ADMIN_TOKEN = 'resident-follow-up-admin-token';

let db: TestDatabase;
let desk: DeskHarness;

beforeAll(async () => {
  ({ db, desk } = await openDesk({ env: testEnv({ MULIN_ADMIN_TOKEN: ADMIN_TOKEN }) }));
});

afterAll(() => closeDesk(desk, db));

async function eventsOf(no: number, type: string): Promise<{ actor_id: string; note: string | null }[]> {
  return db.dataSource.query(
    `SELECT e.actor_id, e.note FROM request_event e JOIN request r ON r.id = e.request_id
      WHERE r.no = $1 AND e.type = $2 ORDER BY e.id`,
    [no, type],
  );
}

describe('补充: the reporter adds a detail', () => {
  it('keeps it with the request and tells the handler in the group, phone numbers masked', async () => {
    const no = await desk.report('bu.ay', '#报修 2单元二楼楼道灯不亮');
    expect(await desk.said('bu.ay', `补充 ${no} 是三楼不是二楼，有事打13912345678`)).toEqual([
      [KEY_B7, `#${no} 报事人补充：是三楼不是二楼，有事打139****5678`, ['zhao.zq']],
    ]);
    expect(await eventsOf(no, 'supplement')).toEqual([
      { actor_id: 'bu.ay', note: '是三楼不是二楼，有事打13912345678' },
    ]);
    // 查询 shows it as the latest step; the request itself is unchanged.
    const shown = (await desk.reply('bu.ay', `查询 ${no}`)).split('\n');
    expect(shown[shown.length - 1]).toMatch(
      /^最近：\d\d-\d\d \d\d:\d\d 补充 是三楼不是二楼，有事打139\*\*\*\*5678$/u,
    );
    expect(await desk.request(no)).toMatchObject({ status: 'open', text: '2单元二楼楼道灯不亮' });
  });

  it('lets the handler add one too, for the reporter', async () => {
    const no = await desk.report('bu.bo', '#报修 2单元信箱锁坏了');
    expect(await desk.said('zhao.zq', `补充 ${no} 锁芯要订货，周五到`)).toEqual([
      [KEY_B7, `#${no} 赵志强补充：锁芯要订货，周五到`, ['bu.bo']],
    ]);
    // Adding a detail is not taking it on.
    expect((await desk.request(no))?.status).toBe('open');
  });

  it('refuses anyone else, naming who may, and changes nothing', async () => {
    const no = await desk.report('bu.cy', '#报修 2单元楼梯扶手松了');
    expect(await desk.reply('bu.lin', `补充 ${no} 我家门口也松了`)).toBe(
      `#${no} 只有报事人或处理人赵志强可以补充`,
    );
    expect(await desk.reply('wang.jg', `补充 ${no} 我去看过了`)).toBe(
      `#${no} 只有报事人或处理人赵志强可以补充`,
    );
    expect(await eventsOf(no, 'supplement')).toEqual([]);
  });

  it('asks for the words when there are none', async () => {
    const no = await desk.report('bu.dd', '#报修 2单元门禁坏了');
    expect(await desk.reply('bu.dd', `补充 ${no}`)).toBe(
      `请写上要补充的内容，例如：补充 ${no} 是三楼不是二楼`,
    );
    expect(await eventsOf(no, 'supplement')).toEqual([]);
  });

  it('refuses a withdrawn or closed request, suggesting a new report; a resolved one, 不满意', async () => {
    const withdrawn = await desk.report('bu.ee', '#报修 2单元车棚灯不亮');
    await desk.said('bu.ee', `撤回 ${withdrawn}`);
    expect(await desk.reply('bu.ee', `补充 ${withdrawn} 车棚门也坏了`)).toBe(
      `#${withdrawn} 已撤回，不能再补充；有新情况请重新报事，例如：#报修 车棚门也坏了`,
    );
    const resolved = await desk.report('bu.ee', '#报修 2单元楼道窗户关不上');
    await desk.said('zhao.zq', `办结 ${resolved} 修好了`);
    expect(await desk.reply('bu.ee', `补充 ${resolved} 还是关不上`)).toBe(
      `#${resolved} 已办结，不能再补充；没修好请回复「不满意 ${resolved} 原因」`,
    );
    await desk.said('bu.ee', `满意 ${resolved}`);
    expect(await desk.reply('bu.ee', `补充 ${resolved} 谢谢`)).toMatch(
      new RegExp(`^#${resolved} 已完结，不能再补充；有新情况请重新报事`, 'u'),
    );
    expect(await eventsOf(withdrawn, 'supplement')).toEqual([]);
    expect(await eventsOf(resolved, 'supplement')).toEqual([]);
  });

  it('takes a number left out from the quoted message, else from the sender’s only open request', async () => {
    const first = await desk.report('bu.ff', '#报修 2单元水表箱门掉了');
    expect(await desk.reply('bu.ff', '补充 门在一楼')).toBe(`#${first} 报事人补充：门在一楼`);
    const second = await desk.report('bu.ff', '#报修 2单元楼道堆了杂物');
    expect((await desk.reply('bu.ff', '补充 是纸箱')).split('\n')[0]).toBe(
      `您有 2 件事还在办，请带上编号，例如：补充 ${second} 是三楼不是二楼`,
    );
    expect(
      await desk.reply('bu.ff', '补充 是纸箱', { quote: `已登记 #${second}【报修】2单元楼道堆了杂物` }),
    ).toBe(`#${second} 报事人补充：是纸箱`);
    expect(await eventsOf(first, 'supplement')).toHaveLength(1);
    expect(await eventsOf(second, 'supplement')).toHaveLength(1);
  });

  it('takes a handler’s only request in hand when they leave the number out', async () => {
    // 6号楼1单元: 冯玉兰 (feng.yl) handles it and has reported nothing.
    const b6 = { chatid: 'wrkB7FAKEjiangwan06' };
    const no = await desk.report('bu.gg', '#报修 1单元门禁坏了', b6);
    expect(await desk.reply('feng.yl', '补充 门禁要换主板', b6)).toBe(`#${no} 冯玉兰补充：门禁要换主板`);
  });
});

it('shows 补充 and 催办 in the timeline of the request’s page, phone numbers masked', async () => {
  const no = await desk.report('page.ay', '#报修 2单元楼道声控灯不灵');
  await desk.said('page.ay', `补充 ${no} 要跺脚才亮，电话13912345678`);
  desk.advance(61);
  await desk.said('page.ay', `催办 ${no}`);
  const res = await fetch(`${desk.url}/admin/requests/${no}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect(res.status).toBe(200);
  const page = await res.text();
  const steps = [...page.matchAll(/<strong>([^<]+)<\/strong>/gu)].map((m) => m[1]);
  expect(steps).toEqual(['居民提交', '自动分派', '补充情况', '催办']);
  expect(page).toContain('要跺脚才亮，电话139****5678');
  expect(page).not.toContain('13912345678');
});

describe('催办: chasing the handler', () => {
  it('@s the handler with the request and how long it has waited', async () => {
    const no = await desk.report('cui.ay', '#报修 2单元楼道灯不亮');
    desk.advance(180);
    expect(await desk.said('cui.ay', `催办 ${no}`)).toEqual([
      [
        KEY_B7,
        `#${no} 报事人催办，已等3小时，请尽快接单：接单 ${no}\n报修 7号楼2单元 2单元楼道灯不亮`,
        ['zhao.zq'],
      ],
    ]);
    expect(await eventsOf(no, 'chased')).toEqual([{ actor_id: 'cui.ay', note: null }]);
    // Once taken on, the chase asks for it to be finished.
    await desk.said('zhao.zq', `接单 ${no}`);
    desk.advance(61);
    expect(await desk.reply('cui.ay', `催一下 ${no}`)).toBe(
      `#${no} 报事人催办，已等4小时，请尽快办结：办结 ${no} 处理情况\n报修 7号楼2单元 2单元楼道灯不亮`,
    );
  });

  it('chases once an hour per request: another chase in the hour is answered and sends nothing', async () => {
    const no = await desk.report('cui.bo', '#报修 2单元门口地砖松了');
    desk.advance(30);
    await desk.said('cui.bo', `催办 ${no}`);
    desk.advance(20);
    expect(await desk.said('cui.bo', `催办 ${no}`)).toEqual([
      [KEY_B7, '已经催过了，20分钟前已提醒赵志强，请再等等', ['cui.bo']],
    ]);
    // A neighbour in the same hour too: the volunteer is not @-ed by every household.
    expect(await desk.reply('cui.lin', `催催 ${no}`)).toBe('已经催过了，20分钟前已提醒赵志强，请再等等');
    expect(await eventsOf(no, 'chased')).toHaveLength(1);
    desk.advance(41);
    expect(await desk.reply('cui.bo', `催办 ${no}`)).toMatch(
      new RegExp(`^#${no} 报事人催办，已等1小时`, 'u'),
    );
    expect(await eventsOf(no, 'chased')).toHaveLength(2);
  });

  it('lets neighbours in the request’s group chase it, and no one elsewhere', async () => {
    const no = await desk.report('cui.cy', '#报修 2单元电梯按钮不亮');
    desk.advance(90);
    expect(await desk.reply('cui.lin2', `催一下 ${no}`)).toMatch(
      new RegExp(`^#${no} 邻居催办，已等1小时，请尽快接单`, 'u'),
    );
    desk.advance(61);
    // The same neighbour in a private chat, and someone in 5号楼's group, know nothing of it.
    expect(await desk.reply('cui.lin2', `催办 ${no}`, { single: true })).toBe(
      `#${no} 只有报事人或7号楼群里的邻居可以催办`,
    );
    expect(await desk.reply('qian.gf', `催办 ${no}`, { chatid: CHAT_B5 })).toBe(
      `#${no} 只有报事人或7号楼群里的邻居可以催办`,
    );
    expect(await eventsOf(no, 'chased')).toHaveLength(1);
    // The reporter may chase from anywhere: the notice goes to the group, where the handler is.
    const sent = await desk.said('cui.cy', `催办 ${no}`, { single: true });
    expect(sent).toEqual([
      ['response_url', `#${no} 已帮您催了赵志强\n已发到7号楼群`, []],
      [KEY_B7, expect.stringMatching(new RegExp(`^#${no} 报事人催办`, 'u')), ['zhao.zq']],
    ]);
  });

  it('asks for patience when a request is chased minutes after it was posted, unless it is urgent', async () => {
    const no = await desk.report('cui.jj', '#报修 2单元楼梯扶手松了');
    desk.advance(10);
    expect(await desk.reply('cui.jj', `催办 ${no}`)).toBe(
      `#${no} 刚报10分钟，已通知赵志强，请稍等；过半小时还没人接可以再催`,
    );
    expect(await eventsOf(no, 'chased')).toEqual([]);
    const taken = await desk.report('cui.jk', '#报修 2单元信箱锁坏了');
    await desk.said('zhao.zq', `接单 ${taken}`);
    desk.advance(5);
    expect(await desk.reply('cui.jk', `催办 ${taken}`)).toBe(
      `#${taken} 刚报5分钟，赵志强已接单，正在处理，请稍等`,
    );
    desk.advance(15);
    expect(await desk.reply('cui.jj', `催办 ${no}`)).toMatch(
      new RegExp(`^#${no} 报事人催办，已等30分钟`, 'u'),
    );
    // A danger may be chased at once: minutes count.
    const urgent = await desk.report('cui.kk', '#求助 2单元电梯困人了');
    desk.advance(3);
    expect(await desk.reply('cui.kk', `催办 ${urgent}`)).toMatch(
      new RegExp(`^#${urgent} 报事人催办，已等3分钟`, 'u'),
    );
  });

  it('does not let the handler chase their own request', async () => {
    const no = await desk.report('cui.dd', '#报修 2单元楼道窗户破了');
    expect(await desk.reply('zhao.zq', `催办 ${no}`)).toBe(`#${no} 由您处理，不用催`);
    expect(await eventsOf(no, 'chased')).toEqual([]);
  });

  it('@s the grid worker too once the deadline has passed', async () => {
    const no = await desk.report('cui.ee', '#报修 2单元单元门关不上');
    desk.advance(25 * 60);
    expect(await desk.said('cui.ee', `催办 ${no}`)).toEqual([
      [
        KEY_B7,
        `#${no} 报事人催办，已等1天，请尽快接单：接单 ${no}\n报修 7号楼2单元 2单元单元门关不上\n已过接单时限，请网格员刘婷关注`,
        ['zhao.zq', 'liu.t'],
      ],
    ]);
  });

  it('reads 怎么还没修 with a number as a chase, and without one as chatter', async () => {
    const no = await desk.report('cui.ff', '#报修 2单元楼顶漏水');
    desk.advance(61);
    expect(await desk.reply('cui.ff', `#${no}怎么还没修？`)).toMatch(new RegExp(`^#${no} 报事人催办`, 'u'));
    desk.advance(61);
    expect(await desk.reply('cui.ff', '怎么还没修')).not.toMatch(/催办/u);
    // A bare number before it is a room: a neighbour in 301 chases nothing.
    expect(await desk.reply('cui.fg', `${no}还没修好`)).not.toMatch(/催办/u);
    expect(await eventsOf(no, 'chased')).toHaveLength(1);
  });

  it('takes a number left out from the quoted receipt, else the sender’s only open request', async () => {
    const no = await desk.report('cui.gg', '#报修 2单元楼道扶手松了');
    desk.advance(61);
    expect(await desk.reply('cui.gg', '催一下')).toMatch(new RegExp(`^#${no} 报事人催办`, 'u'));
    const other = await desk.report('cui.gg', '#报修 2单元信箱门掉了');
    desk.advance(61);
    expect((await desk.reply('cui.gg', '催一下')).split('\n')[0]).toBe(
      `您有 2 件事还在办，请带上编号，例如：催办 ${other}`,
    );
    expect(await desk.reply('cui.gg', '催催', { quote: `已登记 #${other}【报修】2单元信箱门掉了` })).toMatch(
      new RegExp(`^#${other} 报事人催办`, 'u'),
    );
  });

  it('answers a request that is done instead of chasing it', async () => {
    const no = await desk.report('cui.hh', '#报修 2单元楼道窗户关不上');
    await desk.said('zhao.zq', `办结 ${no} 修好了`);
    expect(await desk.reply('cui.hh', `还没修好 ${no}`)).toBe(
      `#${no} 已办结，不用再催了；没修好请回复「不满意 ${no} 原因」，修好了请回复「满意 ${no}」`,
    );
    await desk.said('cui.hh', `满意 ${no}`);
    expect(await desk.reply('cui.hh', `催办 ${no}`)).toBe(`#${no} 已完结，不用再催了`);
    expect(await eventsOf(no, 'chased')).toEqual([]);
  });

  it('counts a chase once when WeCom delivers it again, and once when two instances take it at once', async () => {
    const no = await desk.report('cui.ii', '#报修 2单元车棚门锁坏了');
    desk.advance(61);
    const msgid = randomMsgId();
    expect(await desk.said('cui.ii', `催办 ${no}`, { msgid })).toHaveLength(1);
    expect(await desk.said('cui.ii', `催办 ${no}`, { msgid })).toEqual([]);
    expect(await eventsOf(no, 'chased')).toHaveLength(1);

    // A second instance of the service on the same database.
    const other = new DeskHarness(db.dataSource);
    await other.start();
    try {
      other.clock.set(desk.clock.now());
      desk.advance(61);
      other.clock.set(desk.clock.now());
      const [{ last } = { last: 0 }] = await db.dataSource.query<{ last: number }[]>(
        `SELECT coalesce(max(id), 0)::int AS last FROM outbox`,
      );
      // Three neighbours on each instance chase at the same moment.
      const statuses = await Promise.all(
        [desk, other].flatMap((instance, i) =>
          [1, 2, 3].map((j) => instance.say(`cui.lin${i}${j}`, `催一下 ${no}`)),
        ),
      );
      expect(statuses.map((s) => s.status)).toEqual([200, 200, 200, 200, 200, 200]);
      // One of them chased; the others were told it had been.
      expect(await eventsOf(no, 'chased')).toHaveLength(2);
      const [counts] = await db.dataSource.query<{ chased: number; told: number }[]>(
        `SELECT count(*) FILTER (WHERE body->>'content' LIKE $1)::int AS chased,
                count(*) FILTER (WHERE body->>'content' LIKE '已经催过了%')::int AS told
           FROM outbox WHERE id > $2`,
        [`#${no} %催办%`, last],
      );
      expect(counts).toEqual({ chased: 1, told: 5 });
    } finally {
      await other.stop();
    }
  });
});
