import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CHINESE_NUMERAL, PHONE_PATTERN } from '../../requests/phone-mask';

/** Rows read per statement: each batch commits on its own, so no row stays locked for long. */
const BATCH = 20_000;

/**
 * Phone numbers written in Chinese numerals (一三九一二三四五六七八, 幺三九…, mixed with Arabic
 * digits) are now phone numbers too (src/requests/phone-mask.ts), so the text the search reads
 * must lose them as well, or 搜索 for 一三九 would find the number the pages now hide.
 * request_search_text() has the pattern written in (migration 1764301700000): it is recreated
 * with today's, and the stored search_text of the requests already there is computed again.
 *
 * Cheap on a large street: in batches by id that each commit, only a text with a Chinese numeral
 * in it is matched again (without one, the pattern takes out what it took out before), and only
 * the few whose search text changes (those with such a number) are written. Run outside a
 * transaction; every step may run again after a crash (CREATE OR REPLACE, rows compared).
 */
export class ChineseNumeralPhones1764302200000 implements MigrationInterface {
  name = 'ChineseNumeralPhones1764302200000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION request_search_text(body text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT regexp_replace(body, ${literal(PHONE_PATTERN)}, '', 'g') $$`);
    const [bounds] = (await q.query(`SELECT min(id)::text AS low, max(id)::text AS high FROM request`)) as {
      low: string | null;
      high: string | null;
    }[];
    if (bounds?.low == null || bounds.high == null) return;
    for (let from = BigInt(bounds.low); from <= BigInt(bounds.high); from += BigInt(BATCH)) {
      await q.query(
        `UPDATE request SET search_text = request_search_text(text)
          WHERE id >= $1::bigint AND id < $2::bigint
            AND text ~ $3 AND search_text IS DISTINCT FROM request_search_text(text)`,
        [from.toString(), (from + BigInt(BATCH)).toString(), CHINESE_NUMERAL],
      );
    }
  }

  /**
   * Left as it is: the narrower pattern would make the numbers in Chinese numerals searchable
   * again, and the older code reads search_text the same either way.
   */
  async down(): Promise<void> {}
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
