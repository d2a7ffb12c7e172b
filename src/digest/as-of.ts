/**
 * Requests as they stood at an instant, rebuilt from their event log, so that a week's figures
 * read the same whenever they are computed: what happened after the week cannot change them.
 *
 * Closed and withdrawn are final (nothing reopens them), so a request that reached either before
 * the instant is left out without looking at its events; for the rest the latest status event
 * before the instant gives the status then: created → open, acknowledged or reopened →
 * acknowledged, resolved, closed, withdrawn.
 *
 * @param at the SQL placeholder holding the instant, e.g. `$2`
 * @returns a SELECT of every request column plus `status_then`, for requests created before the
 *   instant and not yet closed or withdrawn by it.
 */
export function requestsAsOf(at: string): string {
  return `
    SELECT r.*,
      CASE COALESCE(s.type, 'created')
        WHEN 'created' THEN 'open'
        WHEN 'reopened' THEN 'acknowledged'
        ELSE s.type
      END AS status_then
    FROM request r
    LEFT JOIN LATERAL (
      SELECT e.type FROM request_event e
      WHERE e.request_id = r.id AND e.at < ${at}
        AND e.type IN ('created', 'acknowledged', 'resolved', 'reopened', 'closed', 'withdrawn')
      ORDER BY e.at DESC, e.id DESC
      LIMIT 1
    ) s ON true
    WHERE r.created_at < ${at}
      AND NOT ((r.status = 'closed' AND r.closed_at < ${at}) OR (r.status = 'withdrawn' AND r.withdrawn_at < ${at}))`;
}
