import type { DataSource, EntityManager } from 'typeorm';
import { openAsOf, type OpenAsOf } from './as-of';
import { formatIsoWeek, weekBounds, weekStartingAt } from './calendar';

/**
 * The weekly figures, defined once. The digest, the API and the tests all read them from here,
 * and every figure is computed in SQL from the request rows and their event log. A week is
 * [Monday 00:00, next Monday 00:00) in the street's time zone, and nothing that happens after it
 * changes its figures. The definitions (README, "Weekly figures"):
 *
 * - received: requests created in the week.
 * - resolved: requests resolved in the week, each once however often (a reopened request resolved
 *   again counts again in the week of its new resolution).
 * - response rate (按时接单率): of the requests whose acknowledgement deadline (ack_due_at) fell
 *   in the week, the share acknowledged by it. A request withdrawn before its deadline without
 *   having been acknowledged is left out. Resolving counts as acknowledging.
 * - resolution rate (按时办结率): of the resolution deadlines that fell in the week, the share met:
 *   the request resolved by it in that round. A 不满意 starts a new round with a new deadline
 *   (resolve_due_at) and keeps the old one, with the round's resolution, in
 *   request_resolve_round: a later 不满意 neither undoes a resolution nor moves a deadline out of
 *   its week, and the new round's deadline is met only by a resolution after the reopening. A
 *   request withdrawn before its deadline without having been resolved is left out.
 * - satisfaction rate (满意率): of the ratings given in the week, the share 满意. Requests closed
 *   without a rating (auto-closed after 72 hours) are not ratings.
 * - median time to acknowledge: over requests acknowledged in the week, from creation.
 * - median time to resolve: over requests first resolved in the week, from creation.
 * - categories: requests received in the week by category, most first (ties by code).
 * - escalations: 'escalated' events in the week; toStreet those that reached level 2.
 */

type Db = EntityManager | DataSource;

export interface Rate {
  readonly numerator: number;
  readonly denominator: number;
  /** numerator / denominator; null when nothing was due (no rate rather than 0% or 100%). */
  readonly value: number | null;
}

export interface WeeklyFigures {
  /** 2026-W48 */
  readonly week: string;
  readonly start: Date;
  readonly end: Date;
  /** null for the whole street. */
  readonly compoundId: string | null;
  readonly received: number;
  readonly resolved: number;
  readonly response: Rate;
  readonly resolution: Rate;
  readonly satisfaction: Rate;
  readonly medianAckMinutes: number | null;
  readonly medianResolveMinutes: number | null;
  readonly categories: readonly { readonly category: string; readonly count: number }[];
  readonly escalations: number;
  readonly escalationsToStreet: number;
}

export interface WeeklyFiguresQuery {
  /** Monday 00:00 of the week in timeZone; anything else is refused. */
  readonly weekStart: Date;
  readonly timeZone: string;
  /** One compound; absent for the whole street. */
  readonly compoundId?: string | null;
}

export function rate(numerator: number, denominator: number): Rate {
  return { numerator, denominator, value: denominator === 0 ? null : numerator / denominator };
}

const num = (value: unknown): number => Number(value ?? 0);
const orNull = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);

