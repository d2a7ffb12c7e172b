import { OutboxWorker } from '../../../src/outbox';
import { fixedClock } from '../../../src/shared/clock';
import { silentLogger } from '../../../src/shared/logger';
import { WecomClient } from '../../../src/wecom/client';
import { WecomSimulator, type SimulatedMessage } from '../../../src/wecom/simulator';
import { openTestDatabase, usingPostgres, type TestDatabase } from '../../helpers/database';
import { AdminClient, squash } from './admin-client';
import {
  ADMIN_TOKEN,
  NOW,
  PHONE,
  seedPost,
  seedStreet,
  startAdminServer,
  type AdminServer,
  type Seeded,
} from './admin-fixtures';

/**
 * The street office acting on a request from its page (督办, 转派, 内部备注), through the real
 * routes on the example street, with private notices on: what the building group and the people
 * are sent reaches the WeCom stand-in once, whatever the browser does twice, and a form that is
 * stale, foreign or asks for the impossible changes nothing.
 *
 * 江湾小区 7号楼 (jw-b7, its group has a robot): 楼长 王建国 (wang.jg); 1单元 李秀兰 (li.xl);
 * 2单元 赵志强 (zhao.zq). 网格员 刘婷 (liu.t). 场中路三村 12号楼's head is 吕德华 (lv.dh).
 */

const APP = { corpId: 'ww0123456789abcdef', corpSecret: 'app-secret-not-real', agentId: 1000005 };
const B7_KEY = '0000fake-0000-4000-8000-0000000jw007';

let db: TestDatabase;
let server: AdminServer;
let seeded: Seeded;
let client: AdminClient;
let wecom: WecomSimulator;
let woken = 0;
const clock = fixedClock(NOW);

beforeAll(async () => {
  db = await openTestDatabase();
  seeded = await seedStreet(db.dataSource);
  wecom = new WecomSimulator({ clock, acceptAnyWebhookKey: true, apps: [APP] });
  await wecom.start();
  server = await startAdminServer(db.dataSource, {
    adminToken: ADMIN_TOKEN,
    clock,
    privateNotices: true,
    onQueued: () => woken++,
  });
  client = new AdminClient(server.url);
  await client.signIn();
});

afterAll(async () => {
  await server.close();
  await wecom.stop();
  await db.close();
});

