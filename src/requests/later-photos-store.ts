import type { EntityManager } from 'typeorm';
import type { NewEvent } from './request-store';

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

/** What attaching a message's photos did. */
export interface AttachedPhotos {
  /** How many of its photos were attached now. */
  readonly attached: number;
  /** Whether they were left off because the request would have gone past its cap. */
  readonly full: boolean;
}

/**
 * Attaches the message's photos not yet attached unless that would take the request past
 * MAX_PHOTOS_PER_REQUEST, in one statement: the photo rows are locked, then the request's row is
 * updated (and so locked) with the count checked against its latest committed value, so photos
 * attached at once on several instances cannot pass the cap together. The request's count grows
 * by the rows attached, not by the photos the message brought: none when an earlier run attached
 * them already.
 */
export async function attachPhotosToRequest(
  tx: EntityManager,
  requestId: string,
  inboundId: string,
  now: Date,
): Promise<AttachedPhotos> {
  // A SELECT at the top: both drivers answer it with the rows alone (an UPDATE they answer
  // differently once it is behind a WITH).
  const [row] = await tx.query<{ attached: number; pending: number }[]>(
    `WITH pending AS (
       SELECT id FROM inbound_photo WHERE inbound_id = $2 AND request_id IS NULL FOR UPDATE
     ), counted AS (
       UPDATE request SET later_photos = later_photos + (SELECT count(*) FROM pending), updated_at = $4
       WHERE id = $1 AND EXISTS (SELECT 1 FROM pending)
         AND jsonb_array_length(image_urls) + later_photos + (SELECT count(*) FROM pending) <= $3
       RETURNING id
     ), attached AS (
       UPDATE inbound_photo p SET request_id = counted.id
       FROM counted, pending WHERE p.id = pending.id
       RETURNING p.id
     )
     SELECT (SELECT count(*) FROM attached)::int AS attached, (SELECT count(*) FROM pending)::int AS pending`,
    [requestId, inboundId, MAX_PHOTOS_PER_REQUEST, now],
  );
  const attached = row?.attached ?? 0;
  return { attached, full: attached === 0 && (row?.pending ?? 0) > 0 };
}

/**
 * The event that notes photos attached to a request after its post, however they came (alone, with
 * 补充, 进展 or 办结, or held for the post): the pages and 查询 name it 补充照片.
 */
export function photoEvent(actorId: string, at: Date, count: number): NewEvent {
  return { type: 'photo', actorId, at, note: `${count} 张`, data: { photos: count } };
}