// Every statement groups by compound and also gives the street's total (GROUPING SETS), so the
// digest reads all compounds in one pass instead of one query per compound (docs/benchmarks.md).
// $3 narrows to one compound when set.
//
// Each figure reads only what its own filter can count, through an index on the timestamp it
// filters on (migration 1764300600000; the plans are in docs/benchmarks.md, "Weekly digest"):
// the requests created, due to be acknowledged, due to be resolved and acknowledged in the week,
// and the week's resolved, rated and escalated events. What the week's events need of their
// request (its compound, creation and first resolution) is looked up once per request resolved in
// the week; the other requests' one by one (one index probe each). `counts` has a row per request
// or event a count counts, tagged with its kind (1 received, 2 due to be acknowledged, 3 due to be
// resolved, 5 resolved, 6 rated, 7 escalated); `minutes` the times whose medians are taken (4 to
// acknowledge, 5 to the first resolution). The counts and the medians come as separate rows (the
// counts hashed by compound, only the times sorted), and with $4 each building's received and
// resolved; weekFigures puts each scope's together.
const FIGURES_SQL = `
  WITH resolved_in_week AS MATERIALIZED (
    -- Each request resolved in the week once, with its first resolution before the week's end:
    -- only that one can count; a later one never does.
    SELECT r.id, r.compound_id, r.building_id, r.created_at, fr.at AS first_at
    FROM (
      SELECT DISTINCT request_id FROM request_event
      WHERE type = 'resolved' AND at >= $1 AND at < $2
    ) w
    JOIN request r ON r.id = w.request_id
    CROSS JOIN LATERAL (
      SELECT min(e.at) AS at FROM request_event e
      WHERE e.request_id = r.id AND e.type = 'resolved' AND e.at < $2
    ) fr
    WHERE ($3::text IS NULL OR r.compound_id = $3::text)
  ),
  due_to_resolve AS MATERIALIZED (
    -- The current rounds due in the week, each met by its first resolution since the round began
    -- (creation, or the last reopening: an earlier round's resolution does not meet this deadline).
    SELECT r.compound_id, r.resolve_due_at, r.withdrawn_at,
      CASE WHEN w.id IS NOT NULL AND r.reopened_at IS NULL THEN w.first_at ELSE (
        SELECT min(e.at) FROM request_event e
        WHERE e.request_id = r.id AND e.type = 'resolved' AND e.at < $2
          AND e.at >= COALESCE(r.reopened_at, r.created_at)
      ) END AS first_at
    FROM request r
    LEFT JOIN resolved_in_week w ON w.id = r.id
    WHERE r.resolve_due_at >= $1 AND r.resolve_due_at < $2 AND r.created_at < $2
      AND ($3::text IS NULL OR r.compound_id = $3::text)
    UNION ALL
    -- The rounds a 不满意 ended whose deadline fell in the week, with the resolution they had (a
    -- round is reopened only once resolved, so never withdrawn before it).
    SELECT r.compound_id, p.due_at, NULL, p.resolved_at
    FROM request_resolve_round p
    JOIN request r ON r.id = p.request_id
    WHERE p.due_at >= $1 AND p.due_at < $2
      AND ($3::text IS NULL OR r.compound_id = $3::text)
  ),
  week_events AS MATERIALIZED (
    SELECT e.type, e.data,
      CASE WHEN w.id IS NOT NULL THEN w.compound_id ELSE (
        SELECT r.compound_id FROM request r WHERE r.id = e.request_id
      ) END AS compound_id
    FROM request_event e
    LEFT JOIN resolved_in_week w ON w.id = e.request_id
    WHERE e.type IN ('rated', 'escalated') AND e.at >= $1 AND e.at < $2
  ),
  counts AS (
    SELECT compound_id, 1 AS kind, NULL::boolean AS yes, NULL::boolean AS counted
    FROM request
    WHERE created_at >= $1 AND created_at < $2 AND ($3::text IS NULL OR compound_id = $3::text)
    UNION ALL
    SELECT compound_id, 2, acknowledged_at <= ack_due_at,
      acknowledged_at <= ack_due_at OR withdrawn_at IS NULL OR withdrawn_at > ack_due_at
    FROM request
    WHERE ack_due_at >= $1 AND ack_due_at < $2 AND created_at < $2
      AND ($3::text IS NULL OR compound_id = $3::text)
    UNION ALL
    SELECT compound_id, 3, first_at <= resolve_due_at,
      first_at <= resolve_due_at OR withdrawn_at IS NULL OR withdrawn_at > resolve_due_at
    FROM due_to_resolve
    UNION ALL
    SELECT compound_id, 5, NULL, NULL FROM resolved_in_week
    UNION ALL
    SELECT compound_id, CASE type WHEN 'rated' THEN 6 ELSE 7 END,
      CASE type WHEN 'rated' THEN data->>'rating' = 'good' ELSE (data->>'level')::int >= 2 END, NULL
    FROM week_events
    WHERE $3::text IS NULL OR compound_id = $3::text
  ),
  minutes AS (
    SELECT compound_id, 4 AS kind, (extract(epoch FROM acknowledged_at - created_at) / 60)::float8 AS minutes
    FROM request
    WHERE acknowledged_at >= $1 AND acknowledged_at < $2 AND created_at < $2
      AND ($3::text IS NULL OR compound_id = $3::text)
    UNION ALL
    SELECT compound_id, 5, (extract(epoch FROM first_at - created_at) / 60)::float8
    FROM resolved_in_week
    WHERE first_at >= $1 AND created_at < $2
  )
  SELECT compound_id, GROUPING(compound_id) = 1 AS total, NULL::json AS buildings,
    count(*) FILTER (WHERE kind = 1) AS received,
    count(*) FILTER (WHERE kind = 2 AND yes) AS acknowledged_in_time,
    count(*) FILTER (WHERE kind = 2 AND counted) AS due_to_acknowledge,
    count(*) FILTER (WHERE kind = 3 AND yes) AS resolved_in_time,
    count(*) FILTER (WHERE kind = 3 AND counted) AS due_to_resolve,
    count(*) FILTER (WHERE kind = 5) AS resolved,
    count(*) FILTER (WHERE kind = 6) AS rated,
    count(*) FILTER (WHERE kind = 6 AND yes) AS rated_good,
    count(*) FILTER (WHERE kind = 7) AS escalations,
    count(*) FILTER (WHERE kind = 7 AND yes) AS to_street,
    NULL::float8 AS median_ack_minutes, NULL::float8 AS median_resolve_minutes
  FROM counts
  GROUP BY GROUPING SETS ((compound_id), ())
  UNION ALL
  SELECT compound_id, GROUPING(compound_id) = 1, NULL,
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY minutes) FILTER (WHERE kind = 4),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY minutes) FILTER (WHERE kind = 5)
  FROM minutes
  GROUP BY GROUPING SETS ((compound_id), ())
  UNION ALL
  -- With $4, each building's week, requests received and resolved (each once), as one JSON
  -- object: {building: [received, resolved]}.
  SELECT NULL, false, json_object_agg(building_id, json_build_array(received, resolved)),
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM (
    SELECT building_id, count(*) FILTER (WHERE kind = 1) AS received, count(*) FILTER (WHERE kind = 5) AS resolved
    FROM (
      SELECT building_id, 1 AS kind FROM request
      WHERE $4::boolean AND created_at >= $1 AND created_at < $2
        AND ($3::text IS NULL OR compound_id = $3::text)
      UNION ALL
      SELECT building_id, 5 FROM resolved_in_week WHERE $4::boolean
    ) b
    WHERE building_id IS NOT NULL
    GROUP BY building_id
  ) g
  HAVING $4::boolean`;

