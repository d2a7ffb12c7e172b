import type { EntityManager } from 'typeorm';
import { attachPhotosToRequest, type AttachedPhotos } from './later-photos-store';
import { REQUEST_COLUMNS, toRequest, type RequestRow } from './request-store';

/** The statements behind photos held for the sender's next post (held-photos.ts). */

/** One message's photos, held for its sender's next post in its group. */
export interface HeldPhotos {
  /** The stored message that brought them: its inbound_photo rows are what is attached. */
  readonly inboundId: string;
  /** As the ledger spells them. */
  readonly senderId: string;
  readonly chatId: string;
  readonly heldAt: Date;
}

/**
 * Holds a message's photos, and drops the sender's holds older than `expired` in the same
 * statement: a hold nobody took is of no more use, and the table stays a few rows a sender.
 */
export async function insertHold(tx: EntityManager, hold: HeldPhotos, expired: Date): Promise<void> {
  await tx.query(
    `WITH stale AS (DELETE FROM photo_hold WHERE sender_id = $2 AND held_at < $5)
     INSERT INTO photo_hold (inbound_id, sender_id, chat_id, held_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (inbound_id) DO NOTHING`,
    [hold.inboundId, hold.senderId, hold.chatId, hold.heldAt, expired],
  );
}

/** A hold as read back inside a jsonb aggregate. */
interface HoldJson {
  inboundId: string;
  chatId: string;
  heldAt: string;
}

const HOLDS_OF_POSTER = `(
  SELECT coalesce(
           jsonb_agg(jsonb_build_object('inboundId', h.inbound_id::text, 'chatId', h.chat_id, 'heldAt', h.held_at)
                     ORDER BY h.held_at, h.inbound_id),
           '[]'::jsonb) AS holds
  FROM photo_hold h WHERE h.sender_id = who.reporter AND h.held_at >= $2
)`;

/** These senders' holds since `since`, by sender, oldest first. */
export async function heldPhotosOf(
  tx: EntityManager,
  senderIds: readonly string[],
  since: Date,
): Promise<Map<string, HeldPhotos[]>> {
  const rows = await tx.query<{ poster: string; holds: HoldJson[] }[]>(
    `SELECT who.reporter AS poster, held.holds
     FROM unnest($1::text[]) AS who (reporter) CROSS JOIN LATERAL ${HOLDS_OF_POSTER} AS held`,
    [senderIds, since],
  );
  return new Map(rows.map((r) => [r.poster, r.holds.map((h) => fromJson(r.poster, h))]));
}

const fromJson = (senderId: string, h: HoldJson): HeldPhotos => ({
  inboundId: h.inboundId,
  senderId,
  chatId: h.chatId,
  heldAt: new Date(h.heldAt),
});

/** What a batch knows of its posters after one read. */
export interface PostersRecent {
  /** Their requests created since, still open or being handled, newest first (activeRequestsBy). */
  readonly requests: Map<string, RequestRow[]>;
  /** Their photos held since, oldest first. */
  readonly holds: Map<string, HeldPhotos[]>;
}

/**
 * A batch's one read of its posters: each one's active requests since `since` (the newest 20, as
 * repeat-posts.ts's activeRequestsBy reads them) and photos held since, in one round trip, the
 * batch's cost (docs/benchmarks.md). A poster with no request still gets a row, with nulls for
 * the request's columns.
 */
export async function postersRecent(
  tx: EntityManager,
  reporterIds: readonly string[],
  since: Date,
): Promise<PostersRecent> {
  const rows = await tx.query<Record<string, unknown>[]>(
    `SELECT who.reporter AS poster, held.holds AS poster_holds, r.*
     FROM unnest($1::text[]) AS who (reporter)
       CROSS JOIN LATERAL ${HOLDS_OF_POSTER} AS held
       LEFT JOIN LATERAL (
         SELECT ${REQUEST_COLUMNS} FROM request
          WHERE reporter_id = who.reporter AND created_at >= $2 AND status IN ('open', 'acknowledged')
          ORDER BY created_at DESC LIMIT 20
       ) AS r ON true`,
    [reporterIds, since],
  );
  const requests = new Map<string, RequestRow[]>(reporterIds.map((id) => [id, []]));
  const holds = new Map<string, HeldPhotos[]>(reporterIds.map((id) => [id, []]));
  for (const { poster, poster_holds: held, ...request } of rows) {
    const who = String(poster);
    holds.set(
      who,
      (held as HoldJson[]).map((h) => fromJson(who, h)),
    );
    if (request.id !== null) requests.get(who)?.push(toRequest(request));
  }
  return { requests, holds };
}

/**
 * Attaches the held messages' photos to the request, each message's whole or not at all, oldest
 * first, up to MAX_PHOTOS_PER_REQUEST (attachPhotosToRequest), then deletes the sender's holds in
 * that chat: taken, left off for the cap, or too old. Called for a post only, rarely, with the
 * request counter held (held-photos.ts), so no other post takes them meanwhile.
 */
export async function takeHolds(
  tx: EntityManager,
  requestId: string,
  holds: readonly HeldPhotos[],
  now: Date,
): Promise<AttachedPhotos> {
  let attached = 0;
  let full = false;
  for (const hold of holds) {
    const result = await attachPhotosToRequest(tx, requestId, hold.inboundId, now);
    attached += result.attached;
    full ||= result.full;
  }
  const [first] = holds;
  if (first) {
    await tx.query(`DELETE FROM photo_hold WHERE sender_id = $1 AND chat_id = $2`, [
      first.senderId,
      first.chatId,
    ]);
  }
  return { attached, full };
}
