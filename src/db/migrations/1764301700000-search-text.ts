import type { MigrationInterface, QueryRunner } from 'typeorm';
import { PHONE_PATTERN } from '../../requests/phone-mask';

/** Rows filled per statement: each batch commits on its own, so no row stays locked for long. */
const FILL_BATCH = 5_000;

/**
 * 搜索 matched every request's text with its phone numbers taken out by a regular expression: a
 * second or more on a street of 300,000 requests, for every search with a digit in it. The text
 * the search reads is now stored (request.search_text, kept by a trigger on every insert and every
 * change of the text, whoever writes it) and indexed for substring search with pg_trgm, together
 * with indexes on the building and the handler, so that the search's alternatives (words, a
 * building's name, a handler's name, a number) are each an index read.
 *
 * The phone pattern is written into request_search_text() as it is today: a change to
 * PHONE_PATTERN needs a migration that recreates the function and fills search_text again
 * (tests/integration/db/phone-pattern.test.ts fails until then).
 *
 * Run outside a transaction: the existing rows are filled in batches that each commit, so no row
 * stays locked for long and the desk's writes go on meanwhile. Every step may run again after a
 * crash (IF NOT EXISTS, CREATE OR REPLACE, rows still NULL).
 * Without pg_trgm (a server without PostgreSQL's contrib, or a role that may not create it) the
 * search still reads the stored text, without the regular expression, but scans for it.
 */
export class SearchText1764301700000 implements MigrationInterface {
  name = 'SearchText1764301700000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE request ADD COLUMN IF NOT EXISTS search_text text`);
    await q.query(`
      CREATE OR REPLACE FUNCTION request_search_text(body text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT regexp_replace(body, ${literal(PHONE_PATTERN)}, '', 'g') $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION request_keep_search_text() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.search_text := request_search_text(NEW.text);
        RETURN NEW;
      END $$`);
    await q.query(`DROP TRIGGER IF EXISTS tr_request_search_text ON request`);
    await q.query(`
      CREATE TRIGGER tr_request_search_text BEFORE INSERT OR UPDATE OF text ON request
        FOR EACH ROW EXECUTE FUNCTION request_keep_search_text()`);
    // Every row written from here on has its search_text; the ones before, up to this id, are filled.
    const [bounds] = (await q.query(
      `SELECT min(id)::text AS low, max(id)::text AS high FROM request WHERE search_text IS NULL`,
    )) as { low: string | null; high: string | null }[];
    if (bounds?.low != null && bounds.high != null) {
      for (let from = BigInt(bounds.low); from <= BigInt(bounds.high); from += BigInt(FILL_BATCH)) {
        await q.query(
          `UPDATE request SET search_text = request_search_text(text)
            WHERE id >= $1::bigint AND id < $2::bigint AND search_text IS NULL`,
          [from.toString(), (from + BigInt(FILL_BATCH)).toString()],
        );
      }
    }
    await createIndex(q, 'ix_request_building', `request (building_id, no)`);
    await createIndex(q, 'ix_request_handler', `request (assignee_id, no)`);
    if (await trigramsAvailable(q)) {
      await createIndex(q, 'ix_request_search_text', `request USING gin (search_text gin_trgm_ops)`);
    }
    await q.query(`ANALYZE request`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const index of ['ix_request_search_text', 'ix_request_handler', 'ix_request_building'])
      await q.query(`DROP INDEX IF EXISTS ${index}`);
    await q.query(`DROP TRIGGER IF EXISTS tr_request_search_text ON request`);
    await q.query(`DROP FUNCTION IF EXISTS request_keep_search_text()`);
    await q.query(`DROP FUNCTION IF EXISTS request_search_text(text)`);
    await q.query(`ALTER TABLE request DROP COLUMN IF EXISTS search_text`);
  }
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * Creates pg_trgm if this database has it and the role may (a trusted extension: the database's
 * owner may since PostgreSQL 13); a refusal is caught in the block, so the migration goes on.
 */
async function trigramsAvailable(q: QueryRunner): Promise<boolean> {
  await q.query(`
    DO $$ BEGIN
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN OTHERS THEN
      RAISE NOTICE 'pg_trgm is not available (%): 搜索 scans the stored text', SQLERRM;
    END $$`);
  const rows = (await q.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'`)) as unknown[];
  return rows.length > 0;
}

/**
 * A plain CREATE INDEX: the desk's writes wait while it builds (seconds on 300,000 requests).
 * CONCURRENTLY would wait for every transaction older than it to end, the migration lock's own
 * open transaction among them (src/db/data-source.ts), that is for ever.
 */
async function createIndex(q: QueryRunner, name: string, definition: string): Promise<void> {
  await q.query(`CREATE INDEX IF NOT EXISTS ${name} ON ${definition}`);
}
