import type { DataSource, EntityManager } from 'typeorm';
import { NOT_DELIVERED, REMINDED } from './reminder-sweep';

/** A reminder the sweep made about a request: to acknowledge it, or to resolve it. */
export interface SentReminder {
  readonly stage: 'ack_remind' | 'resolve_remind';
  readonly at: Date;
  /** False when it was due but had nowhere to go (no group robot, no private notices). */
  readonly delivered: boolean;
}

/**
 * The reminders sent about a request, oldest first, for its timeline. Escalations are not here:
 * the sweep records those as the request's own events.
 */
export async function remindersSent(
  db: DataSource | EntityManager,
  requestId: string,
): Promise<SentReminder[]> {
  return db.query<SentReminder[]>(
    `SELECT stage, at, outcome = $2 AS delivered FROM request_reminder
      WHERE request_id = $1 AND outcome IN ($2, $3) AND stage IN ('ack_remind', 'resolve_remind')
      ORDER BY at, stage`,
    [requestId, REMINDED, NOT_DELIVERED],
  );
}
