/**
 * WeCom's rate limit is per webhook key and minute. Each key has a row in outbox_rate:
 * - recent: the epoch-ms times of the key's sends of the last minute (at most the limit), a slot
 *   taken before each send and kept even if the send fails (WeCom may well count refused calls);
 * - free_at: when the next slot frees up, as of the last reservation (now, while slots are left);
 * - lease_id, lease_token: the key's row out on a lease, so that a key sends one row at a time.
 *
 * The claim (claim.ts) reserves slots for every key of a round in one statement, with the rows
 * locked in key order, so instances sharing the database reserve one at a time per key and
 * together never exceed the limit.
 */
export const RATE_WINDOW_MS = 60_000;
