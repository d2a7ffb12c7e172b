import type { TestDatabase } from '../../helpers/database';
import { openAdmin, closeAdmin } from './open-admin';
import { AdminClient } from './admin-client';
import { ADMIN_TOKEN, NOW, PHONE, SCRIPT_TEXT, type AdminServer, type Seeded } from './admin-fixtures';

let db: TestDatabase;
let server: AdminServer;
let seeded: Seeded;
let client: AdminClient;

beforeAll(async () => {
  ({ db, seeded, server, client } = await openAdmin());
});

afterAll(() => closeAdmin({ db, server }));

/** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) throw new Error('CSV does not end with CRLF');
  return rows;
}

async function csv(query = ''): Promise<{ res: Response; raw: Buffer; rows: string[][] }> {
  const res = await client.fetch(`/admin/requests.csv${query}`);
  expect(res.status).toBe(200);
  const raw = Buffer.from(await res.arrayBuffer());
  return { res, raw, rows: parseCsv(raw.toString('utf8').replace(/^\uFEFF/, '')) };
}

async function nosWhere(condition: string): Promise<number[]> {
  const rows = await db.dataSource.query<{ no: number }[]>(
    `SELECT no FROM request WHERE ${condition} ORDER BY no DESC`,
  );
  return rows.map((r) => r.no);
}

describe('GET /admin/requests.csv', () => {
  it('is UTF-8 with a byte order mark, one row per request, as an attachment', async () => {
    const { res, raw, rows } = await csv();
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="mulin-requests-2026-11-25.csv"; filename*=UTF-8''${encodeURIComponent('睦邻诉求-2026-11-25.csv')}`,
    );
    expect(rows[0]?.slice(0, 4)).toEqual(['编号', '分类', '状态', '紧急']);
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(await nosWhere('true'));
    expect(new Set(rows.map((r) => r.length)).size).toBe(1);
  });

  it.each([
    ['?building=jw-b7', `building_id = 'jw-b7'`],
    ['?status=active&compound=jinianlu', `status IN ('open','acknowledged') AND compound_id = 'jinianlu'`],
    [
      '?overdue=1',
      `(status = 'open' AND ack_due_at < '${NOW.toISOString()}') OR (status IN ('open','acknowledged') AND resolve_due_at < '${NOW.toISOString()}')`,
    ],
    ['?council=1&escalated=1', `council AND escalation_level > 0`],
    ['?q=路灯', `text LIKE '%路灯%'`],
  ])('applies the list filters %s', async (query, condition) => {
    const { rows } = await csv(query);
    const expected = await nosWhere(condition);
    expect(expected.length).toBeGreaterThan(0);
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(expected);
  });

  it('writes names, places and local times, phone numbers masked', async () => {
    const { rows } = await csv(`?q=%23${seeded.phone}`);
    const header = rows[0] ?? [];
    const row = Object.fromEntries(header.map((h, i) => [h, rows[1]?.[i]]));
    expect(row).toMatchObject({
      编号: String(seeded.phone),
      分类: '报修',
      状态: '处理中',
      小区: '场中路三村',
      楼栋: '12号楼',
      单元: '1',
      内容: '1单元厨房水管漏水，电话139****5678',
      处理人: '徐芳',
      协助队伍: '水管志愿队',
      上报: '已上报网格员',
      议事会: '是',
      超时: '是',
      提交时间: '2026-11-23 14:00',
      接单时间: '2026-11-23 15:00',
    });
    const all = (await csv()).raw.toString('utf8');
    expect(all).not.toContain(PHONE);
    expect(all).not.toMatch(/1[3-9]\d{9}/);
  });

  it('keeps markup and quotes as data', async () => {
    const { rows } = await csv(`?q=%23${seeded.script}`);
    expect(rows[1]?.[8]).toBe(SCRIPT_TEXT);
  });

  it('answers a misspelt filter with 400 rather than export everything', async () => {
    expect((await client.fetch('/admin/requests.csv?bulding=jw-b7')).status).toBe(400);
  });
});

interface GeoRequest {
  [key: string]: unknown;
  service_request_id: string;
  status: string;
}

async function open311(path: string): Promise<GeoRequest[]> {
  const res = await fetch(`${server.url}/api/open311/${path}`, {
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  return (await res.json()) as GeoRequest[];
}

const ids = (list: GeoRequest[]) => list.map((r) => Number(r.service_request_id));

describe('Open311 GeoReport v2', () => {
  it('lists the categories as services', async () => {
    const services = await open311('services.json');
    expect(services.map((s) => s.service_code)).toEqual([
      'repair',
      'help',
      'complaint',
      'suggestion',
      'question',
      'council',
      'parking',
    ]);
    expect(services[0]).toEqual({
      service_code: 'repair',
      service_name: '报修',
      description: '居民在楼栋群里发「#报修」登记的诉求',
      metadata: false,
      type: 'realtime',
      keywords: '报修,维修,保修,抱修,坏了,修一下',
      group: '社区诉求',
    });
  });

  it('gives each request the standard fields, phone numbers masked and no room', async () => {
    const [one] = await open311(`requests.json?service_request_id=${seeded.phone}`);
    expect(one).toEqual({
      service_request_id: String(seeded.phone),
      status: 'open',
      status_notes: '处理中；已上报网格员；已列入居民议事会',
      service_name: '报修',
      service_code: 'repair',
      description: '1单元厨房水管漏水，电话139****5678',
      agency_responsible: '江湾街道',
      requested_datetime: '2026-11-23T14:00:00+08:00',
      updated_datetime: '2026-11-24T14:00:00+08:00',
      expected_datetime: '2026-11-24T14:00:00+08:00',
      address: '场中路 1200 弄 场中路三村 12号楼1单元',
    });
    expect(await open311(`requests/${seeded.phone}.json`)).toEqual([one]);
  });

  it('answers the last 90 days by default, newest first', async () => {
    const since = new Date(NOW.getTime() - 90 * 86_400_000).toISOString();
    expect(ids(await open311('requests.json'))).toEqual(await nosWhere(`created_at >= '${since}'`));
  });

  it.each([
    ['status=open', `status IN ('open','acknowledged')`],
    ['status=closed', `status IN ('resolved','closed','withdrawn')`],
    ['status=open,closed', 'true'],
    ['service_code=repair,parking', `category IN ('repair','parking')`],
    [
      'start_date=2026-11-01T00:00:00%2B08:00&end_date=2026-11-20',
      `created_at >= '2026-10-31T16:00:00Z' AND created_at < '2026-11-19T16:00:00Z'`,
    ],
    ['compound=jinianlu&service_code=repair', `compound_id = 'jinianlu' AND category = 'repair'`],
    ['service_request_id=1,2,99999&status=open', 'no IN (1, 2)'],
  ])('?%s', async (query, condition) => {
    const since = new Date(NOW.getTime() - 90 * 86_400_000).toISOString();
    const window =
      query.includes('start_date') || query.includes('service_request_id')
        ? 'true'
        : `created_at >= '${since}'`;
    const found = await open311(`requests.json?${query}`);
    expect(ids(found)).toEqual(await nosWhere(`(${condition}) AND ${window}`));
    if (query === 'status=open') expect(new Set(found.map((r) => r.status))).toEqual(new Set(['open']));
  });

  it.each([
    'status=pending',
    'service_code=REPAIR',
    'start_date=yesterday',
    'format=xml',
    'service_request_id=abc',
    // Dates outside what a street's history can hold, or a range that ends before it starts.
    'end_date=0001-01-01T00:00:00Z',
    'start_date=0000-01-01T00:00:00Z',
    'end_date=9999-12-31T23:59:59-23:59',
    'start_date=2026-11-20&end_date=2026-11-01',
  ])('answers ?%s with 400', async (query) => {
    const res = await fetch(`${server.url}/api/open311/requests.json?${query}`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(400);
    // GeoReport v2's error shape, so a client reads every answer as JSON; no detail, as elsewhere.
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual([{ code: 400, description: 'Bad Request' }]);
  });

  it.each([
    ['requests/999.json', 404, `Bearer ${ADMIN_TOKEN}`],
    ['requests.json', 401, 'Bearer wrong-token'],
  ])('answers errors on %s in GeoReport v2 form', async (path, status, authorization) => {
    const res = await fetch(`${server.url}/api/open311/${path}`, {
      headers: { Authorization: authorization },
    });
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual([
      { code: status, description: status === 404 ? 'Not Found' : 'Unauthorized' },
    ]);
    if (status === 401) expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it.each(['requests.xml', 'services.xml', 'requests/999.json', 'requests/abc.json', 'discovery.json'])(
    'answers %s with 404',
    async (path) => {
      const res = await fetch(`${server.url}/api/open311/${path}`, {
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(res.status).toBe(404);
    },
  );

  it('is readable with the session of a signed-in browser', async () => {
    const res = await client.fetch('/api/open311/requests.json?status=open');
    expect(res.status).toBe(200);
  });

  it('never lets a phone number out', async () => {
    const text = JSON.stringify(await open311('requests.json?start_date=2020-01-01'));
    expect(text).not.toMatch(/1[3-9]\d{9}/);
    expect(text).toContain(SCRIPT_TEXT.replace(/"/g, '\\"'));
  });
});
