import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every building the stored ledger versions name, as the newest one naming it called it; the
 * building is active when the newest version names it, and left the ledger when the version
 * after its last one was imported.
 */
export const FILL_BUILDINGS = `
      INSERT INTO building (id, compound_id, compound_name, name, active, updated_at, deactivated_at)
      SELECT DISTINCT ON (b.id) b.id, c.id, c.name, b.name, gone.at IS NULL,
             COALESCE(gone.at, v.imported_at), gone.at
        FROM ledger_version v
        CROSS JOIN LATERAL jsonb_to_recordset(v.document -> 'compounds') AS c(id text, name text, buildings jsonb)
        CROSS JOIN LATERAL jsonb_to_recordset(c.buildings) AS b(id text, name text)
        CROSS JOIN LATERAL (SELECT min(w.imported_at) AS at FROM ledger_version w WHERE w.id > v.id) gone
       ORDER BY b.id, v.id DESC`;

/**
 * Buildings get a table of their own, as people do, so that a building removed from the ledger
 * keeps its name (and its compound's) on the requests reported from it: the ledger versions hold
 * it too, but reading old versions for a name is too slow for lists and the digest. Every import
 * writes the buildings it names and marks the others inactive; the Ledger loads the inactive ones.
 * Existing databases are filled from every stored version, so a building removed before this
 * migration keeps the name it last had.
 */
export class Building1764301300000 implements MigrationInterface {
  name = 'Building1764301300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE building (
        id             text PRIMARY KEY,
        compound_id    text        NOT NULL,
        compound_name  text        NOT NULL,
        name           text        NOT NULL,
        active         boolean     NOT NULL DEFAULT true,
        updated_at     timestamptz NOT NULL DEFAULT now(),
        deactivated_at timestamptz
      )`);
    await q.query(FILL_BUILDINGS);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE building`);
  }
}
