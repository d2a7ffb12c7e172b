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

export async function findHotspots(
  db: EntityManager | DataSource,
  options: { now: Date; compoundId?: string; buildingId?: string },
): Promise<Hotspot[]> {
  const since = new Date(options.now.getTime() - HOTSPOT_DAYS * 86_400_000);
  const values: unknown[] = [since, options.now, HOTSPOT_MIN_REQUESTS];
  let scope = '';
  if (options.compoundId) {
    values.push(options.compoundId);
    scope += ` AND compound_id = $${values.length}`;
  }
  if (options.buildingId) {
    values.push(options.buildingId);
    scope += ` AND building_id = $${values.length}`;
  }
  const rows = await db.query<
    {
      compound_id: string | null;
      building_id: string;
      category: string;
      n: number;
      last_at: Date;
      nos: number[];
    }[]
  >(
    `SELECT max(compound_id) AS compound_id, building_id, category, count(*)::int AS n,
            max(created_at) AS last_at, array_agg(no ORDER BY no) AS nos
       FROM request
      WHERE created_at > $1 AND created_at <= $2 AND status <> 'withdrawn' AND building_id IS NOT NULL${scope}
      GROUP BY building_id, category
     HAVING count(*) >= $3
      ORDER BY count(*) DESC, max(created_at) DESC`,
    values,
  );
  return rows.map((r) => ({
    compoundId: r.compound_id,
    buildingId: r.building_id,
    category: r.category,
    count: r.n,
    lastAt: r.last_at,
    nos: r.nos.map(Number),
  }));
}
