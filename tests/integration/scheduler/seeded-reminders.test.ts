import { syntheticLedger, type StreetShape } from '../../../bench/lib/street';
import { seedOpenRequests } from '../../../bench/reminder-sweep';
import { seedDueRequests } from '../../../chaos/scheduler-instances';
import { Ledger } from '../../../src/ledger/ledger';
import { openTestDatabase, truncate, type TestDatabase } from '../../helpers/database';

/**
 * The reminder-sweep benchmark and the scheduler chaos case write their open requests straight
 * into the database. Their reminders only show what a street's would if each request is where the
 * street's ledger puts it: in its building's group, in that building's compound, held by that
 * building's head. A handler the ledger does not know is @-ed in no group and reminded of nothing.
 */
let db: TestDatabase;

beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());
beforeEach(() => truncate(db.dataSource, 'request'));

interface Row {
  no: number;
  compound_id: string;
  building_id: string;
  chat_id: string;
  assignee_id: string;
}

/** The seeded requests that are not where `shape`'s ledger puts them, or not held by its head. */
async function misplaced(shape: StreetShape): Promise<{ rows: number; misplaced: Row[] }> {
  const ledger = new Ledger(syntheticLedger(shape), 1);
  const rows = await db.dataSource.query<Row[]>(
    `SELECT no, compound_id, building_id, chat_id, assignee_id FROM request ORDER BY no`,
  );
  return {
    rows: rows.length,
    misplaced: rows.filter((r) => {
      const place = ledger.placeOfBuilding(r.building_id);
      return (
        place?.compound.id !== r.compound_id ||
        place.building.chat_id !== r.chat_id ||
        place.building.head !== r.assignee_id
      );
    }),
  };
}

// The street the runner builds, and a smaller one cut differently into compounds.
const shapes: StreetShape[] = [
  { buildings: 1000, buildingsPerCompound: 20, unitsPerBuilding: 2 },
  { buildings: 45, buildingsPerCompound: 7, unitsPerBuilding: 0 },
];

it.each(shapes)("seeds the benchmark's requests with their building's head (%o)", async (shape) => {
  await seedOpenRequests((sql) => db.dataSource.query(sql), shape, 3000, 100);
  const found = await misplaced(shape);
  expect(found.rows).toBe(3000);
  expect(found.misplaced.slice(0, 3)).toEqual([]);
});

it.each(shapes)("seeds the chaos case's requests with their building's head (%o)", async (shape) => {
  const sweeps = [new Date('2026-11-30T02:00:00Z'), new Date('2026-11-30T02:10:00Z')];
  await seedDueRequests((sql) => db.dataSource.query(sql), shape, sweeps, 20);
  const found = await misplaced(shape);
  expect(found.rows).toBe(40);
  expect(found.misplaced.slice(0, 3)).toEqual([]);
});
