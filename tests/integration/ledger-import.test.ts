import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { importLedgerFile } from '../../src/ledger/import-file';
import type { Logger } from 'typeorm';
import { currentLedgerDocument, importLedger, LedgerCache } from '../../src/ledger/ledger-store';
import { readLedgerFile, serializeLedger, type LedgerDocument } from '../../src/ledger';
import { fixedClock } from '../../src/shared/clock';
import {
  createScratchDatabase,
  openTestDatabase,
  usingPostgres,
  type TestDatabase,
} from '../helpers/database';
import { freePorts, spawnService } from '../helpers/service-process';

const clock = fixedClock('2026-11-28T02:00:00Z');
let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await openTestDatabase();
  dir = mkdtempSync(path.join(tmpdir(), 'mulin-ledger-'));
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

function writeYaml(name: string, mutate: (doc: Record<string, unknown>) => void): string {
  const doc = parse(readFileSync('examples/ledger.yaml', 'utf8')) as Record<string, unknown>;
  mutate(doc);
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

async function people(): Promise<{ id: string; active: boolean }[]> {
  return db.dataSource.query(`SELECT id, active FROM person ORDER BY id`);
}

it('imports once, is idempotent, deactivates removed people and refuses an invalid file whole', async () => {
  const first = await importLedgerFile(db.dataSource, 'examples/ledger.yaml', clock);
  expect(first).toMatchObject({ ok: true, changed: true, version: 1, deactivated: [] });
  const again = await importLedgerFile(db.dataSource, 'examples/ledger.yaml', clock);
  expect(again).toMatchObject({ ok: true, changed: false, version: 1 });

  // 郑海平 (zheng.hp), head of 5号楼 2单元, steps down and leaves the ledger.
  const without = writeYaml('without.json', (doc) => {
    doc.people = (doc.people as { id: string }[]).filter((p) => p.id !== 'zheng.hp');
    const compounds = doc.compounds as { buildings: { units: { head?: string }[] }[] }[];
    delete compounds[0]?.buildings[0]?.units[1]?.head;
  });
  const second = await importLedgerFile(db.dataSource, without, clock);
  expect(second).toMatchObject({ ok: true, changed: true, version: 2, deactivated: ['zheng.hp'] });
  expect((await people()).find((p) => p.id === 'zheng.hp')).toEqual({ id: 'zheng.hp', active: false });
  const ledger = await new LedgerCache().current(db.dataSource);
  expect(ledger.version).toBe(2);
  expect(ledger.person('zheng.hp')).toBeUndefined();

  // An invalid file (a unit head nobody knows) changes nothing and says where.
  const invalid = writeYaml('invalid.json', (doc) => {
    const compounds = doc.compounds as { buildings: { units: { head?: string }[] }[] }[];
    const unit = compounds[0]?.buildings[2]?.units[1];
    if (unit) unit.head = 'nobody.here';
  });
  const refused = await importLedgerFile(db.dataSource, invalid, clock);
  expect(refused).toEqual({
    ok: false,
    problems: ['compounds[0].buildings[2].units[1].head: unknown person "nobody.here"'],
  });
  expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM ledger_version`)).toEqual([{ n: 2 }]);

  // Export gives back what was imported.
  const exported = await currentLedgerDocument(db.dataSource);
  const expected = readLedgerFile(without);
  expect(expected.ok && exported).toEqual(expected.ok ? expected.ledger : null);
  expect(serializeLedger(exported!, 'yaml')).toContain('name: 江湾街道');
});

it('takes its own export back as unchanged, whatever order the keys of a profile come back in', async () => {
  // The document is kept as jsonb, which orders keys its own way: the export's profiles list
  // 设施 before 居民结构, where the file had them the other way round.
  await importLedgerFile(db.dataSource, 'examples/ledger.yaml', clock);
  const exported = path.join(dir, 'exported.yaml');
  writeFileSync(exported, serializeLedger((await currentLedgerDocument(db.dataSource))!, 'yaml'));
  const before = await db.dataSource.query(`SELECT count(*)::int AS n FROM ledger_version`);
  expect(await importLedgerFile(db.dataSource, exported, clock)).toMatchObject({ ok: true, changed: false });
  expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM ledger_version`)).toEqual(before);
});

/** How many statements `run` sends to the database (TypeORM logs each one it sends). */
async function statementsOf(run: () => Promise<unknown>): Promise<number> {
  const source = db.dataSource as { logger: Logger };
  const original = source.logger;
  let sent = 0;
  source.logger = Object.assign(Object.create(original) as Logger, {
    logQuery: () => {
      sent++;
    },
  });
  try {
    await run();
  } finally {
    source.logger = original;
  }
  return sent;
}

it('writes the people of a large ledger in as many statements as those of a small one', async () => {
  // A street of 20,000 buildings has some 80,000 heads: one statement each took minutes.
  const example = parse(readFileSync('examples/ledger.yaml', 'utf8')) as LedgerDocument;
  const withExtra = (group: string, n: number): LedgerDocument => ({
    ...example,
    people: [
      ...example.people,
      ...Array.from({ length: n }, (_, i) => ({ id: `resident.${group}${i}`, name: `居民${i}` })),
    ],
  });
  await importLedger(db.dataSource, withExtra('a', 3), clock, 'a');
  // Each adds its own residents and deactivates the ones before.
  const large = await statementsOf(() => importLedger(db.dataSource, withExtra('b', 2000), clock, 'b'));
  const small = await statementsOf(() => importLedger(db.dataSource, withExtra('c', 3), clock, 'c'));
  expect(large).toBe(small);
  const people = await db.dataSource.query(
    `SELECT left(id, 10) AS "group", active, count(*)::int AS n FROM person
      WHERE id LIKE 'resident.%' GROUP BY 1, 2 ORDER BY 1`,
  );
  expect(people).toEqual([
    { group: 'resident.a', active: false, n: 3 },
    { group: 'resident.b', active: false, n: 2000 },
    { group: 'resident.c', active: true, n: 3 },
  ]);
});

it('imports MULIN_LEDGER at start, and refuses to start on an invalid one', async () => {
  const PORT = String((await freePorts(1))[0]);
  const invalid = writeYaml('bad-start.json', (doc) => {
    (doc.compounds as { grid_workers: string[] }[])[0]!.grid_workers = ['ghost'];
  });
  let database: Record<string, string> = { MULIN_DATA_DIR: path.join(dir, 'start-data') };
  let drop = () => Promise.resolve();
  if (usingPostgres) {
    const scratch = await createScratchDatabase();
    database = { DATABASE_URL: scratch.url };
    drop = () => scratch.drop();
  }
  try {
    const bad = spawnService({ ...database, PORT, MULIN_LEDGER: invalid, MULIN_TRIAL: 'off' });
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toContain('compounds[0].grid_workers[0]: unknown person "ghost"');

    const good = spawnService({
      ...database,
      PORT,
      MULIN_LEDGER: 'examples/ledger.yaml',
      MULIN_TRIAL: 'off',
    });
    // A fresh embedded database is created and migrated first: on a loaded machine, over 30 s.
    await good.waitFor(/"msg":"ready"/, 120_000);
    expect(good.output()).toContain('Ledger imported as version 1');
    good.child.kill('SIGTERM');
    expect(await good.exited).toBe(0);
  } finally {
    await drop();
  }
}, 180_000);
