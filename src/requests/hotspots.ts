import type { DataSource, EntityManager } from 'typeorm';

/**
 * 未诉先办: when one building keeps reporting the same kind of problem, the street should fix
 * the cause before the next post, or put it to the residents' council. "Keeps" means three or
 * more requests of one category in 30 days; withdrawn ones do not count (often a duplicate or a
 * post in the wrong group).
 */
export const HOTSPOT_MIN_REQUESTS = 3;
export const HOTSPOT_DAYS = 30;

export interface Hotspot {
  readonly compoundId: string | null;
  readonly buildingId: string;
  readonly category: string;
  readonly count: number;
  readonly lastAt: Date;
  /** Request numbers, oldest first. */
  readonly nos: readonly number[];
}

export interface HotspotScope {
  readonly now: Date;
  readonly compoundId?: string;
  readonly buildingId?: string;
}

/** The requests a hotspot counts: the last 30 days', not withdrawn, in a building, in scope. */
function recentWhere(options: HotspotScope): { where: string; values: unknown[] } {
  const since = new Date(options.now.getTime() - HOTSPOT_DAYS * 86_400_000);
  const values: unknown[] = [since, options.now];
  let where = `created_at > $1 AND created_at <= $2 AND status <> 'withdrawn' AND building_id IS NOT NULL`;
  if (options.compoundId) {
    values.push(options.compoundId);
    where += ` AND compound_id = $${values.length}`;
  }
  if (options.buildingId) {
    values.push(options.buildingId);
    where += ` AND building_id = $${values.length}`;
  }
  return { where, values };
}

/** Every hotspot in scope, most repeated first (then the latest). */
export async function findHotspots(
  db: EntityManager | DataSource,
  options: HotspotScope,
): Promise<Hotspot[]> {
  return (await topHotspots(db, options)).hotspots;
}

/**
 * The `limit` biggest hotspots in scope (all without one), and how many there are: a large street
 * has a thousand, which no page should list at once.
 */
export async function topHotspots(
  db: EntityManager | DataSource,
  options: HotspotScope & { readonly limit?: number },
): Promise<{ hotspots: Hotspot[]; total: number }> {
  const { where, values } = recentWhere(options);
  values.push(HOTSPOT_MIN_REQUESTS);
  const min = `$${values.length}`;
  let limit = '';
  if (options.limit !== undefined) {
    values.push(options.limit);
    limit = ` LIMIT $${values.length}`;
  }
  const rows = await db.query<
    {
      compound_id: string | null;
      building_id: string;
      category: string;
      n: number;
      last_at: Date;
      nos: number[];
      total: number;
    }[]
  >(
    // The window counts the groups HAVING leaves, before the LIMIT.
    `SELECT max(compound_id) AS compound_id, building_id, category, count(*)::int AS n,
            max(created_at) AS last_at, array_agg(no ORDER BY no) AS nos, (count(*) OVER ())::int AS total
       FROM request
      WHERE ${where}
      GROUP BY building_id, category
     HAVING count(*) >= ${min}
      ORDER BY count(*) DESC, max(created_at) DESC${limit}`,
    values,
  );
  return {
    total: rows[0]?.total ?? 0,
    hotspots: rows.map((r) => ({
      compoundId: r.compound_id,
      buildingId: r.building_id,
      category: r.category,
      count: r.n,
      lastAt: r.last_at,
      nos: r.nos.map(Number),
    })),
  };
}

/**
 * The buildings with a hotspot, for the ledger's flags: the same groups as findHotspots without
 * their request numbers, a third of its time on a large street.
 */
export async function hotspotBuildings(
  db: EntityManager | DataSource,
  options: HotspotScope,
): Promise<Set<string>> {
  const { where, values } = recentWhere(options);
  values.push(HOTSPOT_MIN_REQUESTS);
  const rows = await db.query<{ building_id: string }[]>(
    `SELECT DISTINCT building_id FROM (
       SELECT building_id FROM request WHERE ${where}
        GROUP BY building_id, category HAVING count(*) >= $${values.length}) h`,
    values,
  );
  return new Set(rows.map((r) => r.building_id));
}
