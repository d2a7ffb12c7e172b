import type { DataSource, EntityManager } from 'typeorm';
import { searchWhere, type RequestSearch } from './request-search';
import { REQUEST_COLUMNS, toRequest, type RequestRow } from './request-store';

/**
 * Every request the filter matches, newest first, `size` at a time: each batch starts below the
 * last number read (keyset paging). With OFFSET, requests created between two batches pushed the
 * rest down and the next batch read some again; numbers only grow, so new ones never come below
 * the last read, and each batch costs the same however deep into the list it starts.
 */
export async function* requestBatches(
  db: EntityManager | DataSource,
  filter: RequestSearch,
  now: Date,
  size: number,
): AsyncGenerator<RequestRow[]> {
  const { where, values } = searchWhere(filter, now);
  let below: number | null = null;
  for (;;) {
    const params: unknown[] = below === null ? [...values] : [...values, below];
    const keyset: string = below === null ? '' : `${where ? ' AND' : 'WHERE'} no < $${params.length}`;
    params.push(size);
    const rows = await db.query<Record<string, unknown>[]>(
      `SELECT ${REQUEST_COLUMNS} FROM request ${where}${keyset} ORDER BY no DESC LIMIT $${params.length}`,
      params,
    );
    const batch: RequestRow[] = rows.map(toRequest);
    const last = batch.at(-1);
    if (last) yield batch;
    if (!last || batch.length < size) return;
    below = last.no;
  }
}

/**
 * Whether more than `limit` requests match, counting no further than one past it: cheap to ask
 * before reading them all, however many there are.
 */
export async function matchesMoreThan(
  db: EntityManager | DataSource,
  filter: RequestSearch,
  now: Date,
  limit: number,
): Promise<boolean> {
  const { where, values } = searchWhere(filter, now);
  const [row] = await db.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM request ${where} LIMIT $${values.length + 1}) AS upto`,
    [...values, limit + 1],
  );
  return (row?.n ?? 0) > limit;
}
