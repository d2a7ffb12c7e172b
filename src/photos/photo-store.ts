import type { DataSource } from 'typeorm';

/** A pending photo on a lease: the keeper fetches it and settles it with the same lease. */
export interface ClaimedPhoto {
  readonly id: string;
  readonly url: string;
  /** Including this one. */
  readonly attempts: number;
  /** When its message arrived: the link is valid for 5 minutes from then. */
  readonly receivedAt: Date;
  readonly leaseUntil: Date;
}

export type PhotoOutcome =
  | { readonly kind: 'kept'; readonly bytes: Buffer; readonly contentType: string }
  | { readonly kind: 'retry'; readonly at: Date; readonly error: string }
  | { readonly kind: 'failed'; readonly error: string };

/**
 * Leases up to `limit` due photos, in one statement. SKIP LOCKED lets keepers on other
 * instances take other rows; moving next_attempt_at to the lease's end hides the row from every
 * claim until then, and brings it back if its keeper dies mid-fetch. Attempts count claims, so a
 * fetch that crashed counts too.
 */
export async function claimDuePhotos(
  dataSource: DataSource,
  now: Date,
  leaseMs: number,
  limit: number,
): Promise<ClaimedPhoto[]> {
  const leaseUntil = new Date(now.getTime() + leaseMs);
  const rows = await dataSource.query<
    { id: string; url: string; attempts: number; received_at: Date; lease_until: Date }[]
  >(
    `WITH due AS (
       SELECT id FROM inbound_photo
       WHERE status = 'pending' AND next_attempt_at <= $1
       ORDER BY next_attempt_at, id
       LIMIT $3
       FOR UPDATE SKIP LOCKED
     ), claimed AS (
       UPDATE inbound_photo p
       SET attempts = p.attempts + 1, lease_until = $2, next_attempt_at = $2
       FROM due, inbound_message m
       WHERE p.id = due.id AND m.id = p.inbound_id
       RETURNING p.id, p.url, p.attempts, m.received_at, p.lease_until
     )
     SELECT * FROM claimed ORDER BY id`,
    [now.toISOString(), leaseUntil.toISOString(), limit],
  );
  return rows.map((r) => ({
    id: r.id,
    url: r.url,
    attempts: r.attempts,
    receivedAt: new Date(r.received_at),
    leaseUntil: new Date(r.lease_until),
  }));
}

/**
 * Records what became of a claimed photo, only if the claim still holds it (its lease did not
 * run out and pass it to another keeper). Returns whether it did.
 */
export async function settlePhoto(
  dataSource: DataSource,
  photo: ClaimedPhoto,
  outcome: PhotoOutcome,
  now: Date,
): Promise<boolean> {
  const held = `id = $1 AND status = 'pending' AND lease_until = $2`;
  let result: [unknown[], number];
  switch (outcome.kind) {
    case 'kept':
      result = await dataSource.query(
        `UPDATE inbound_photo SET status = 'kept', bytes = $3, content_type = $4, kept_at = $5,
           lease_until = NULL, error = NULL
         WHERE ${held}`,
        [photo.id, photo.leaseUntil.toISOString(), outcome.bytes, outcome.contentType, now.toISOString()],
      );
      break;
    case 'retry':
      result = await dataSource.query(
        `UPDATE inbound_photo SET next_attempt_at = $3, error = $4, lease_until = NULL WHERE ${held}`,
        [photo.id, photo.leaseUntil.toISOString(), outcome.at.toISOString(), outcome.error],
      );
      break;
    case 'failed':
      result = await dataSource.query(
        `UPDATE inbound_photo SET status = 'failed', error = $3, lease_until = NULL WHERE ${held}`,
        [photo.id, photo.leaseUntil.toISOString(), outcome.error],
      );
      break;
  }
  return result[1] > 0;
}
