import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger is kept as whole validated documents, one row per imported version: routing reads
 * the newest, export writes it back unchanged. People get a table of their own so that someone
 * removed from the ledger keeps a name in the history of the requests they touched.
 */
export class Ledger1764300100000 implements MigrationInterface {
  name = 'Ledger1764300100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ledger_version (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        document    jsonb       NOT NULL,
        checksum    text        NOT NULL,
        source      text,
        imported_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE person (
        id             text PRIMARY KEY,
        name           text        NOT NULL,
        phone          text,
        active         boolean     NOT NULL DEFAULT true,
        updated_at     timestamptz NOT NULL DEFAULT now(),
        deactivated_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE person`);
    await q.query(`DROP TABLE ledger_version`);
  }
}
