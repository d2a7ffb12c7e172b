import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { apiRoutes } from '../../src/http/api-routes';
import { createHttpApp } from '../../src/http/app';
import { readLedgerFile, type LedgerDocument } from '../../src/ledger';
import { importLedger, LedgerCache } from '../../src/ledger/ledger-store';
import { createRequest } from '../../src/requests/create-request';
import { directRequestWrites } from '../../src/requests/request-writes';
import { Outgoing } from '../../src/requests/outgoing';
import {
  addEvent,
  updateRequest,
  type RequestPatch,
  type RequestRow,
} from '../../src/requests/request-store';
import { weeklyFigures } from '../../src/digest/weekly-figures';
import { fixedClock } from '../../src/shared/clock';
import { silentLogger } from '../../src/shared/logger';
import { openTestDatabase, truncate, type TestDatabase } from '../helpers/database';

const TOKEN = 'test-admin-token-0123456789abcdef';
const T0 = new Date('2026-11-28T01:00:00Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

let db: TestDatabase;
let dataSource: DataSource;
let ledgerDoc: LedgerDocument;
let api: { url: string; close(): Promise<void> };
let apiOff: { url: string; close(): Promise<void> };

async function serve(adminToken: string | undefined, ledgers = new LedgerCache()) {
  const app = createHttpApp(silentLogger, [
    apiRoutes({
      dataSource,
      adminToken,
      ledgers,
      timeZone: 'Asia/Shanghai',
      clock: fixedClock('2026-12-09T02:00:00Z'),
    }),
  ]);
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A resident's tagged post in a building group, as the desk handler would turn it into a request. */
async function post(
  chatId: string,
  category: string,
  description: string,
  senderId: string,
  at: Date,
): Promise<RequestRow> {
  const [inbound] = await dataSource.query<{ id: string }[]>(
    `INSERT INTO inbound_message (channel, dedupe_key, msg_type, chat_id, chat_type, sender_id, text, raw)
     VALUES ('bot', $1, 'text', $2, 'group', $3, $4, '{}') RETURNING id`,
    [`seed-${chatId}-${at.toISOString()}`, chatId, senderId, description],
  );
  const ledgers = new LedgerCache();
  return dataSource.transaction(async (tx) => {
    const ledger = await ledgers.current(tx);
    const place = ledger.placeOfChat(chatId);
    if (!place || !inbound) throw new Error(`seed: no building for ${chatId}`);
    const filed = await createRequest(
      { writes: directRequestWrites(tx), ledger, place, now: at, out: new Outgoing() },
      { kind: 'request', category, description },
      { inboundId: inbound.id, senderId, chatId, imageUrls: [] },
    );
    return filed.request;
  });
}

/** A change as a command makes it: the row and its event in one transaction. */
async function change(
  request: RequestRow,
  patch: Omit<RequestPatch, 'updatedAt'>,
  event: { type: string; actorId: string | null; at: Date; note?: string },
): Promise<void> {
  await dataSource.transaction(async (tx) => {
    await updateRequest(tx, request.id, { ...patch, updatedAt: event.at });
    await addEvent(tx, request.id, event);
  });
}

beforeAll(async () => {
  db = await openTestDatabase();
  dataSource = db.dataSource;
  const read = readLedgerFile(path.join(__dirname, '..', '..', 'examples', 'ledger.yaml'));
  if (!read.ok) throw new Error(read.problems.join('\n'));
  ledgerDoc = read.ledger;
  await importLedger(dataSource, ledgerDoc, fixedClock(T0), 'examples/ledger.yaml');
  // Someone removed from the ledger keeps a row (and a phone) in person.
  await dataSource.query(
    `INSERT INTO person (id, name, phone, active, deactivated_at) VALUES ('gao.lw', '高立伟', '13800000099', false, $1)`,
    [T0],
  );

  // #1 open: 5号楼 2单元 goes to its unit head 郑海平; the resident typed a phone number.
  const r1 = await post(
    'wrkB7FAKEjiangwan05',
    'repair',
    '2单元楼道灯不亮了，有事打我13912345678',
    'res.wang',
    minutes(0),
  );
  await change(
    r1,
    { escalationLevel: 1, assigneeId: 'liu.t' },
    {
      type: 'escalated',
      actorId: 'zheng.hp',
      at: minutes(30),
      note: '需要电工，业主电话13912345678',
    },
  );
  // #2 resolved: 6号楼 1单元, 冯玉兰.
  const r2 = await post('wrkB7FAKEjiangwan06', 'complaint', '1单元楼下晚上噪音太大', 'res.li', minutes(10));
  await change(
    r2,
    { status: 'acknowledged', acknowledgedAt: minutes(20) },
    {
      type: 'acknowledged',
      actorId: 'feng.yl',
      at: minutes(20),
    },
  );
  await change(
    r2,
    { status: 'resolved', resolvedAt: minutes(90) },
    {
      type: 'resolved',
      actorId: 'feng.yl',
      at: minutes(90),
      note: '已和邻居沟通好',
    },
  );
  // #3 acknowledged: 纪念路新村 2号楼 3单元, 沈玉梅.
  const r3 = await post(
    'wrkB7FAKEjinianlu02',
    'help',
    '3单元独居老人需要人帮忙配药',
    'res.zhao',
    minutes(20),
  );
  await change(
    r3,
    { status: 'acknowledged', acknowledgedAt: minutes(40) },
    {
      type: 'acknowledged',
      actorId: 'shen.ym',
      at: minutes(40),
    },
  );
  // #4 withdrawn: 场中路三村 12号楼, reported by someone since removed from the ledger.
  const r4 = await post('wrkB7FAKEchangzhong12', 'repair', '1单元厨房水管漏水', 'gao.lw', minutes(30));
  await change(
    r4,
    { status: 'withdrawn', withdrawnAt: minutes(35) },
    {
      type: 'withdrawn',
      actorId: 'gao.lw',
      at: minutes(35),
    },
  );
  // #5 open: 5号楼 without a unit goes to the building head 钱桂芳.
  await post('wrkB7FAKEjiangwan05', 'suggestion', '建议门口加装快递柜', 'res.wang', minutes(40));

  api = await serve(TOKEN);
  apiOff = await serve(undefined);
});

afterAll(async () => {
  await api.close();
  await apiOff.close();
  await db.close();
});

function get(pathAndQuery: string, token: string | null = TOKEN, base = api.url) {
  return fetch(
    `${base}${pathAndQuery}`,
    token === null ? {} : { headers: { Authorization: `Bearer ${token}` } },
  );
}

interface RequestJson {
  no: number;
  [key: string]: unknown;
}

async function list(query: string): Promise<{ nos: number[]; body: Record<string, unknown> }> {
  const res = await get(`/api/requests${query}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { requests: RequestJson[] };
  return { nos: body.requests.map((r) => r.no), body };
}

describe('authorization', () => {
  // Wrong tokens count as failed sign-ins; forgotten after each case, or the throttle would
  // refuse the later ones (tests/integration/admin/sign-in-throttle.test.ts).
  afterEach(() => truncate(dataSource, 'sign_in_failure'));

  it.each([
    ['no Authorization header', undefined],
    ['a wrong token', `Bearer ${TOKEN}x`],
    ['a token of another length', 'Bearer abc'],
    ['another scheme', `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`],
    ['the token without the scheme', TOKEN],
  ])('answers 401 with a Bearer challenge and no detail for %s', async (_case, authorization) => {
    for (const route of ['/api/requests', '/api/requests/1', '/api/no-such-route']) {
      const res = await fetch(
        `${api.url}${route}`,
        authorization ? { headers: { Authorization: authorization } } : {},
      );
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.text()).toBe('Unauthorized');
    }
  });

  it('accepts the scheme in any case, as HTTP allows', async () => {
    const res = await fetch(`${api.url}/api/requests`, { headers: { Authorization: `bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 404 for everything under /api when no token is configured, token or not', async () => {
    for (const token of [null, TOKEN, '']) {
      for (const route of ['/api/requests', '/api/requests/1', '/api', '/api/whatever']) {
        const res = await get(route, token, apiOff.url);
        expect(res.status).toBe(404);
        expect(await res.text()).toBe('Not Found');
      }
    }
    const posted = await fetch(`${apiOff.url}/api/requests`, { method: 'POST' });
    expect(posted.status).toBe(404);
  });

  it('answers 404 for unknown routes and other methods once authorized', async () => {
    expect((await get('/api/people')).status).toBe(404);
    const posted = await fetch(`${api.url}/api/requests`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(posted.status).toBe(404);
  });
});

describe('GET /api/requests', () => {
  it('lists every request, newest first, with names from the ledger', async () => {
    const { nos, body } = await list('');
    expect(nos).toEqual([5, 4, 3, 2, 1]);
    expect(body).toMatchObject({ page: 1, limit: 20, has_more: false });
    const newest = (body.requests as RequestJson[])[0];
    expect(newest).toMatchObject({
      no: 5,
      category: 'suggestion',
      category_name: '建议',
      status: 'open',
      compound: { id: 'jiangwan', name: '江湾小区' },
      building: { id: 'jw-b5', name: '5号楼' },
      unit: null,
      reporter: { id: 'res.wang', name: null },
      assignee: { id: 'qian.gf', name: '钱桂芳' },
    });
  });

  it.each([
    ['status=open', [5, 1]],
    ['status=acknowledged', [3]],
    ['status=resolved', [2]],
    ['status=withdrawn', [4]],
    ['status=closed', []],
    ['status=active', [5, 3, 1]],
    ['building=jw-b5', [5, 1]],
    ['building=jnl-b2', [3]],
    ['building=no-such-building', []],
    ['compound=jiangwan', [5, 2, 1]],
    ['compound=changzhong-3c', [4]],
    ['category=repair', [4, 1]],
    ['category=help', [3]],
    ['assignee=shen.ym', [3]],
    ['assignee=liu.t', [1]],
    ['compound=jiangwan&status=active', [5, 1]],
    ['compound=jiangwan&category=complaint&assignee=feng.yl', [2]],
  ])('?%s narrows to %j', async (query, expected) => {
    expect((await list(`?${query}`)).nos).toEqual(expected);
  });

  it('pages with page and limit, saying whether more follow', async () => {
    expect((await list('?limit=2')).body).toMatchObject({ page: 1, limit: 2, has_more: true });
    expect((await list('?limit=2')).nos).toEqual([5, 4]);
    expect((await list('?limit=2&page=2')).nos).toEqual([3, 2]);
    const last = await list('?limit=2&page=3');
    expect(last.nos).toEqual([1]);
    expect(last.body.has_more).toBe(false);
    expect((await list('?limit=2&page=4')).nos).toEqual([]);
    expect((await list('?status=active&limit=1&page=2')).nos).toEqual([3]);
  });

  it.each([
    'status=pending',
    'status=',
    'status=open&status=closed',
    'limit=0',
    'limit=101',
    'limit=-1',
    'limit=2.5',
    'limit=1e1',
    'page=0',
    'page=abc',
    'page=10001',
    'building=5号楼',
    'assignee=a%20b',
    `category=${'x'.repeat(65)}`,
    'stauts=open',
  ])('answers 400 with no detail for ?%s', async (query) => {
    const res = await get(`/api/requests?${query}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('Bad Request');
  });
});

describe('GET /api/requests/:no', () => {
  it('answers one request with its events in order and the street-local timestamps', async () => {
    const res = await get('/api/requests/2');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown> & { events: Record<string, unknown>[] };
    expect(body).toMatchObject({
      no: 2,
      category: 'complaint',
      category_name: '投诉',
      status: 'resolved',
      priority: 'normal',
      compound: { id: 'jiangwan', name: '江湾小区' },
      building: { id: 'jw-b6', name: '6号楼' },
      unit: 1,
      room: null,
      text: '1单元楼下晚上噪音太大',
      image_urls: [],
      reporter: { id: 'res.li', name: null },
      assignee: { id: 'feng.yl', name: '冯玉兰' },
      escalation: 0,
      council: false,
      rating: null,
      rating_note: null,
      created_at: '2026-11-28T09:10:00.000+08:00',
      acknowledged_at: '2026-11-28T09:20:00.000+08:00',
      resolved_at: '2026-11-28T10:30:00.000+08:00',
      closed_at: null,
      // The ledger's clock for complaints: 4 hours to acknowledge, 3 days to resolve.
      ack_due_at: '2026-11-28T13:10:00.000+08:00',
      resolve_due_at: '2026-12-01T09:10:00.000+08:00',
    });
    expect(new Date(body.created_at as string).toISOString()).toBe('2026-11-28T01:10:00.000Z');
    expect(body.events.map((e) => e.type)).toEqual(['created', 'routed', 'acknowledged', 'resolved']);
    expect(body.events[0]).toEqual({
      type: 'created',
      actor: { id: 'res.li', name: null },
      at: '2026-11-28T09:10:00.000+08:00',
      note: null,
    });
    expect(body.events[1]).toMatchObject({ type: 'routed', actor: null });
    expect(body.events[3]).toEqual({
      type: 'resolved',
      actor: { id: 'feng.yl', name: '冯玉兰' },
      at: '2026-11-28T10:30:00.000+08:00',
      note: '已和邻居沟通好',
    });
  });

  it('names someone since removed from the ledger from the person table', async () => {
    const body = (await (await get('/api/requests/4')).json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'withdrawn',
      reporter: { id: 'gao.lw', name: '高立伟' },
      assignee: { id: 'shi.gl', name: '施桂林' },
      withdrawn_at: '2026-11-28T09:35:00.000+08:00',
    });
  });

  it('masks phone numbers residents typed, in the text and in event notes', async () => {
    const body = (await (await get('/api/requests/1')).json()) as Record<string, unknown> & {
      events: Record<string, unknown>[];
    };
    expect(body.text).toBe('2单元楼道灯不亮了，有事打我139****5678');
    expect(body).toMatchObject({ escalation: 1, assignee: { id: 'liu.t', name: '刘婷' } });
    expect(body.events.at(-1)).toMatchObject({
      type: 'escalated',
      actor: { id: 'zheng.hp', name: '郑海平' },
      note: '需要电工，业主电话139****5678',
    });
  });

  it.each([
    ['abc', 400],
    ['1a', 400],
    ['-1', 400],
    ['0', 400],
    ['1.0', 400],
    ['99999999999', 400],
    ['999', 404],
    ['2147483647', 404],
  ])('answers /api/requests/%s with %i', async (no, status) => {
    const res = await get(`/api/requests/${no}`);
    expect(res.status).toBe(status);
  });
});

describe('GET /api/figures', () => {
  const get = (query: string) =>
    fetch(`${api.url}/api/figures${query}`, { headers: { Authorization: `Bearer ${TOKEN}` } });

  it("answers a week's figures from the digest's own rates module, by default the last full week", async () => {
    // The clock stands in W50, so the default is W49; the requests were made in W48.
    const direct = await weeklyFigures(dataSource, {
      weekStart: new Date('2026-11-22T16:00:00Z'),
      timeZone: 'Asia/Shanghai',
    });
    expect(direct.received).toBeGreaterThan(0);
    const res = await get('?week=2026-W48');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(direct)));
    const byDefault = (await (await get('')).json()) as { week: string };
    expect(byDefault.week).toBe('2026-W49');
    const compound = (await (await get('?week=2026-W48&compound=nowhere')).json()) as { received: number };
    expect(compound.received).toBe(0);
  });

  it.each([
    '?week=2026-48',
    '?week=2026-W54',
    '?week=9999-W52',
    '?week=0000-W01',
    '?weak=2026-W48',
    '?compound=%20',
  ])('refuses %s with 400', async (q) => {
    expect((await get(q)).status).toBe(400);
  });
});

it('never lets a phone number out, whatever is asked', async () => {
  const phones = ledgerDoc.people.flatMap((p) => (p.phone ? [p.phone] : []));
  expect(phones.length).toBeGreaterThan(10);
  const routes = [
    '/api/requests',
    '/api/requests?limit=100',
    ...[1, 2, 3, 4, 5].map((no) => `/api/requests/${no}`),
  ];
  for (const route of routes) {
    const text = await (await get(route)).text();
    expect(text).not.toMatch(/1[3-9]\d{9}/);
    for (const phone of [...phones, '13800000099', '13912345678']) expect(text).not.toContain(phone);
    expect(text).not.toMatch(/"phone"/);
  }
});
