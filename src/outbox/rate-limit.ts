/**
 * WeCom's rate limit is per webhook key and minute. Each key has a row in outbox_rate:
 * - recent: the epoch-ms times of the key's sends of the last window (RATE_WINDOW_MS, at most the
 *   limit), a slot taken before each send and kept even if the send fails (WeCom may well count
 *   refused calls);
 * - free_at: when the next slot frees up, as of the last reservation (now, while slots are left);
 * - lease_id, lease_token: the key's row out on a lease, so that a key sends one row at a time.
 *
 * The claim (claim.ts) reserves slots for every key of a round in one statement, with the rows
 * locked in key order, so instances sharing the database reserve one at a time per key and
 * together never exceed the limit.
 *
 * The window is a minute and a second. The worker counts a send when it claims it, WeCom when the
 * send arrives, a send's latency later (and instances' clocks differ a little). Counted for exactly
 * a minute, a key's 21st send could leave a minute after the first one's claim yet arrive within a
 * minute of the first one's arrival, when the first was slower on its way: WeCom refuses it (45009)
 * and the key then waits out a whole minute more. The second covers a slow send (WeCom answers in
 * well under one) and costs the busiest key 1.6% of its rate.
 */
export const RATE_WINDOW_MS = 61_000;
