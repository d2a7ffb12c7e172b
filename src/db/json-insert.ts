import type { EntityManager } from 'typeorm';

/**
 * An INSERT that takes all its rows from one jsonb parameter, written $1 in `sql`. Several can
 * run as one statement (runInserts), so a batch costs one round trip whatever it writes.
 */
export interface JsonInsert {
  readonly sql: string;
  readonly rows: readonly unknown[];
}

/**
 * Runs the inserts that have rows, in one statement: each becomes a data-modifying CTE. They see
 * the same snapshot, and foreign keys are checked at the end of the statement, so a later insert
 * may refer to rows an earlier one writes.
 */
export async function runInserts(tx: EntityManager, inserts: readonly JsonInsert[]): Promise<void> {
  const live = inserts.filter((i) => i.rows.length > 0);
  const only = live[0];
  if (!only) return;
  const params = live.map((i) => JSON.stringify(i.rows));
  if (live.length === 1) {
    await tx.query(only.sql, params);
    return;
  }
  const ctes = live.map((i, n) => `w${n} AS (${i.sql.replaceAll('$1', `$${n + 1}`)})`);
  await tx.query(`WITH ${ctes.join(',\n')} SELECT 1`, params);
}