/** Sends everything queued to the WeCom stand-in, as the outbox worker would; returns what arrived. */
async function deliverAll(): Promise<SimulatedMessage[]> {
  const before = wecom.messages().length;
  const worker = new OutboxWorker(
    db.dataSource,
    new WecomClient({ apiBase: wecom.url, app: APP, clock }),
    clock,
    silentLogger,
  );
  for (let round = 0; round < 20; round++) {
    if ((await worker.runOnce()) === 0) break;
  }
  const [left] = await db.dataSource.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM outbox WHERE status <> 'sent'`,
  );
  expect(left?.n).toBe(0);
  return wecom.messages().slice(before);
}

interface Forms {
  readonly page: string;
  /** Each action's hidden fields (_csrf, _form), by its path's last part. */
  readonly fields: Record<string, Record<string, string>>;
}

/** The request's page as a browser shows it, and the hidden fields of each of its forms. */
async function open(no: number, as: AdminClient = client): Promise<Forms> {
  const page = squash(await (await as.fetch(`/admin/requests/${no}`)).text());
  const fields: Record<string, Record<string, string>> = {};
  for (const m of page.matchAll(
    /<form class="act" method="post" action="\/admin\/requests\/\d+\/(\w+)">(.*?)<\/form>/g,
  )) {
    const [, action = '', body = ''] = m;
    fields[action] = Object.fromEntries(
      [...body.matchAll(/type="hidden" name="(_\w+)" value="([^"]+)"/g)].map((h) => [h[1], h[2]]),
    );
  }
  return { page, fields };
}

async function post(no: number, action: string, form: Record<string, string>, as = client) {
  return as.post(`/admin/requests/${no}/${action}`, form);
}

/** What a refusal must leave alone: the request's row, its events and the outbox. */
async function snapshot(no: number): Promise<unknown[]> {
  return Promise.all([
    db.dataSource.query(`SELECT * FROM request WHERE no = $1`, [no]),
    db.dataSource.query(
      `SELECT e.* FROM request_event e JOIN request r ON r.id = e.request_id WHERE r.no = $1 ORDER BY e.id`,
      [no],
    ),
    db.dataSource.query(`SELECT count(*)::int AS n FROM outbox`),
  ]);
}

async function events(no: number): Promise<{ type: string; actor_id: string | null; note: string | null }[]> {
  return db.dataSource.query(
    `SELECT e.type, e.actor_id, e.note FROM request_event e JOIN request r ON r.id = e.request_id
     WHERE r.no = $1 ORDER BY e.id`,
    [no],
  );
}

async function assigneeOf(no: number): Promise<string | null> {
  const [row] = await db.dataSource.query<{ assignee_id: string | null }[]>(
    `SELECT assignee_id FROM request WHERE no = $1`,
    [no],
  );
  return row?.assignee_id ?? null;
}

const textOf = (m: SimulatedMessage) => m.body.content;
const mentionsOf = (m: SimulatedMessage) => (m.body.kind === 'text' ? (m.body.mentions ?? []) : []);

describe('督办', () => {
  it('@s the handler in the building group and tells them privately, once however often it is sent', async () => {
    const no = seeded.hotspot[2] ?? 0;
    const handler = (await assigneeOf(no)) ?? '';
    expect(['wang.jg', 'li.xl', 'zhao.zq']).toContain(handler);
    const { fields } = await open(no);
    const form = { ...fields.urge, note: `居民多次反映，\n有事打${PHONE}` };
    const wokenBefore = woken;

    // Clicked twice, and the second copy retried by the browser: done once.
    const answers = await Promise.all([post(no, 'urge', form), post(no, 'urge', form)]);
    answers.push(await post(no, 'urge', form));
    for (const res of answers) {
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`/admin/requests/${no}`);
    }
    expect(woken).toBe(wokenBefore + 1);
    expect((await events(no)).filter((e) => e.type === 'urged')).toEqual([
      { type: 'urged', actor_id: 'zhou.m', note: `居民多次反映， 有事打${PHONE}` },
    ]);

    const arrived = await deliverAll();
    expect(arrived).toHaveLength(2);
    const [group, direct] = arrived;
    expect(group?.destination).toEqual({ type: 'group_webhook', webhookKey: B7_KEY });
    expect(mentionsOf(group!)).toEqual([handler]);
    expect(textOf(group!).split('\n')).toEqual([
      `街道督办 #${no}，请尽快接单：接单 ${no}`,
      `说明：居民多次反映， 有事打139****5678`,
      '报修 7号楼1单元 1单元门口路灯不亮',
    ]);
    expect(direct?.destination).toMatchObject({ type: 'app_message', userIds: [handler] });
    expect(textOf(direct!).split('\n')).toEqual([
      `街道督办 #${no} 报修 江湾小区7号楼1单元 1单元门口路灯不亮`,
      `说明：居民多次反映， 有事打139****5678`,
      `请尽快接单：接单 ${no}`,
    ]);
    for (const m of arrived) expect(textOf(m)).not.toContain(PHONE);

    // Said once, then not again; the history names who signed in (周敏) and masks the number.
    const first = await open(no);
    expect(first.page).toContain(`<p class="notice done" role="status">已督办，已通知`);
    const again = await open(no);
    expect(again.page).not.toContain('notice done');
    expect(again.page).toMatch(/<strong>街道督办<\/strong> <span class="muted">周敏<\/span>/);
    expect(again.page).toContain('有事打139****5678');
    expect(again.page).not.toContain(PHONE);
  });

  it('asks an acknowledged request’s handler to finish it', async () => {
    const no = seeded.phone;
    const { fields } = await open(no);
    expect((await post(no, 'urge', { ...fields.urge, note: '' })).status).toBe(303);
    const [group] = await deliverAll();
    expect(textOf(group!).split('\n')[0]).toBe(`街道督办 #${no}，请尽快办结：办结 ${no} 处理情况`);
    // The resident's number in the request's line is masked too.
    expect(textOf(group!)).not.toContain(PHONE);
    expect((await events(no)).at(-1)).toEqual({ type: 'urged', actor_id: 'zhou.m', note: null });
  });
});

