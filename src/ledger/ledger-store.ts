import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { handOverFromDeparted } from '../requests/hand-over';
import type { Clock } from '../shared/clock';
import { Ledger, type LedgerHistory } from './ledger';
import type { LedgerDocument } from './schema';

export interface ImportResult {
  /** False when the document equals the current one: nothing was written. */
  readonly changed: boolean;
  readonly version: number;
  readonly added: readonly string[];
  readonly deactivated: readonly string[];
  readonly reactivated: readonly string[];
  /** Requests still being handled by someone deactivated, now with whoever the ledger names. */
  readonly handedOver: number;
}

export interface ImportOptions {
  /** Whether hand-over notices may go privately to a building without a group robot. */
  readonly privateNotices?: boolean;
}

function checksumOf(document: LedgerDocument): string {
  return createHash('sha256').update(JSON.stringify(document)).digest('hex');
}

/**
 * Applies a validated ledger in one transaction. Importing the same document again changes
 * nothing; people and buildings missing from the new document are deactivated (their names stay
 * for the history), and the requests people were still handling handed to whoever the ledger now
 * names.
 */
export async function importLedger(
  dataSource: DataSource,
  document: LedgerDocument,
  clock: Clock,
  source: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  return dataSource.transaction(async (tx) => {
    // Two imports at once would each diff against the same old version; serialize them.
    await tx.query(`LOCK TABLE ledger_version IN EXCLUSIVE MODE`);
    const json = JSON.stringify(document);
    // Compared as jsonb, which ignores the order of keys: the export of a stored version lists a
    // profile's labels in jsonb's order, and importing it back must not make a new version.
    const [current] = await tx.query<{ id: string; same: boolean }[]>(
      `SELECT id, document = $1::jsonb AS same FROM ledger_version ORDER BY id DESC LIMIT 1`,
      [json],
    );
    if (current?.same) {
      return {
        changed: false,
        version: Number(current.id),
        added: [],
        deactivated: [],
        reactivated: [],
        handedOver: 0,
      };
    }
    const now = clock.now();
    const existing = await tx.query<{ id: string; active: boolean }[]>(`SELECT id, active FROM person`);
    const known = new Map(existing.map((p) => [p.id, p.active]));
    const incoming = new Set(document.people.map((p) => p.id));
    const added: string[] = [];
    const reactivated: string[] = [];
    for (const p of document.people) {
      const wasActive = known.get(p.id);
      if (wasActive === undefined) added.push(p.id);
      else if (!wasActive) reactivated.push(p.id);
    }
    // One statement for everyone: a street of 20,000 buildings has some 80,000 heads, and a round
    // trip each kept the import (and a start with MULIN_LEDGER) busy for minutes.
    const rows = document.people.map((p) => ({ id: p.id, name: p.name, phone: p.phone ?? null }));
    await tx.query(
      `INSERT INTO person (id, name, phone, active, updated_at, deactivated_at)
       SELECT p.id, p.name, p.phone, true, $2, NULL
         FROM jsonb_to_recordset($1::jsonb) AS p(id text, name text, phone text)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, phone = EXCLUDED.phone, active = true,
         updated_at = EXCLUDED.updated_at, deactivated_at = NULL`,
      [JSON.stringify(rows), now],
    );
    const deactivated = [...known].filter(([id, active]) => active && !incoming.has(id)).map(([id]) => id);
    if (deactivated.length > 0) {
      await tx.query(
        `UPDATE person SET active = false, deactivated_at = $1, updated_at = $1 WHERE id = ANY($2::text[])`,
        [now, deactivated],
      );
    }
    await recordBuildings(tx, document, now);
    const [row] = await tx.query<{ id: string }[]>(
      `INSERT INTO ledger_version (document, checksum, source, imported_at) VALUES ($1::jsonb, $2, $3, $4) RETURNING id`,
      [json, checksumOf(document), source, now],
    );
    const version = Number(row?.id);
    const ledger = new Ledger(document, version, await ledgerHistory(tx));
    // Everyone the ledger no longer names, not only those it drops now: a request can still be
    // with someone who left earlier (resolved then and reopened by 不满意 since, or left before
    // hand-overs existed).
    const gone = [...known.keys()].filter((id) => !incoming.has(id));
    const handedOver = await handOverFromDeparted(tx, ledger, gone, now, options.privateNotices ?? false);
    return { changed: true, version, added, deactivated, reactivated, handedOver };
  });
}

