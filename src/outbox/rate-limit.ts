/**
 * WeCom's rate limits are per webhook key and minute, and for app messages also per member and
 * hour. Each key has a row in outbox_rate:
 * - recent: the epoch-ms times of the key's sends of the last window (RATE_WINDOW_MS, at most the
 *   limit), a slot taken before each send and kept even if the send fails (WeCom may well count
 *   refused calls);
 * - hour_sends: for a key with an hourly limit (hourlyLimited), its sends of the last hour
 *   (HOUR_WINDOW_MS) as minute buckets (HOUR_BUCKET_MS), oldest first: `[last_ms, count]`, the
 *   time of the bucket's latest send and how many it holds; '[]' for any other key;
 * - free_at: when the next slot frees up, as of the last reservation (now, while slots are left);
 * - lease_id, lease_token: the key's row out on a lease, so that a key sends one row at a time.
 *
 * The claim (claim.ts) reserves slots for every key of a round in one statement, with the rows
 * locked in key order, so instances sharing the database reserve one at a time per key and
 * together never exceed the limits.
 *
 * The window is a minute and a second. The worker counts a send when it claims it, WeCom when the
 * send arrives, a send's latency later (and instances' clocks differ a little). Counted for exactly
 * a minute, a key's 21st send could leave a minute after the first one's claim yet arrive within a
 * minute of the first one's arrival, when the first was slower on its way: WeCom refuses it (45009)
 * and the key then waits out a whole minute more. The second covers a slow send (WeCom answers in
 * well under one) and costs the busiest key 1.6% of its rate.
 */
export const SEND_MARGIN_MS = 1_000;
export const RATE_WINDOW_MS = 60_000 + SEND_MARGIN_MS;

/**
 * The hour is a sliding one, as the simulator's (PROTOCOL.md does not say whether WeCom's hour is
 * sliding or fixed; a budget kept over every sliding hour keeps to either). A fixed window of the
 * worker's own would not: the 20 a minute let 1,000 sends crowd a window's last 50 minutes and
 * 1,000 more the next window's first, 2,000 within an hour. Exact send times would be up to 1,000
 * per key; minute buckets keep it to 61, and a bucket counts until its latest send leaves the hour
 * (with the same margin as the minute), so a key's budget frees at most a minute late, never early.
 */
export const HOUR_WINDOW_MS = 3_600_000 + SEND_MARGIN_MS;
export const HOUR_BUCKET_MS = 60_000;

/** WeCom's cap on app messages to one member an hour (PROTOCOL.md 5.4); past it they are dropped. */
export const APP_MESSAGES_PER_HOUR = 1000;

/** The rate key of a private notice to one person: this prefix and the userid. */
export const APP_RATE_KEY_PREFIX = 'app:';

/**
 * Which keys have an hourly limit: only private notices (message/send, 1,000 an hour per member).
 * PROTOCOL.md 4.4 gives the group robot's webhook 20 a minute and no hourly limit.
 */
export const hourlyLimitedSql = (rateKey: string): string =>
  `starts_with(${rateKey}, '${APP_RATE_KEY_PREFIX}')`;
