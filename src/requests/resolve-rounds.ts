import type { EntityManager } from 'typeorm';
import type { RequestRow } from './request-store';

/**
 * Ends a request's resolve round at a 不满意: the deadline it had and the resolution it got are
 * kept (request_resolve_round), and reopened_at marks the start of the next round, so that the
 * weekly figures of the week the old deadline fell in never change (src/digest/weekly-figures.ts).
 * Call before moving resolve_due_at.
 */
export async function endResolveRound(tx: EntityManager, request: RequestRow, now: Date): Promise<void> {
  if (request.resolveDueAt && request.resolvedAt) {
    await tx.query(
      `INSERT INTO request_resolve_round (request_id, round, due_at, resolved_at, reopened_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [request.id, request.reopenCount, request.resolveDueAt, request.resolvedAt, now],
    );
  }
  await tx.query(`UPDATE request SET reopened_at = $2 WHERE id = $1`, [request.id, now]);
}
