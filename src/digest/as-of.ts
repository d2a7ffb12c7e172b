import type { DataSource, EntityManager } from 'typeorm';
import type { RequestBrief } from './week-exceptions';

type Db = EntityManager | DataSource;

/**
 * Requests as they stood at an instant, rebuilt from their event log, so that a week's figures
 * read the same whenever they are computed: what happened after the week cannot change them.
 *
 * Closed and withdrawn are final (nothing reopens them), so a request that reached either before
 * the instant is left out without looking at its events; for the rest the latest status event
 * before the instant gives the status then: created → open, acknowledged or reopened →
 * acknowledged, resolved, closed, withdrawn.
 *
 * The digest asks for the requests still open or in hand at the end of the week four times (the
 * overdue, the street's list, the council's agenda, each building's open numbers), so they are
 * read once, in one statement, with what each of those lists needs to know about them.
 */
export interface OpenAsOf {
  readonly no: number;
  readonly buildingId: string | null;
  /** Open (not yet acknowledged) then, else acknowledged. */
  readonly openThen: boolean;
  /**
   * Past a deadline then: open past its acknowledgement deadline, or either past its resolution
   * deadline then (the one a later 不满意 replaced, if any).
   */
  readonly overdue: boolean;
  /** Open and past its acknowledgement deadline then. */
  readonly unacknowledged: boolean;
  /** Escalated to level 2 (the street) or beyond by then. */
  readonly withStreet: boolean;
  /** Put to the residents' council by then. */
  readonly council: boolean;
  /** Put to the council in [since, at). */
  readonly councilSince: boolean;
  /** For the requests on a list (overdue, with the street, on the council's agenda); else null. */
  readonly brief: Omit<RequestBrief, 'text'> | null;
  /** For those with the street or on the council's agenda (the lists that show it); else null. */
  readonly text: string | null;
}

