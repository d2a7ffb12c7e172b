import type { DataSource } from 'typeorm';
import { openDatabase } from '../../../src/db/data-source';
import { migrations } from '../../../src/db/migrations';
import { readLedgerFile } from '../../../src/ledger';
import { importLedger, type ImportResult } from '../../../src/ledger/ledger-store';
import type { LedgerDocument } from '../../../src/ledger/schema';
import { fixedClock } from '../../../src/shared/clock';
import { createScratchDatabase } from '../../helpers/database';

/**
 * Several instances started together on one database (a deploy of three replicas, a rolling
 * restart), each on its own connection pool as separate processes are: they migrate the schema
 * once between them, and imports of the ledger (each starting with MULIN_LEDGER, or staff importing
 * meanwhile) are serialized, none diffing against a version another is replacing.
 */
const clock = fixedClock('2026-11-28T02:00:00Z');
let scratch: { url: string; drop(): Promise<void> };
let instances: DataSource[] = [];

function exampleLedger(): LedgerDocument {
  const read = readLedgerFile('examples/ledger.yaml');
  if (!read.ok) throw new Error(read.problems.join('\n'));
  return read.ledger;
}

/** The example without one person, who also leaves the unit they headed. */
function without(document: LedgerDocument, personId: string): LedgerDocument {
  const copy = structuredClone(document) as LedgerDocument & {
    compounds: { buildings: { head?: string; units: { head?: string }[] }[] }[];
  };
  copy.people = copy.people.filter((p) => p.id !== personId);
  for (const building of copy.compounds.flatMap((c) => c.buildings)) {
    if (building.head === personId) delete building.head;
    for (const unit of building.units ?? []) if (unit.head === personId) delete unit.head;
  }
  return copy;
}

beforeAll(async () => {
  scratch = await createScratchDatabase();
});

afterAll(async () => {
  await Promise.all(instances.map((d) => d.destroy()));
  await scratch.drop();
});

async function versions(): Promise<{ id: string; checksum: string }[]> {
  return instances[0]!.query(`SELECT id, checksum FROM ledger_version ORDER BY id`);
}

it('four instances opening a fresh database at once all start, and apply each migration once', async () => {
  instances = await Promise.all(
    [0, 1, 2, 3].map(() => openDatabase({ databaseUrl: scratch.url, dataDir: 'unused' })),
  );
  const applied = await instances[0]!.query<{ name: string }[]>(`SELECT name FROM mulin_migrations`);
  expect(applied.map((m) => m.name).sort()).toEqual(migrations.map((m) => m.name).sort());
});

it('four instances importing the same ledger at once write one version', async () => {
  const document = exampleLedger();
  const results = await Promise.all(instances.map((d) => importLedger(d, document, clock, 'start')));
  expect(results.filter((r) => r.changed)).toHaveLength(1);
  const [only] = await versions();
  expect(await versions()).toHaveLength(1);
  // The instances that found it imported report that version, not one of their own.
  expect(new Set(results.map((r) => r.version))).toEqual(new Set([Number(only?.id)]));
});

it('two ledgers imported at once, twice each: each version differs from the one before, and people follow the last', async () => {
  const before = (await versions()).length;
  const full = exampleLedger();
  const leaving = full.people.find((p) => p.id === 'zheng.hp')?.id;
  expect(leaving).toBe('zheng.hp');
  const smaller = without(full, 'zheng.hp');
  const documents = [smaller, full, smaller, full];
  const results: ImportResult[] = await Promise.all(
    documents.map((document, i) => importLedger(instances[i]!, document, clock, `import ${i}`)),
  );

  const written = (await versions()).slice(before);
  expect(written).toHaveLength(results.filter((r) => r.changed).length);
  const all = await versions();
  for (let i = 1; i < all.length; i++) expect(all[i]?.checksum).not.toBe(all[i - 1]?.checksum);

  // The person table agrees with whichever document was imported last.
  const [last] = await instances[0]!.query<{ document: LedgerDocument }[]>(
    `SELECT document FROM ledger_version ORDER BY id DESC LIMIT 1`,
  );
  const active = await instances[0]!.query<{ id: string }[]>(`SELECT id FROM person WHERE active`);
  expect(active.map((p) => p.id).sort()).toEqual(last!.document.people.map((p) => p.id).sort());
  // Each import that changed something says what it changed against the version before it.
  const deactivations = results.filter((r) => r.deactivated.includes('zheng.hp')).length;
  const reactivations = results.filter((r) => r.reactivated.includes('zheng.hp')).length;
  expect(deactivations - reactivations).toBe(last!.document.people.some((p) => p.id === 'zheng.hp') ? 0 : 1);
});
