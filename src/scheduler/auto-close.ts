import type { EntityManager } from 'typeorm';
import { clockLength } from './reminder-sweep';

/**
 * Closes resolved requests the reporter has not rated within `afterMinutes` of their resolution,
 * as confirmed (no rating: they do not count as 满意), each with a 'closed' event. Only resolved
 * requests qualify, so nothing unresolved is ever closed here; a request rated meanwhile is no
 * longer resolved and is left alone (the UPDATE re-checks each row under its lock).
 */
export async function autoClose(
  tx: EntityManager,
  now: Date,
  afterMinutes: number,
): Promise<{ closed: number; numbers: number[] }> {
  const cutoff = new Date(now.getTime() - afterMinutes * 60_000);
  const note = `办结后${clockLength(afterMinutes)}未评价，自动确认办结`;
  const rows = await tx.query<{ no: number }[]>(
    `WITH closed AS (
       UPDATE request SET status = 'closed', closed_at = $1, updated_at = $1
       WHERE status = 'resolved' AND resolved_at <= $2
       RETURNING id, no
     ), logged AS (
       INSERT INTO request_event (request_id, type, actor_id, at, note, data)
       SELECT id, 'closed', NULL, $1, $3, '{"auto": true}'::jsonb FROM closed
     )
     SELECT no FROM closed ORDER BY no`,
    [now, cutoff, note],
  );
  return { closed: rows.length, numbers: rows.map((r) => r.no) };
}