// $1 the instant, $2 the start of the week. The three branches of `active` are the requests
// created before the instant and not closed or withdrawn by it, each read through its own partial
// index (migration 1764300600000): those neither closed nor withdrawn now, and those closed or
// withdrawn at or after the instant (everything the lists need is in those indexes). The status
// then of those with a status event in the week is their latest there, all read at once from the
// (type, at) index; only the others' is looked up one by one ($2 only bounds that window: any
// earlier instant gives the same answer). Only the requests on a list are given in full, and the
// text (read from the table) only where a list shows it.
const OPEN_AS_OF_SQL = `
  WITH active AS (
    SELECT id, no, compound_id, building_id, category, created_at, ack_due_at, resolve_due_at
    FROM request WHERE status NOT IN ('closed', 'withdrawn') AND created_at < $1
    UNION ALL
    SELECT id, no, compound_id, building_id, category, created_at, ack_due_at, resolve_due_at
    FROM request WHERE status = 'closed' AND closed_at >= $1 AND created_at < $1
    UNION ALL
    SELECT id, no, compound_id, building_id, category, created_at, ack_due_at, resolve_due_at
    FROM request WHERE status = 'withdrawn' AND withdrawn_at >= $1 AND created_at < $1
  ),
  recent AS (
    -- The latest status event of each request that had one in the week: for those, the status
    -- then, read from the (type, at) index at once.
    SELECT DISTINCT ON (request_id) request_id, type FROM request_event
    WHERE type IN ('created', 'acknowledged', 'resolved', 'reopened', 'closed', 'withdrawn')
      AND at >= $2 AND at < $1
    ORDER BY request_id, at DESC, id DESC
  ),
  latest AS MATERIALIZED (
    -- The others' (open since before the week with nothing in it) one by one.
    SELECT a.*,
      CASE WHEN r.request_id IS NOT NULL THEN r.type ELSE (
        SELECT e.type FROM request_event e
        WHERE e.request_id = a.id AND e.at < $1
          AND e.type IN ('created', 'acknowledged', 'resolved', 'reopened', 'closed', 'withdrawn')
        ORDER BY e.at DESC, e.id DESC
        LIMIT 1
      ) END AS type
    FROM active a
    LEFT JOIN recent r ON r.request_id = a.id
  ),
  replaced AS (
    -- Resolve deadlines a 不满意 at or after the instant replaced: the one in force then is that of
    -- the first round ended since (request_resolve_round, read by reopened_at from its index).
    SELECT DISTINCT ON (request_id) request_id, due_at FROM request_resolve_round
    WHERE reopened_at >= $1
    ORDER BY request_id, reopened_at
  ),
  status_at AS (
    SELECT l.*, COALESCE(p.due_at, l.resolve_due_at) AS resolve_due_then,
      CASE COALESCE(l.type, 'created')
        WHEN 'created' THEN 'open'
        WHEN 'reopened' THEN 'acknowledged'
        ELSE l.type
      END AS status_then
    FROM latest l
    LEFT JOIN replaced p ON p.request_id = l.id
  ),
  listed AS (
    SELECT t.id, t.no, t.compound_id, t.building_id, t.category, t.created_at,
      t.status_then = 'open' AS open_then,
      (t.status_then = 'open' AND t.ack_due_at < $1) OR t.resolve_due_then < $1 AS overdue,
      t.status_then = 'open' AND t.ack_due_at < $1 AS unacknowledged,
      x.level >= 2 AS with_street,
      x.council,
      x.council_since
    FROM status_at t
    CROSS JOIN LATERAL (
      SELECT max((e.data->>'level')::int) FILTER (WHERE e.type = 'escalated') AS level,
        bool_or(true) FILTER (WHERE e.type = 'council') AS council,
        bool_or(e.at >= $2) FILTER (WHERE e.type = 'council') AS council_since
      FROM request_event e
      WHERE e.request_id = t.id AND e.type IN ('escalated', 'council') AND e.at < $1
    ) x
    WHERE t.status_then IN ('open', 'acknowledged')
  )
  SELECT json_agg(json_build_array(
      no, building_id, open_then, overdue, unacknowledged, with_street, council, council_since,
      CASE WHEN on_list THEN id::text END,
      CASE WHEN on_list THEN compound_id END,
      CASE WHEN on_list THEN category END,
      CASE WHEN on_list THEN floor(extract(epoch FROM created_at) * 1000) END,
      CASE WHEN with_street OR council THEN (SELECT r.text FROM request r WHERE r.id = l.id) END
    ) ORDER BY created_at, no) AS open
  FROM (SELECT *, (overdue OR with_street OR council) IS TRUE AS on_list FROM listed) l`;

/** A row of OPEN_AS_OF_SQL's JSON array, in its order; the brief's id, compound, category and creation
 * (epoch ms) only for the requests on a list. */
type OpenRow = [
  no: number,
  buildingId: string | null,
  openThen: boolean | null,
  overdue: boolean | null,
  unacknowledged: boolean | null,
  withStreet: boolean | null,
  council: boolean | null,
  councilSince: boolean | null,
  id: string | null,
  compoundId: string | null,
  category: string | null,
  createdMs: number | null,
  text: string | null,
];

/** The requests open or in hand at `at`, oldest first (then by number). */
export async function openAsOf(
  db: Db,
  query: { readonly at: Date; readonly since: Date },
): Promise<OpenAsOf[]> {
  // One JSON value rather than a row per request: a street has tens of thousands open.
  const [result] = await db.query<{ open: OpenRow[] | null }[]>(OPEN_AS_OF_SQL, [query.at, query.since]);
  return (result?.open ?? []).map(
    ([
      no,
      buildingId,
      openThen,
      overdue,
      unacknowledged,
      withStreet,
      council,
      councilSince,
      id,
      compoundId,
      category,
      createdMs,
      text,
    ]) => ({
      no,
      buildingId,
      openThen: openThen === true,
      overdue: overdue === true,
      unacknowledged: unacknowledged === true,
      withStreet: withStreet === true,
      council: council === true,
      councilSince: councilSince === true,
      brief:
        id === null
          ? null
          : { id, no, compoundId, buildingId, category: category ?? '', createdAt: new Date(createdMs ?? 0) },
      text,
    }),
  );
}