export async function currentLedgerDocument(em: EntityManager | DataSource): Promise<LedgerDocument | null> {
  const [row] = await em.query<{ document: LedgerDocument }[]>(
    `SELECT document FROM ledger_version ORDER BY id DESC LIMIT 1`,
  );
  return row?.document ?? null;
}

/**
 * Keeps every building the document names, with its compound, and marks the others as gone: a
 * removed building's requests keep its name, as a removed person's keep theirs. One statement
 * each, whatever the size of the street.
 */
async function recordBuildings(tx: EntityManager, document: LedgerDocument, now: Date): Promise<void> {
  const rows = document.compounds.flatMap((c) =>
    c.buildings.map((b) => ({ id: b.id, compound_id: c.id, compound_name: c.name, name: b.name })),
  );
  await tx.query(
    `INSERT INTO building (id, compound_id, compound_name, name, active, updated_at, deactivated_at)
     SELECT b.id, b.compound_id, b.compound_name, b.name, true, $2, NULL
       FROM jsonb_to_recordset($1::jsonb) AS b(id text, compound_id text, compound_name text, name text)
     ON CONFLICT (id) DO UPDATE SET compound_id = EXCLUDED.compound_id, compound_name = EXCLUDED.compound_name,
       name = EXCLUDED.name, active = true, updated_at = EXCLUDED.updated_at, deactivated_at = NULL`,
    [JSON.stringify(rows), now],
  );
  await tx.query(
    `UPDATE building SET active = false, deactivated_at = $1, updated_at = $1
      WHERE active AND NOT (id = ANY($2::text[]))`,
    [now, rows.map((r) => r.id)],
  );
}

/**
 * The people and buildings removed from the ledger. Only an import deactivates any, and it writes
 * a new ledger version, so reading them with the version keeps them current.
 */
async function ledgerHistory(em: EntityManager | DataSource): Promise<LedgerHistory> {
  const people = await em.query<{ id: string; name: string }[]>(
    `SELECT id, name FROM person WHERE NOT active`,
  );
  const buildings = await em.query<
    { id: string; compound_id: string; compound_name: string; name: string }[]
  >(`SELECT id, compound_id, compound_name, name FROM building WHERE NOT active`);
  return {
    people: new Map(people.map((r) => [r.id, r.name])),
    buildings: new Map(
      buildings.map((r) => [
        r.id,
        { compoundId: r.compound_id, compoundName: r.compound_name, name: r.name },
      ]),
    ),
  };
}

/**
 * The newest ledger, rebuilt only when another version has been imported (by any instance):
 * each call costs one indexed lookup of the newest version id.
 */
export class LedgerCache {
  private cached: Ledger = Ledger.empty();

  async current(em: EntityManager | DataSource): Promise<Ledger> {
    const [row] = await em.query<{ id: string }[]>(`SELECT id FROM ledger_version ORDER BY id DESC LIMIT 1`);
    return this.at(row ? Number(row.id) : 0, em);
  }

  /** The ledger last read, without asking the database whether a newer one was imported since. */
  latest(): Ledger {
    return this.cached;
  }

  /** The ledger of this version (the newest id, read by the caller), rebuilt if it is not the one cached. */
  async at(version: number, em: EntityManager | DataSource): Promise<Ledger> {
    if (version !== this.cached.version) {
      const [doc] = await em.query<{ document: LedgerDocument }[]>(
        `SELECT document FROM ledger_version WHERE id = $1`,
        [version],
      );
      this.cached = doc ? new Ledger(doc.document, version, await ledgerHistory(em)) : Ledger.empty();
    }
    return this.cached;
  }
}