// As one JSON array of [compound, total, category, count], most first (ties by code).
const CATEGORY_SQL = `
  SELECT json_agg(json_build_array(compound_id, total, category, n) ORDER BY n DESC, category) AS categories
  FROM (
    SELECT compound_id, GROUPING(compound_id) = 1 AS total, category, count(*) AS n FROM request
    WHERE created_at >= $1 AND created_at < $2 AND ($3::text IS NULL OR compound_id = $3::text)
    GROUP BY GROUPING SETS ((compound_id, category), (category))
  ) c`;

type Row = Record<string, unknown> & { compound_id: string | null; total: boolean };

/**
 * The key of a row: its compound, or null for the street's total. Requests outside any compound
 * count in the total only (undefined: no compound of theirs to report).
 */
const scopeOf = (row: Row): string | null | undefined => (row.total ? null : (row.compound_id ?? undefined));

function figuresOf(
  week: { week: string; start: Date; end: Date },
  compoundId: string | null,
  row: Record<string, unknown> | undefined,
  medians: Record<string, unknown> | undefined,
  categories: readonly { category: string; count: number }[],
): WeeklyFigures {
  return {
    ...week,
    compoundId,
    received: num(row?.received),
    resolved: num(row?.resolved),
    response: rate(num(row?.acknowledged_in_time), num(row?.due_to_acknowledge)),
    resolution: rate(num(row?.resolved_in_time), num(row?.due_to_resolve)),
    satisfaction: rate(num(row?.rated_good), num(row?.rated)),
    medianAckMinutes: orNull(medians?.median_ack_minutes),
    medianResolveMinutes: orNull(medians?.median_resolve_minutes),
    categories,
    escalations: num(row?.escalations),
    escalationsToStreet: num(row?.to_street),
  };
}

