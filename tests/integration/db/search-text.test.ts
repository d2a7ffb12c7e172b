import { PHONE_PATTERN } from '../../../src/requests/phone-mask';
import { searchRequests } from '../../../src/requests/request-search';
import { openTestDatabase, undoMigrationsThrough, type TestDatabase } from '../../helpers/database';

/**
 * 搜索 reads the request's text with its phone numbers taken out, stored in search_text and indexed
 * for substring search (migration 1764301700000): filled for the requests written before the
 * upgrade, kept by the database for every request written or changed after it, by any writer.
 */
let db: TestDatabase;
const NOW = new Date('2026-11-25T06:00:00Z');
const withoutPhones = (text: string) => text.replace(new RegExp(PHONE_PATTERN, 'g'), '');

beforeAll(async () => {
  db = await openTestDatabase();
});

afterAll(() => db.close());

async function insert(texts: readonly string[]): Promise<void> {
  await db.dataSource.query(
    `INSERT INTO request (no, category, text, reporter_id, status, created_at, updated_at)
     SELECT (SELECT COALESCE(max(no), 0) FROM request) + n, 'repair', t, 'res.' || n, 'open', $2, $2
       FROM unnest($1::text[]) WITH ORDINALITY AS x(t, n)`,
    [texts, NOW],
  );
}

async function stored(): Promise<{ text: string; search_text: string | null }[]> {
  return db.dataSource.query(`SELECT text, search_text FROM request ORDER BY no`);
}

const search = async (text: string) =>
  (await searchRequests(db.dataSource, { text }, NOW, { limit: 50, offset: 0 })).map((r) => r.text);

it('fills the requests written before the upgrade, batch after batch, and keeps every later one', async () => {
  const ds = db.dataSource;
  await undoMigrationsThrough(ds, 'SearchText1764301700000');
  // More than two batches of 5,000, some with a phone number, as the old schema stored them.
  await ds.query(
    `INSERT INTO request (no, category, text, reporter_id, status, created_at, updated_at)
     SELECT g, 'repair', CASE WHEN g % 1000 = 7 THEN '302室漏水，电话 139 1234 ' || lpad(g::text, 4, '0')
                              ELSE '楼道灯不亮 ' || g END, 'res.' || g, 'closed', $1, $1
       FROM generate_series(1, 12001) g`,
    [NOW],
  );
  await ds.runMigrations({ transaction: 'each' });

  const before = await stored();
  expect(before).toHaveLength(12001);
  expect(before.filter((r) => r.search_text !== withoutPhones(r.text))).toEqual([]);
  expect(before.filter((r) => r.search_text !== r.text)).toHaveLength(12);

  // Written after, by any writer, and changed: the database keeps search_text.
  await insert(['电话13912345678，5楼', '楼下有人乱停车']);
  await ds.query(`UPDATE request SET text = '门禁坏了，联系 13800001111' WHERE no = 2`);
  const after = await stored();
  expect(after.filter((r) => r.search_text !== withoutPhones(r.text))).toEqual([]);
  expect(after.find((r) => r.text.startsWith('门禁坏了'))?.search_text).toBe('门禁坏了，联系 ');

  // Found by words and digits outside a phone number, never by the digits of one.
  expect(await search('电话')).toEqual(
    [
      '电话13912345678，5楼',
      ...before
        .filter((r) => r.text.includes('电话'))
        .map((r) => r.text)
        .reverse(),
    ].slice(0, 13),
  );
  expect(await search('1234567')).toEqual([]);
  expect(await search('139 1234')).toEqual([]);
  expect(await search('联系 138')).toEqual([]);
  expect(await search('5楼')).toEqual(['电话13912345678，5楼']);
});

it('indexes the stored text for substring search, with pg_trgm, on either database', async () => {
  const indexes = await db.dataSource.query<{ indexname: string; indexdef: string }[]>(
    `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'request' AND indexname IN
       ('ix_request_search_text', 'ix_request_building', 'ix_request_handler') ORDER BY indexname`,
  );
  expect(indexes.map((i) => i.indexname)).toEqual([
    'ix_request_building',
    'ix_request_handler',
    'ix_request_search_text',
  ]);
  expect(indexes[2]?.indexdef).toContain('gin (search_text gin_trgm_ops)');
  // And a search is read from them: a few rows out of twelve thousand. Vacuumed as well as
  // analysed: the upgrade cases above rewrite rows, and whether autovacuum has cleared them (and the
  // GIN index's pending list) by now depends on the machine's load, which swayed the plan.
  await db.dataSource.query('VACUUM ANALYZE request');
  const plan = await db.dataSource.query<{ 'QUERY PLAN': string }[]>(
    `EXPLAIN SELECT no FROM request
      WHERE search_text LIKE '%302室%' OR no = 302 OR building_id = ANY('{b1}') OR assignee_id = ANY('{p1}')`,
  );
  const text = plan.map((r) => r['QUERY PLAN']).join('\n');
  for (const index of [
    'ix_request_search_text',
    'request_no_key',
    'ix_request_building',
    'ix_request_handler',
  ])
    expect(text).toContain(index);
  expect(text).not.toContain('Seq Scan');
});

it('takes numbers in Chinese numerals out of the search text of requests written before, rewriting no other', async () => {
  const ds = db.dataSource;
  await undoMigrationsThrough(ds, 'ChineseNumeralPhones1764302200000');
  const texts = [
    '3单元501门口灯坏了 有事打我电话一三九一二三四五六七八',
    '楼道漏水 幺三九幺二三四五六七八 或 139 1234 5678',
    '三单元五楼灯坏了，一二楼之间也黑',
  ];
  await insert(texts);
  // As the search text was kept before: only the numbers in Arabic digits taken out.
  await ds.query(
    `UPDATE request SET search_text = CASE WHEN text LIKE '楼道漏水%' THEN '楼道漏水 幺三九幺二三四五六七八 或 '
                                           ELSE text END
      WHERE text = ANY($1::text[])`,
    [texts],
  );
  expect(await search('一三九一二')).toEqual([texts[0]]);
  const written = async () =>
    new Map(
      (await ds.query<{ no: number; xmin: string }[]>(`SELECT no, xmin::text FROM request`)).map((r) => [
        r.no,
        r.xmin,
      ]),
    );
  const before = await written();

  await ds.runMigrations({ transaction: 'each' });

  const rows = await stored();
  expect(rows.filter((r) => r.search_text !== withoutPhones(r.text))).toEqual([]);
  expect(rows.filter((r) => texts.includes(r.text)).map((r) => r.search_text)).toEqual([
    '3单元501门口灯坏了 有事打我电话',
    '楼道漏水  或 ',
    texts[2],
  ]);
  for (const digits of ['一三九', '一三九一二', '幺三九', '二三四五', '五六七八'])
    expect(await search(digits)).toEqual([]);
  expect(await search('灯坏了')).toEqual([texts[2], texts[0]]);
  // Only the two whose search text changed were written again.
  const after = await written();
  const rewritten = [...after].filter(([no, xmin]) => before.get(no) !== xmin).map(([no]) => no);
  const nos = await ds.query<{ no: number }[]>(
    `SELECT no FROM request WHERE text = ANY($1::text[]) ORDER BY no LIMIT 2`,
    [texts],
  );
  expect(rewritten.sort((a, b) => a - b)).toEqual(nos.map((r) => r.no));
});
