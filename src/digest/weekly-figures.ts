import type { DataSource, EntityManager } from 'typeorm';
import { requestsAsOf } from './as-of';
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
 * - resolution rate (按时办结率): of the requests whose resolution deadline (resolve_due_at) fell
 *   in the week, the share first resolved by it (a later 不满意 does not undo the first
 *   resolution; it shows in the satisfaction rate and the reopened list). A request withdrawn
 *   before its deadline without having been resolved is left out.
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
// $3 narrows to one compound when set. A request takes part only where one of the week's
// filters can count it, which keeps the first-resolution lookup to those requests.
const CLOCK_SQL = `
  WITH scoped AS (
    SELECT r.id, r.compound_id, r.created_at, r.ack_due_at, r.resolve_due_at, r.acknowledged_at, r.withdrawn_at
    FROM request r
    WHERE r.created_at < $2 AND ($3::text IS NULL OR r.compound_id = $3::text)
      AND (r.created_at >= $1
        OR (r.ack_due_at >= $1 AND r.ack_due_at < $2)
        OR (r.resolve_due_at >= $1 AND r.resolve_due_at < $2)
        OR (r.acknowledged_at >= $1 AND r.acknowledged_at < $2)
        OR r.id IN (SELECT request_id FROM request_event WHERE type = 'resolved' AND at >= $1 AND at < $2))
  ),
  first_resolved AS (
    -- Only the first resolution before the week's end can count; a later one never does.
    SELECT request_id, min(at) AS at FROM request_event
    WHERE type = 'resolved' AND at < $2 AND request_id IN (SELECT id FROM scoped)
    GROUP BY request_id
  )
  SELECT s.compound_id, GROUPING(s.compound_id) = 1 AS total,
    count(*) FILTER (WHERE created_at >= $1) AS received,
    count(*) FILTER (WHERE ack_due_at >= $1 AND ack_due_at < $2 AND acknowledged_at <= ack_due_at)
      AS acknowledged_in_time,
    count(*) FILTER (WHERE ack_due_at >= $1 AND ack_due_at < $2
      AND (acknowledged_at <= ack_due_at OR withdrawn_at IS NULL OR withdrawn_at > ack_due_at))
      AS due_to_acknowledge,
    count(*) FILTER (WHERE resolve_due_at >= $1 AND resolve_due_at < $2 AND fr.at <= resolve_due_at)
      AS resolved_in_time,
    count(*) FILTER (WHERE resolve_due_at >= $1 AND resolve_due_at < $2
      AND (fr.at <= resolve_due_at OR withdrawn_at IS NULL OR withdrawn_at > resolve_due_at))
      AS due_to_resolve,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM acknowledged_at - created_at) / 60)
      FILTER (WHERE acknowledged_at >= $1 AND acknowledged_at < $2) AS median_ack_minutes,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM fr.at - created_at) / 60)
      FILTER (WHERE fr.at >= $1 AND fr.at < $2) AS median_resolve_minutes
  FROM scoped s LEFT JOIN first_resolved fr ON fr.request_id = s.id
  GROUP BY GROUPING SETS ((s.compound_id), ())`;

const EVENT_SQL = `
  SELECT r.compound_id, GROUPING(r.compound_id) = 1 AS total,
    count(*) FILTER (WHERE e.type = 'rated') AS rated,
    count(*) FILTER (WHERE e.type = 'rated' AND e.data->>'rating' = 'good') AS rated_good,
    count(*) FILTER (WHERE e.type = 'escalated') AS escalations,
    count(*) FILTER (WHERE e.type = 'escalated' AND (e.data->>'level')::int >= 2) AS to_street,
    count(DISTINCT e.request_id) FILTER (WHERE e.type = 'resolved') AS resolved
  FROM request_event e JOIN request r ON r.id = e.request_id
  WHERE e.type IN ('rated', 'escalated', 'resolved') AND e.at >= $1 AND e.at < $2
    AND ($3::text IS NULL OR r.compound_id = $3::text)
  GROUP BY GROUPING SETS ((r.compound_id), ())`;

const CATEGORY_SQL = `
  SELECT compound_id, GROUPING(compound_id) = 1 AS total, category, count(*) AS n FROM request
  WHERE created_at >= $1 AND created_at < $2 AND ($3::text IS NULL OR compound_id = $3::text)
  GROUP BY GROUPING SETS ((compound_id, category), (category))
  ORDER BY n DESC, category`;