/** A building's received and resolved requests of a week (FIGURES_SQL with $4). */
interface BuildingCounts {
  readonly received: number;
  readonly resolved: number;
}

/** The figures of a week, by scope; with `withBuildings`, also each building's counts. */
async function weekFigures(
  db: Db,
  query: WeeklyFiguresQuery,
  withBuildings: boolean,
): Promise<{ figures: Map<string | null, WeeklyFigures>; buildings: Map<string, BuildingCounts> }> {
  const week = weekStartingAt(query.weekStart, query.timeZone);
  const { start, end } = weekBounds(week, query.timeZone);
  const params = [start, end, query.compoundId ?? null];
  const rows = await db.query<(Row & { buildings: Record<string, [number, number]> | null })[]>(FIGURES_SQL, [
    ...params,
    withBuildings,
  ]);
  const [categoryRow] = await db.query<{ categories: [string | null, boolean, string, number][] | null }[]>(
    CATEGORY_SQL,
    params,
  );
  // Indexed by scope once (a street has a thousand compounds): the counts' row of each scope, and
  // its medians' row (the one without counts).
  const countsOf = new Map<string | null, Row>();
  const mediansOf = new Map<string | null, Row>();
  const buildings = new Map<string, BuildingCounts>();
  for (const row of rows) {
    if (row.buildings) {
      for (const [buildingId, [received, resolved]] of Object.entries(row.buildings)) {
        buildings.set(buildingId, { received: num(received), resolved: num(resolved) });
      }
      continue;
    }
    const scope = scopeOf(row);
    if (scope !== undefined) (row.received === null ? mediansOf : countsOf).set(scope, row);
  }
  const categoriesOf = new Map<string | null, { category: string; count: number }[]>();
  for (const [compoundId, total, category, n] of categoryRow?.categories ?? []) {
    const scope = total ? null : compoundId;
    if (scope === null && !total) continue;
    const list = categoriesOf.get(scope) ?? [];
    list.push({ category, count: num(n) });
    categoriesOf.set(scope, list);
  }
  const scopes = new Set<string | null>([null, ...countsOf.keys(), ...mediansOf.keys()]);
  const label = { week: formatIsoWeek(week), start, end };
  const figures = new Map<string | null, WeeklyFigures>();
  for (const scope of scopes) {
    figures.set(
      scope,
      figuresOf(label, scope, countsOf.get(scope), mediansOf.get(scope), categoriesOf.get(scope) ?? []),
    );
  }
  return { figures, buildings };
}

/**
 * The figures of one week for the street (key null) and for every compound that had anything in
 * it; a compound missing from the map had nothing (weeklyFigures gives its zeros). With
 * `compoundId`, only that compound's requests are read.
 */
export async function weeklyFiguresForAll(
  db: Db,
  query: WeeklyFiguresQuery,
): Promise<Map<string | null, WeeklyFigures>> {
  return (await weekFigures(db, query, false)).figures;
}

/**
 * weeklyFiguresForAll and buildingWeeks of the same week, the buildings' counts read in the same
 * pass as the figures (the digest's week).
 */
