import type { DataSource } from 'typeorm';
import { readLedgerFile, type LedgerDocument } from '../../src/ledger';
import { importLedger, LedgerCache } from '../../src/ledger/ledger-store';
import { findRequestByNo } from '../../src/requests/request-store';
import { fixedClock } from '../../src/shared/clock';
import { openTestDatabase, truncate, undoMigrationsThrough, type TestDatabase } from '../helpers/database';
import { addRequest } from './scheduler/scheduler-fixtures';

/**
 * The building table: every building the ledger ever named, written by each import and, for a
 * database from before it, filled in by its migration from the stored ledger versions.
 */
let db: TestDatabase;

beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());
beforeEach(() => truncate(db.dataSource, 'ledger_version', 'person', 'building', 'request'));

const at = (day: number) => new Date(Date.UTC(2026, 10, day, 2));

/** The example street, changed by `edit` (江湾小区: jw-b5 to jw-b8). */
function street(edit: (doc: LedgerDocument) => void = () => {}): LedgerDocument {
  const read = readLedgerFile('examples/ledger.yaml');
  if (!read.ok) throw new Error(read.problems.join('\n'));
  const doc = structuredClone(read.ledger);
  edit(doc);
  return doc;
}

function jiangwan(doc: LedgerDocument) {
  const compound = doc.compounds.find((c) => c.id === 'jiangwan');
  if (!compound) throw new Error('the example street has no 江湾小区');
  return compound;
}

const without =
  (...ids: string[]) =>
  (doc: LedgerDocument) => {
    jiangwan(doc).buildings = jiangwan(doc).buildings.filter((b) => !ids.includes(b.id));
  };

function load(ds: DataSource, doc: LedgerDocument, day: number) {
  return importLedger(ds, doc, fixedClock(at(day)), `day ${day}`);
}

async function jiangwanRows(ds: DataSource) {
  return ds.query<Record<string, unknown>[]>(
    `SELECT id, compound_name, name, active, deactivated_at FROM building WHERE compound_id = 'jiangwan' ORDER BY id`,
  );
}

it('keeps a building an import drops, and takes it back, renamed, when one names it again', async () => {
  const ds = db.dataSource;
  await load(ds, street(), 1);
  await load(ds, street(without('jw-b7')), 2);
  expect(await jiangwanRows(ds)).toEqual([
    { id: 'jw-b5', compound_name: '江湾小区', name: '5号楼', active: true, deactivated_at: null },
    { id: 'jw-b6', compound_name: '江湾小区', name: '6号楼', active: true, deactivated_at: null },
    { id: 'jw-b7', compound_name: '江湾小区', name: '7号楼', active: false, deactivated_at: at(2) },
    { id: 'jw-b8', compound_name: '江湾小区', name: '8号楼', active: true, deactivated_at: null },
  ]);
  const ledger = await new LedgerCache().current(ds);
  expect(ledger.buildingNames('jw-b7')).toEqual({ compound: '江湾小区', building: '7号楼' });

  await load(
    ds,
    street((doc) => {
      const b7 = jiangwan(doc).buildings.find((b) => b.id === 'jw-b7');
      if (b7) b7.name = '7号楼（东）';
    }),
    3,
  );
  expect((await jiangwanRows(ds))[2]).toEqual({
    id: 'jw-b7',
    compound_name: '江湾小区',
    name: '7号楼（东）',
    active: true,
    deactivated_at: null,
  });
  expect((await new LedgerCache().current(ds)).buildingNames('jw-b7')).toEqual({
    compound: '江湾小区',
    building: '7号楼（东）',
  });
});

it('is filled in from the stored ledger versions on a database from before it', async () => {
  const ds = db.dataSource;
  // A street with history: 7号楼 left at the second import, 6号楼 at the third, and 江湾小区 was
  // 江湾新村 until then.
  await load(
    ds,
    street((doc) => {
      jiangwan(doc).name = '江湾新村';
    }),
    1,
  );
  const in7 = await addRequest(ds, {
    compoundId: 'jiangwan',
    buildingId: 'jw-b7',
    assigneeId: 'wang.jg',
    createdAt: at(1),
  });
  await load(
    ds,
    street((doc) => {
      jiangwan(doc).name = '江湾新村';
      without('jw-b7')(doc);
    }),
    2,
  );
  await load(ds, street(without('jw-b6', 'jw-b7')), 3);

  // Back to the schema before the table, then the upgrade.
  await undoMigrationsThrough(ds, 'Building1764301300000');
  expect(await ds.query(`SELECT to_regclass('building') AS t`)).toEqual([{ t: null }]);
  await ds.runMigrations({ transaction: 'each' });

  expect(await jiangwanRows(ds)).toEqual([
    { id: 'jw-b5', compound_name: '江湾小区', name: '5号楼', active: true, deactivated_at: null },
    { id: 'jw-b6', compound_name: '江湾新村', name: '6号楼', active: false, deactivated_at: at(3) },
    { id: 'jw-b7', compound_name: '江湾新村', name: '7号楼', active: false, deactivated_at: at(2) },
    { id: 'jw-b8', compound_name: '江湾小区', name: '8号楼', active: true, deactivated_at: null },
  ]);
  const [{ n } = { n: 0 }] = await ds.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM building WHERE active`,
  );
  expect(n).toBe(street().compounds.flatMap((c) => c.buildings).length - 2);

  const ledger = await new LedgerCache().current(ds);
  const request = await findRequestByNo(ds, in7);
  if (!request) throw new Error(`no request #${in7}`);
  // The compound under its name now, the building as the ledger last named it.
  expect(ledger.buildingNames(request.buildingId)).toEqual({ compound: '江湾小区', building: '7号楼' });

  // Imports carry on from the filled table: 6号楼 comes back.
  await load(ds, street(without('jw-b7')), 4);
  expect((await jiangwanRows(ds)).map((r) => [r.id, r.active])).toEqual([
    ['jw-b5', true],
    ['jw-b6', true],
    ['jw-b7', false],
    ['jw-b8', true],
  ]);
});