type Row = Record<string, unknown> & { compound_id: string | null; total: boolean };

/**
 * The key of a row: its compound, or null for the street's total. Requests outside any compound
 * count in the total only (undefined: no compound of theirs to report).
 */
const scopeOf = (row: Row): string | null | undefined => (row.total ? null : (row.compound_id ?? undefined));

function figuresOf(
  week: { week: string; start: Date; end: Date },
  compoundId: string | null,
  clocks: Record<string, unknown> | undefined,
  events: Record<string, unknown> | undefined,
  categories: readonly { category: string; count: number }[],
): WeeklyFigures {
  return {
    ...week,
    compoundId,
    received: num(clocks?.received),
    resolved: num(events?.resolved),
    response: rate(num(clocks?.acknowledged_in_time), num(clocks?.due_to_acknowledge)),
    resolution: rate(num(clocks?.resolved_in_time), num(clocks?.due_to_resolve)),
    satisfaction: rate(num(events?.rated_good), num(events?.rated)),
    medianAckMinutes: orNull(clocks?.median_ack_minutes),
    medianResolveMinutes: orNull(clocks?.median_resolve_minutes),
    categories,
    escalations: num(events?.escalations),
    escalationsToStreet: num(events?.to_street),
  };
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
  const week = weekStartingAt(query.weekStart, query.timeZone);
  const { start, end } = weekBounds(week, query.timeZone);
  const params = [start, end, query.compoundId ?? null];
  const clocks = await db.query<Row[]>(CLOCK_SQL, params);
  const events = await db.query<Row[]>(EVENT_SQL, params);
  const categoryRows = await db.query<(Row & { category: string; n: unknown })[]>(CATEGORY_SQL, params);
  const scopes = new Set<string | null>([null]);
  for (const row of [...clocks, ...events]) {
    const scope = scopeOf(row);
    if (scope !== undefined) scopes.add(scope);
  }
  const label = { week: formatIsoWeek(week), start, end };
  const out = new Map<string | null, WeeklyFigures>();
  for (const scope of scopes) {
    const categories = categoryRows
      .filter((c) => scopeOf(c) === scope)
      .map((c) => ({ category: c.category, count: num(c.n) }));
    out.set(
      scope,
      figuresOf(
        label,
        scope,
        clocks.find((r) => scopeOf(r) === scope),
        events.find((r) => scopeOf(r) === scope),
        categories,
      ),
    );
  }
  return out;
}

/** The figures of one week, for the street or one compound. */
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

const BUILDING_SQL = `
  SELECT building_id, 'received' AS kind, count(*) AS n, NULL::int[] AS nos
  FROM request WHERE created_at >= $1 AND created_at < $2 AND building_id IS NOT NULL
  GROUP BY building_id
  UNION ALL
  SELECT r.building_id, 'resolved', count(DISTINCT r.id), NULL
  FROM request_event e JOIN request r ON r.id = e.request_id
  WHERE e.type = 'resolved' AND e.at >= $1 AND e.at < $2 AND r.building_id IS NOT NULL
  GROUP BY r.building_id
  UNION ALL
  SELECT building_id, 'open', count(*), array_agg(no ORDER BY no)
  FROM (${requestsAsOf('$2')}) a
  WHERE status_then IN ('open', 'acknowledged') AND building_id IS NOT NULL
  GROUP BY building_id`;

/** Every building with any request activity in the week; a building not in the map had none. */
export async function buildingWeeks(
  db: Db,
  query: Omit<WeeklyFiguresQuery, 'compoundId'>,
): Promise<Map<string, BuildingWeek>> {
  const week = weekStartingAt(query.weekStart, query.timeZone);
  const { start, end } = weekBounds(week, query.timeZone);
  const rows = await db.query<{ building_id: string; kind: string; n: unknown; nos: number[] | null }[]>(
    BUILDING_SQL,
    [start, end],
  );
  const byBuilding = new Map<string, { received: number; resolved: number; stillOpen: number[] }>();
  for (const row of rows) {
    const entry = byBuilding.get(row.building_id) ?? { received: 0, resolved: 0, stillOpen: [] };
    if (row.kind === 'received') entry.received = num(row.n);
    else if (row.kind === 'resolved') entry.resolved = num(row.n);
    else entry.stillOpen = (row.nos ?? []).map(Number);
    byBuilding.set(row.building_id, entry);
  }
  return new Map([...byBuilding].map(([buildingId, e]) => [buildingId, { buildingId, ...e }]));
}