export async function weeklyFiguresWithBuildings(
  db: Db,
  query: Omit<WeeklyFiguresQuery, 'compoundId'>,
  open?: readonly OpenAsOf[],
): Promise<{ figures: Map<string | null, WeeklyFigures>; buildings: Map<string, BuildingWeek> }> {
  const { figures, buildings } = await weekFigures(db, query, true);
  return { figures, buildings: await buildingWeeksOf(db, query, buildings, open) };
}

/** The figures of one week, for the street or one compound. */
/**
 * One compound's week (or the street's, for null) out of weeklyFiguresForAll's answer. A compound
 * with nothing in the week is absent there: its figures are then every count zero and no rate.
 */
export function compoundWeek(
  all: ReadonlyMap<string | null, WeeklyFigures>,
  compoundId: string | null,
  weekStart: Date,
): WeeklyFigures {
  const found = all.get(compoundId);
  if (found) return found;
  const street = all.get(null);
  const none = rate(0, 0);
  return {
    week: street?.week ?? '',
    start: street?.start ?? weekStart,
    end: street?.end ?? weekStart,
    compoundId,
    received: 0,
    resolved: 0,
    response: none,
    resolution: none,
    satisfaction: none,
    medianAckMinutes: null,
    medianResolveMinutes: null,
    categories: [],
    escalations: 0,
    escalationsToStreet: 0,
  };
}

export async function weeklyFigures(db: Db, query: WeeklyFiguresQuery): Promise<WeeklyFigures> {
  const all = await weeklyFiguresForAll(db, query);
  const compoundId = query.compoundId ?? null;
  // Narrowed to one compound, the total is that compound's figures; tag them with its id.
  const found = all.get(null);
  if (!found) throw new Error('the street total is always computed');
  return { ...found, compoundId };
}

/** One building's week, for its weekly note and the digest's list of buildings with no requests. */
export interface BuildingWeek {
  readonly buildingId: string;
  /** Requests created in the week. */
  readonly received: number;
  /** Requests resolved in the week (each counted once, however often). */
  readonly resolved: number;
  /** Request numbers still open or in hand at the end of the week. */
  readonly stillOpen: readonly number[];
}

/**
 * Every building with any request activity in the week; a building not in the map had none.
 * `open` is what openAsOf gives for the end of the week (buildDigest reads it once and passes it).
 */
export async function buildingWeeks(
  db: Db,
  query: Omit<WeeklyFiguresQuery, 'compoundId'>,
  open?: readonly OpenAsOf[],
): Promise<Map<string, BuildingWeek>> {
  return (await weeklyFiguresWithBuildings(db, query, open)).buildings;
}

async function buildingWeeksOf(
  db: Db,
  query: Omit<WeeklyFiguresQuery, 'compoundId'>,
  counts: ReadonlyMap<string, BuildingCounts>,
  open?: readonly OpenAsOf[],
): Promise<Map<string, BuildingWeek>> {
  const { start, end } = weekBounds(weekStartingAt(query.weekStart, query.timeZone), query.timeZone);
  const openThen = open ?? (await openAsOf(db, { at: end, since: start }));
  const out = new Map<
    string,
    { buildingId: string; received: number; resolved: number; stillOpen: number[] }
  >();
  for (const [buildingId, c] of counts) {
    out.set(buildingId, { buildingId, received: c.received, resolved: c.resolved, stillOpen: [] });
  }
  for (const r of openThen) {
    if (r.buildingId === null) continue;
    let entry = out.get(r.buildingId);
    if (!entry) {
      entry = { buildingId: r.buildingId, received: 0, resolved: 0, stillOpen: [] };
      out.set(r.buildingId, entry);
    }
    entry.stillOpen.push(r.no);
  }
  for (const entry of out.values()) if (entry.stillOpen.length > 1) entry.stillOpen.sort((a, b) => a - b);
  return out;
}
