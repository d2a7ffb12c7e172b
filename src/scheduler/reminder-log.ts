import type { DataSource, EntityManager } from 'typeorm';
import { REMINDED } from './reminder-sweep';

/** A reminder the sweep sent about a request: to acknowledge it, or to resolve it. */
export interface SentReminder {
  readonly stage: 'ack_remind' | 'resolve_remind';
  readonly at: Date;
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
    `SELECT stage, at FROM request_reminder
      WHERE request_id = $1 AND outcome = $2 AND stage IN ('ack_remind', 'resolve_remind')
      ORDER BY at, stage`,
    [requestId, REMINDED],
  );
}