describe('转派', () => {
  it('offers the building’s heads, the compound’s, its grid worker, the teams serving it and the street', async () => {
    const { page } = await open(seeded.hotspot[1] ?? 0);
    const select = /<select id="reassign-to" name="to" required>(.*?)<\/select>/.exec(page)?.[1] ?? '';
    const groups = [...select.matchAll(/<optgroup label="([^"]+)">/g)].map((m) => m[1]);
    expect(groups).toEqual([
      '7号楼',
      '江湾小区其他楼栋',
      '网格员',
      '电工志愿队',
      '水管志愿队',
      '楼道环境队',
      '助老服务队',
      '邻里调解队',
      '街道',
    ]);
    const options = [...select.matchAll(/<option value="([^"]*)"( disabled)?> ?([^<]*?) ?<\/option>/g)].map(
      (m) => `${m[1]}${m[2] ?? ''}: ${m[3]}`,
    );
    expect(options).toEqual(
      expect.arrayContaining([
        'wang.jg: 王建国（楼长）',
        'li.xl: 李秀兰（1单元长）',
        'zhao.zq disabled: 赵志强（2单元长，现处理人）',
        'qian.gf: 钱桂芳（5号楼楼长）',
        'liu.t: 刘婷（网格员）',
        'ma.sf: 马顺福（电工志愿队）',
        // A street admin who also volunteers in a team is listed as the street's.
        'zhou.m: 周敏（街道）',
        'chen.lj: 陈丽娟（街道）',
      ]),
    );
    // Each person once; another compound's head is not offered.
    expect(new Set(options.map((o) => o.split(':')[0])).size).toBe(options.length);
    expect(select).not.toContain('lv.dh');
  });

  it('hands it over as 转派 in the chat does: @-ed in the group, told privately, once', async () => {
    const no = seeded.hotspot[1] ?? 0;
    const from = await assigneeOf(no);
    const to = from === 'li.xl' ? 'wang.jg' : 'li.xl';
    const name = to === 'li.xl' ? '李秀兰' : '王建国';
    const { fields } = await open(no);
    const form = { ...fields.reassign, to };
    const answers = await Promise.all([post(no, 'reassign', form), post(no, 'reassign', form)]);
    for (const res of answers) expect(res.status).toBe(303);

    expect(await assigneeOf(no)).toBe(to);
    const [handedOver] = await db.dataSource.query<{ actor_id: string; data: unknown }[]>(
      `SELECT e.actor_id, e.data FROM request_event e JOIN request r ON r.id = e.request_id
       WHERE r.no = $1 AND e.type = 'assigned' ORDER BY e.id DESC`,
      [no],
    );
    expect(handedOver).toEqual({ actor_id: 'zhou.m', data: { from, to, notified: true } });
    expect((await events(no)).filter((e) => e.type === 'assigned')).toHaveLength(1);

    const arrived = await deliverAll();
    expect(arrived).toHaveLength(2);
    expect(arrived[0]?.destination).toEqual({ type: 'group_webhook', webhookKey: B7_KEY });
    expect(textOf(arrived[0]!).split('\n')[0]).toBe(`#${no} 已由街道转派给${name}，请接单：接单 ${no}`);
    expect(mentionsOf(arrived[0]!)).toEqual([to]);
    expect(arrived[1]?.destination).toMatchObject({ type: 'app_message', userIds: [to] });
    expect(textOf(arrived[1]!)).toContain(`请接单：接单 ${no}`);

    const { page } = await open(no);
    expect(page).toContain(`role="status">已转派给${name}</p>`);
    expect(page).toContain(`<strong>转派给${name}</strong> <span class="muted">周敏</span>`);
  });

  // Two sessions, one waiting for the other's row lock, need a server: the embedded database is a
  // single session (and one process, so there are no instances to race).
  if (usingPostgres) {
    it('waits for a chat command holding the request, then works on what it left', async () => {
      const no = seeded.hotspot[1] ?? 0;
      const { fields } = await open(no);
      // A 转派 typed in the chat has the request locked, as commands do, and hands it to 王建国.
      const runner = db.dataSource.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      let answered = false;
      try {
        await runner.query(`SELECT id FROM request WHERE no = $1 FOR UPDATE`, [no]);
        const pending = post(no, 'reassign', { ...fields.reassign, to: 'wang.jg' }).then((res) => {
          answered = true;
          return res;
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(answered).toBe(false);
        await runner.query(`UPDATE request SET assignee_id = 'wang.jg' WHERE no = $1`, [no]);
        await runner.commitTransaction();
        const res = await pending;
        // The page's form saw the chat's change: nothing to do, nothing sent.
        expect(res.status).toBe(422);
        expect(squash(await res.text())).toContain(`#${no} 本来就由王建国处理`);
      } finally {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        await runner.release();
      }
      expect(await deliverAll()).toEqual([]);
    });
  }
});

describe('内部备注', () => {
  it('is kept in the history, marked internal, and sent nowhere', async () => {
    const no = seeded.hotspot[2] ?? 0;
    const { page, fields } = await open(no);
    expect(page).toContain('只记在下面的处理经过里，不会发到群里');
    const outbox = await db.dataSource.query(`SELECT count(*)::int AS n FROM outbox`);
    const note = '已电话联系物业，\r\n周五前换灯';
    const res = await post(no, 'note', { ...fields.note, note });
    expect(res.status).toBe(303);
    expect(await post(no, 'note', { ...fields.note, note })).toHaveProperty('status', 303);
    expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM outbox`)).toEqual(outbox);
    expect((await events(no)).filter((e) => e.type === 'staff_note')).toEqual([
      { type: 'staff_note', actor_id: 'zhou.m', note: '已电话联系物业，\n周五前换灯' },
    ]);
    const after = (await open(no)).page;
    expect(after).toContain('已记下备注（不会发到群里）');
    expect(after).toMatch(
      /<strong>内部备注<\/strong> <span class="muted">周敏<\/span> <span class="badge">仅内部可见<\/span>/,
    );
  });
});

describe('several actions from one view of the page', () => {
  it('does each: a note sent after a 督办 from the same page is not taken for a repeat of it', async () => {
    const no = seeded.script;
    const { fields } = await open(no);
    expect(new Set(Object.values(fields).map((f) => f._form)).size).toBe(Object.keys(fields).length);
    expect(await post(no, 'urge', { ...fields.urge, note: '' })).toHaveProperty('status', 303);
    expect(await post(no, 'note', { ...fields.note, note: '已电话联系' })).toHaveProperty('status', 303);
    expect((await events(no)).map((e) => e.type).filter((t) => t === 'urged' || t === 'staff_note')).toEqual([
      'urged',
      'staff_note',
    ]);
    expect((await deliverAll()).map(textOf)[0]).toMatch(new RegExp(`^街道督办 #${no}，`, 'u'));
  });
});

describe('refusals', () => {
  const cases: [string, string, (f: Record<string, string>) => Record<string, string>, number, string][] = [
    ['a person not in the ledger', 'reassign', (f) => ({ ...f, to: 'nobody.x' }), 422, '台账里没有这位'],
    [
      'a head of another compound',
      'reassign',
      (f) => ({ ...f, to: 'lv.dh' }),
      422,
      '吕德华不在这条诉求的转派名单里',
    ],
    ['no one chosen', 'reassign', (f) => ({ ...f, to: '' }), 422, '请选择转派给谁'],
    ['an empty note', 'note', (f) => ({ ...f, note: ' \r\n ' }), 422, '请写上备注内容'],
    [
      'a note too long',
      'note',
      (f) => ({ ...f, note: '长'.repeat(501) }),
      422,
      '备注最多 500 个字，现在有 501 个字',
    ],
    ['a 督办 note too long', 'urge', (f) => ({ ...f, note: '催'.repeat(101) }), 422, '说明最多 100 个字'],
    ['a form without its key', 'note', (f) => ({ ...f, _form: '', note: '好' }), 400, '这个表单不完整'],
  ];
  it.each(cases)('%s is answered in words and changes nothing', async (_, action, make, status, words) => {
    const no = seeded.hotspot[2] ?? 0;
    const { fields } = await open(no);
    const before = await snapshot(no);
    const res = await post(no, action, make(fields[action] ?? {}));
    expect(res.status).toBe(status);
    const page = squash(await res.text());
    expect(page).toContain(`<p class="error" role="alert">${words}`);
    expect(await snapshot(no)).toEqual(before);
  });

  it('keeps what was typed in the form that was refused', async () => {
    const no = seeded.hotspot[2] ?? 0;
    const { fields } = await open(no);
    const res = await post(no, 'note', { ...fields.note, note: `${'长'.repeat(500)}<b>` });
    expect(await res.text()).toContain(`>${'长'.repeat(500)}&lt;b&gt;</textarea>`);
  });

  it('refuses 督办 and 转派 on a closed request, which offers only the note', async () => {
    const no = seeded.hotspot[0] ?? 0;
    const { page, fields } = await open(no);
    expect(Object.keys(fields)).toEqual(['note']);
    expect(page).toContain(`#${no} 已完结，不能再督办或转派，可以记内部备注。`);
    const before = await snapshot(no);
    const hidden = fields.note ?? {};
    const urged = await post(no, 'urge', { ...hidden, note: '' });
    expect(urged.status).toBe(422);
    expect(squash(await urged.text())).toContain(`#${no} 已完结，不用再督办`);
    const handed = await post(no, 'reassign', { ...hidden, to: 'li.xl' });
    expect(handed.status).toBe(422);
    expect(squash(await handed.text())).toContain(`#${no} 已完结，不能再转派`);
    expect(await snapshot(no)).toEqual(before);
  });

  it('refuses a form sent again to another request', async () => {
    const [a, b] = [seeded.hotspot[2] ?? 0, seeded.phone];
    const { fields } = await open(a);
    expect((await post(a, 'note', { ...fields.note, note: '第一次' })).status).toBe(303);
    const before = await snapshot(b);
    const res = await post(b, 'note', { ...fields.note, note: '第一次' });
    expect(res.status).toBe(422);
    expect(squash(await res.text())).toContain('这个表单已经用过了');
    expect(await snapshot(b)).toEqual(before);
  });
});

describe('forms that are not this session’s', () => {
  it.each([
    ['without a CSRF token', (f: Record<string, string>) => ({ ...f, _csrf: '' }), {}],
    ['with a wrong CSRF token', (f: Record<string, string>) => ({ ...f, _csrf: 'x'.repeat(43) }), {}],
    ['posted from another site', (f: Record<string, string>) => f, { 'Sec-Fetch-Site': 'cross-site' }],
  ])('are refused (403) %s, and change nothing', async (_, make, headers) => {
    const no = seeded.hotspot[2] ?? 0;
    const { fields } = await open(no);
    const before = await snapshot(no);
    for (const [action, extra] of [
      ['urge', { note: '快' }],
      ['reassign', { to: 'wang.jg' }],
      ['note', { note: '记' }],
    ] as const) {
      const res = await client.post(
        `/admin/requests/${no}/${action}`,
        { ...make(fields[action] ?? {}), ...extra },
        headers,
      );
      expect(res.status).toBe(403);
      expect(squash(await res.text())).toContain('页面已过期');
    }
    expect(await snapshot(no)).toEqual(before);
  });

  it('refuses another session’s token, no session at all, and the bearer token', async () => {
    const no = seeded.hotspot[2] ?? 0;
    const other = new AdminClient(server.url);
    await other.signIn();
    const { fields } = await open(no, other);
    const before = await snapshot(no);
    const form = { ...fields.note, note: '记' };
    expect((await post(no, 'note', form)).status).toBe(403);
    expect((await post(no, 'note', form, new AdminClient(server.url))).status).toBe(401);
    const bearer = await new AdminClient(server.url).post(`/admin/requests/${no}/note`, form, {
      Authorization: `Bearer ${ADMIN_TOKEN}`,
    });
    expect(bearer.status).toBe(403);
    expect(await snapshot(no)).toEqual(before);
  });
});

/**
 * The 督办 and 转派 forms say where their notices will go before they are sent: the building
 * group (7号楼's has a robot), a private message (with the self-built app), both, or nowhere
 * (纪念路 4号楼's group has none), in which case the clerk is asked to phone. What arrives when
 * the form is sent is what it said.
 */
describe('what the 督办 and 转派 forms promise', () => {
  let withoutApp: AdminServer;
  let clerk: AdminClient;
  let b4: number;

  beforeAll(async () => {
    withoutApp = await startAdminServer(db.dataSource, { adminToken: ADMIN_TOKEN, clock });
    clerk = new AdminClient(withoutApp.url);
    await clerk.signIn();
    const filed = await seedPost(db.dataSource, 'wrkB7FAKEjinianlu04', 'repair', '2单元楼道灯不亮', NOW);
    b4 = filed.no;
  });

  afterAll(() => withoutApp.close());

  /** The promise above each form, the 督办 note's label, and someone the request may go to. */
  async function promises(no: number, as: AdminClient) {
    const { page, fields } = await open(no, as);
    const form = (action: string) =>
      new RegExp(`action="/admin/requests/${no}/${action}">(.*?)</form>`).exec(page)?.[1] ?? '';
    const said = (action: string) => /<p class="muted small">(.*?)<\/p>/.exec(form(action))?.[1]?.trim();
    const to = [...form('reassign').matchAll(/<option value="([^"]+)"([^>]*)>/g)].find(
      (o) => o[1] && !o[2]?.includes('disabled'),
    )?.[1];
    return {
      urge: said('urge'),
      label: /<label for="urge-note">(.*?)<\/label>/.exec(form('urge'))?.[1],
      reassign: said('reassign'),
      fields,
      to: to ?? '',
    };
  }

  async function nameOf(id: string | null): Promise<string> {
    const [person] = await db.dataSource.query<{ name: string }[]>(`SELECT name FROM person WHERE id = $1`, [
      id,
    ]);
    return person?.name ?? '';
  }

  const nowhere = '4号楼群没有可用的群机器人，也没有开通应用消息，通知发不出去';
  it.each([
    [
      '7号楼, with the app',
      'app',
      '，会发到7号楼群并私信。',
      '说明（可不填，会发到群里）',
      '新处理人会在7号楼群里被@，并收到私信，请他接单。',
      ['group_webhook', 'app_message'],
    ],
    [
      '7号楼, without the app',
      'no app',
      '，会发到7号楼群。',
      '说明（可不填，会发到群里）',
      '新处理人会在7号楼群里被@，请他接单。',
      ['group_webhook'],
    ],
    [
      '4号楼 (no robot), with the app',
      'app',
      '，会私信告知。',
      '说明（可不填，会随私信发出）',
      '新处理人会收到私信，请他接单。',
      ['app_message'],
    ],
    [
      '4号楼 (no robot), without the app',
      'no app',
      `。${nowhere}：督办会记下，请电话告知{handler}。`,
      '说明（可不填）',
      `${nowhere}：转派会记下，请电话告知新处理人接单。`,
      [],
    ],
  ])('%s: says where, and sends there', async (building, app, urge, label, reassign, destinations) => {
    const no = building.startsWith('7号楼') ? (seeded.hotspot[2] ?? 0) : b4;
    const as = app === 'app' ? client : clerk;
    const handler = await nameOf(await assigneeOf(no));
    const before = await promises(no, as);
    expect(before.urge).toBe(`提醒处理人${handler}：街道在催办这件事${urge.replace('{handler}', handler)}`);
    expect(before.label).toBe(label);
    expect(before.reassign).toBe(reassign);

    expect((await post(no, 'urge', { ...before.fields.urge, note: '请今天处理' }, as)).status).toBe(303);
    const urged = await deliverAll();
    expect(urged.map((m) => m.destination.type)).toEqual(destinations);
    const told = destinations.length > 0;
    expect(squash(await (await as.fetch(`/admin/requests/${no}`)).text())).toContain(
      told ? '已督办，已通知' : '已记下督办，但通知没能发出',
    );

    const { fields, to } = await promises(no, as);
    expect((await post(no, 'reassign', { ...fields.reassign, to }, as)).status).toBe(303);
    expect(await assigneeOf(no)).toBe(to);
    const handedOver = await deliverAll();
    expect(handedOver.map((m) => m.destination.type)).toEqual(destinations);
  });
});
