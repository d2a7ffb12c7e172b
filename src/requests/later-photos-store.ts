import type { EntityManager } from 'typeorm';

/** The statements behind attaching photos sent after a post (later-photos.ts). */

/**
 * The most photos a request takes, its post's own included: as many as a phone picks at once
 * (9). Each may be 10 MB, kept in the database; past this more photos are not attached.
 */
export const MAX_PHOTOS_PER_REQUEST = 9;

/**
 * Waits for the transactions filing requests to commit: each holds the request counter's row
 * until then (request-store.ts), so the next statement sees what they filed. Locked as an update
 * would, not shared: a batch that goes on to file a request upgrades no lock, so two cannot
 * deadlock over it.
 */
export async function awaitFilingsInFlight(tx: EntityManager): Promise<void> {
  await tx.query(`SELECT 1 FROM request_counter WHERE id = 1 FOR NO KEY UPDATE`);
}

/**
 * Attaches the message's photos to the request unless that would take it past
 * MAX_PHOTOS_PER_REQUEST, in one statement: the request's row is updated (and so locked) with
 * the count checked against its latest committed value, so photos attached at once on several
 * instances cannot pass the cap together. Returns whether they were attached.
 */
export async function attachPhotosToRequest(
  tx: EntityManager,
  requestId: string,
  inboundId: string,
  count: number,
  now: Date,
): Promise<boolean> {
  // A SELECT at the top: both drivers answer it with the rows alone (an UPDATE they answer
  // differently once it is behind a WITH).
  const [row] = await tx.query<{ attached: number }[]>(
    `WITH counted AS (
       UPDATE request SET later_photos = later_photos + $3, updated_at = $5
       WHERE id = $1 AND jsonb_array_length(image_urls) + later_photos + $3 <= $4
       RETURNING id
     ), attached AS (
       UPDATE inbound_photo p SET request_id = counted.id
       FROM counted WHERE p.inbound_id = $2 AND p.request_id IS NULL
       RETURNING p.id
     )
     SELECT count(*)::int AS attached FROM attached`,
    [requestId, inboundId, count, MAX_PHOTOS_PER_REQUEST, now],
  );
  return (row?.attached ?? 0) > 0;
}
