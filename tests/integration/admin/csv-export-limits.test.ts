import path from 'node:path';
import { MAX_EXPORT_ROWS } from '../../../src/http/admin/csv-export';
import { readLedgerFile } from '../../../src/ledger';
import { importLedger } from '../../../src/ledger/ledger-store';
import { requestBatches } from '../../../src/requests/request-batches';
import { fixedClock } from '../../../src/shared/clock';
import { openTestDatabase, type TestDatabase } from '../../helpers/database';
import { AdminClient, squash } from './admin-client';
import { ADMIN_TOKEN, NOW, startAdminServer, type AdminServer } from './admin-fixtures';

/**
 * A street with more requests than one export may hold: every tenth in 7号楼, the rest in 5号楼.
 * Rows are written directly: only their number, place and category matter here.
 */
const BULK = MAX_EXPORT_ROWS + 1;

let db: TestDatabase;
let server: AdminServer;
let client: AdminClient;

async function addRequests(from: number, to: number, building: (n: string) => string): Promise<void> {
  await db.dataSource.query(
    `INSERT INTO request (no, compound_id, building_id, category, text, reporter_id, status, created_at, updated_at)
     SELECT n, 'jiangwan', ${building('n')}, 'repair', '楼道灯不亮（' || n || '）', 'res.' || n, 'closed',
            $1::timestamptz - ($3 - n) * interval '1 minute', $1::timestamptz
     FROM generate_series($2::int, $3::int) AS n`,
    [NOW, from, to],
  );
  await db.dataSource.query(`UPDATE request_counter SET last_no = $1`, [to]);
}

async function nosWhere(condition: string): Promise<number[]> {
  const rows = await db.dataSource.query<{ no: number }[]>(
    `SELECT no FROM request WHERE ${condition} ORDER BY no DESC`,
  );
  return rows.map((r) => r.no);
}

beforeAll(async () => {
  db = await openTestDatabase();
  const read = readLedgerFile(path.join(__dirname, '..', '..', '..', 'examples', 'ledger.yaml'));
  if (!read.ok) throw new Error(read.problems.join('\n'));
  await importLedger(db.dataSource, read.ledger, fixedClock(NOW), 'examples/ledger.yaml');
  await addRequests(1, BULK, (n) => `CASE WHEN ${n} % 10 = 0 THEN 'jw-b7' ELSE 'jw-b5' END`);
  server = await startAdminServer(db.dataSource, { adminToken: ADMIN_TOKEN });
  client = new AdminClient(server.url);
  await client.signIn();
  // Writing 50,001 requests takes a while on the embedded database, the more on a busy machine.
}, 180_000);

afterAll(async () => {
  await server.close();
  await db.close();
});

describe('an export past its cap', () => {
  it('is refused with a page that says so, not cut short in silence', async () => {
    const res = await client.fetch('/admin/requests.csv?category=repair&compound=jiangwan');
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBeNull();
    const page = squash(await res.text());
    expect(page).toContain(`<h1>要导出的诉求太多</h1>`);
    expect(page).toContain(`超过 ${MAX_EXPORT_ROWS} 条`);
    // Back to the same list, to narrow it.
    expect(page).toContain(
      '<a class="button" href="/admin/requests?compound=jiangwan&amp;category=repair">返回诉求列表</a>',
    );
  });

  it('is not refused once the filters narrow it: every matching request, once each', async () => {
    const res = await client.fetch('/admin/requests.csv?building=jw-b7');
    expect(res.status).toBe(200);
    const lines = (await res.text()).split('\r\n').filter(Boolean).slice(1);
    expect(lines.map((line) => Number(line.split(',')[0]))).toEqual(await nosWhere(`building_id = 'jw-b7'`));
  });
});

describe('reading requests in batches', () => {
  it('neither repeats nor skips a request when new ones arrive between two batches', async () => {
    const expected = await nosWhere(`building_id = 'jw-b7'`);
    const read: number[] = [];
    let batches = 0;
    for await (const batch of requestBatches(db.dataSource, { buildingId: 'jw-b7' }, NOW, 1000)) {
      read.push(...batch.map((r) => r.no));
      batches++;
      // Newer requests in the same building, as residents keep posting during an export.
      if (batches <= 2) await addRequests(BULK + batches * 10 - 9, BULK + batches * 10, () => `'jw-b7'`);
    }
    expect(batches).toBeGreaterThan(2);
    expect(read).toEqual(expected);
  });
});
