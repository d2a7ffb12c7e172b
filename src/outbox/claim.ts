import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { OutboxRow } from './outbox-types';
import {
  APP_MESSAGES_PER_HOUR,
  HOUR_BUCKET_MS,
  HOUR_WINDOW_MS,
  hourlyLimitedSql,
  RATE_WINDOW_MS,
} from './rate-limit';

export interface ClaimSettings {
  readonly batchSize: number;
  readonly leaseMs: number;
  readonly ratePerMinute: number;
  /** Sends an hour to one person's private notices (keys `app:<userid>`), at least 1; default 1,000. */
  readonly appMessagesPerHour?: number;
  /**
   * Due rows looked at per round (at least batchSize). Rows found waiting behind an earlier row of
   * their key are parked, so a larger scan clears a fresh backlog in fewer rounds.
   */
  readonly scanLimit?: number;
}

/** Rows leased to one worker; only the holder of `token` may settle them. */
export interface Claim {
  readonly token: string;
  readonly rows: readonly OutboxRow[];
  /** Due rows the round looked at; as many as the scan limit means more may be due. */
  readonly examined: number;
  /** Rows parked behind an earlier row of their key. */
  readonly parked: number;
  /** Head rows pushed back because their key has used its minute or its hour. */
  readonly deferred: number;
}

/**
 * When a key whose hour holds `count` sends in `buckets` (oldest first) is under `cap` again: when
 * the first bucket whose leaving takes the count below the cap leaves the hour.
 */
function hourFreesAt(buckets: string, count: string, cap: string): string {
  return `(SELECT 'epoch'::timestamptz + (q.last_ms + ${HOUR_WINDOW_MS}) * interval '1 millisecond'
           FROM (SELECT (b.pair ->> 0)::numeric::bigint AS last_ms,
                        sum((b.pair ->> 1)::int) OVER (ORDER BY b.ord) AS gone
                 FROM jsonb_array_elements(${buckets}) WITH ORDINALITY b(pair, ord)) q
           WHERE ${count} - q.gone < ${cap}
           ORDER BY q.gone LIMIT 1)`;
}

/**
 * One statement, so one round trip and one short transaction: pick due rows, park those that wait
 * behind an earlier row of their key, reserve a rate slot for each key's head, lease the heads that
 * got one and push back the ones whose key has used its minute or its hour.
 *
 * cand: due, unparked, unleased rows, oldest first. SKIP LOCKED lets concurrent claims pass over
 *   each other's rows, and over rows being settled.
 * sorted: `behind` when an earlier row of the key is still pending: such a row is not sent now.
 * park: parks the rows behind, once the earlier row is read again with a share lock: a locking read
 *   sees the row's newest version, not this statement's snapshot, and the lock keeps it pending
 *   until the claim commits (its settle waits). A row whose predecessor was settled meanwhile, or is
 *   being settled or is another claim's candidate (locked: skipped), is left unparked, to be looked at again: the settle
 *   may already have looked for the key's next row. Parked rows leave ix_outbox_claim, so later
 *   rounds do not read them again; the settle of the row ahead unparks the key's next row.
 *   (KEY SHARE would not do: it does not conflict with the settle's update, so it reads the old
 *   version.)
 * heads: at most one per key (any later candidate of the key is behind it).
 * locked: the heads' rows in outbox_rate, locked in key order so claims cannot deadlock on them,
 *   read as they are now (a locking read sees the newest version).
 * state: the sends of the last minute, those of the last hour for a key with an hourly cap
 *   (hour_cap: private notices, see rate-limit.ts), and whether the key's lease is still out: busy
 *   unless its row, read with a lock for the same reason, is seen settled or past its lease (a row
 *   locked by its settle counts as busy; the next round sees it settled).
 * decided: a slot when the minute and the hour both have one left; else the head is due again when
 *   both do (refused_until). hour_after: the hour's buckets with this send added to the current
 *   minute's bucket, or in a new one.
 * taken/created: the reservation: the send time added, the lease recorded, and when the key's next
 *   slot frees (free_at, which the settle applies to the key's next row).
 */
const CLAIM = `
  WITH cand AS MATERIALIZED (
    SELECT o.id, o.rate_key, o.next_attempt_at
    FROM outbox o
    WHERE o.status = 'pending' AND NOT o.parked
      AND o.next_attempt_at <= $1::timestamptz
      AND (o.claimed_until IS NULL OR o.claimed_until <= $1::timestamptz)
    ORDER BY o.next_attempt_at, o.id
    LIMIT $2
    FOR NO KEY UPDATE OF o SKIP LOCKED
  ),
  sorted AS MATERIALIZED (
    SELECT c.id, c.rate_key, c.next_attempt_at,
           c.rate_key IS NOT NULL AND EXISTS (
             SELECT 1 FROM outbox p
             WHERE p.rate_key = c.rate_key AND p.status = 'pending' AND p.id < c.id) AS behind
    FROM cand c
  ),
  park AS (
    UPDATE outbox o SET parked = true
    FROM sorted s
    WHERE o.id = s.id AND s.behind
      AND EXISTS (SELECT 1 FROM outbox p
                  WHERE p.rate_key = o.rate_key AND p.status = 'pending' AND p.id < o.id
                  FOR SHARE OF p SKIP LOCKED)
    RETURNING o.id
  ),
  heads AS MATERIALIZED (
    SELECT s.id, s.rate_key FROM sorted s WHERE NOT s.behind
    ORDER BY s.next_attempt_at, s.id
    LIMIT $3
  ),
  locked AS MATERIALIZED (
    SELECT r.rate_key, r.recent, r.hour_sends, r.lease_id, r.lease_token
    FROM outbox_rate r
    WHERE r.rate_key IN (SELECT h.rate_key FROM heads h WHERE h.rate_key IS NOT NULL)
    ORDER BY r.rate_key
    FOR NO KEY UPDATE OF r
  ),
  state AS MATERIALIZED (
    SELECT l.rate_key, w.live, cardinality(w.live) AS used,
           CASE WHEN ${hourlyLimitedSql('l.rate_key')} THEN $8::int END AS hour_cap,
           hw.live AS hour_live, hw.used AS hour_used,
           l.lease_id IS NOT NULL
             AND EXISTS (SELECT 1 FROM outbox x WHERE x.id = l.lease_id)
             AND NOT EXISTS (
               SELECT 1 FROM outbox x
               WHERE x.id = l.lease_id
                 AND NOT coalesce(x.status = 'pending' AND x.claim_token = l.lease_token
                                  AND x.claimed_until > $1::timestamptz, false)
               FOR SHARE OF x SKIP LOCKED) AS busy
    FROM locked l
    CROSS JOIN LATERAL (
      SELECT coalesce(array_agg(t.ms ORDER BY t.ms), '{}'::bigint[]) AS live
      FROM (SELECT (e #>> '{}')::numeric::bigint AS ms
            FROM jsonb_array_elements(l.recent) e WHERE jsonb_typeof(e) = 'number') t
      WHERE t.ms > $7::bigint - ${RATE_WINDOW_MS}) w
    CROSS JOIN LATERAL (
      SELECT coalesce(jsonb_agg(b.pair ORDER BY b.ord), '[]'::jsonb) AS live,
             coalesce(sum((b.pair ->> 1)::int), 0)::int AS used
      FROM jsonb_array_elements(
             CASE WHEN jsonb_typeof(l.hour_sends) = 'array' THEN l.hour_sends ELSE '[]'::jsonb END)
             WITH ORDINALITY b(pair, ord)
      WHERE jsonb_typeof(b.pair) = 'array'
        AND (b.pair ->> 0)::numeric::bigint > $7::bigint - ${HOUR_WINDOW_MS}) hw
  ),
  decided AS MATERIALIZED (
    SELECT s.rate_key, h.id AS head_id, s.busy,
           s.used < $6 AND NOT s.busy AND (s.hour_cap IS NULL OR s.hour_used < s.hour_cap) AS ok,
           GREATEST(
             CASE WHEN s.used >= $6 AND $6 > 0
                  THEN 'epoch'::timestamptz + (s.live[s.used - $6 + 1] + ${RATE_WINDOW_MS}) * interval '1 millisecond'
             END,
             CASE WHEN s.hour_used >= s.hour_cap THEN ${hourFreesAt('s.hour_live', 's.hour_used', 's.hour_cap')} END
           ) AS refused_until,
           a.after,
           ha.hour_after,
           GREATEST(
             CASE WHEN cardinality(a.after) >= $6 AND $6 > 0
                  THEN 'epoch'::timestamptz
                       + (a.after[cardinality(a.after) - $6 + 1] + ${RATE_WINDOW_MS}) * interval '1 millisecond'
                  ELSE $1::timestamptz
             END,
             CASE WHEN s.hour_used + 1 >= s.hour_cap
                  THEN ${hourFreesAt('ha.hour_after', 's.hour_used + 1', 's.hour_cap')} END
           ) AS free_after
    FROM state s
    JOIN heads h ON h.rate_key = s.rate_key
    CROSS JOIN LATERAL (
      SELECT array_agg(t ORDER BY t) AS after FROM unnest(s.live || $7::bigint) t) a
    CROSS JOIN LATERAL (
      SELECT CASE
               WHEN s.hour_cap IS NULL THEN '[]'::jsonb
               WHEN jsonb_array_length(s.hour_live) > 0
                    AND $7::bigint / ${HOUR_BUCKET_MS} <= (s.hour_live -> -1 ->> 0)::numeric::bigint / ${HOUR_BUCKET_MS}
                 THEN jsonb_set(s.hour_live, '{-1}', jsonb_build_array(
                        GREATEST((s.hour_live -> -1 ->> 0)::numeric::bigint, $7::bigint),
                        (s.hour_live -> -1 ->> 1)::int + 1))
               ELSE s.hour_live || jsonb_build_array(jsonb_build_array($7::bigint, 1))
             END AS hour_after) ha
  ),
  taken AS (
    UPDATE outbox_rate r
    SET recent = to_jsonb(d.after), hour_sends = d.hour_after, free_at = d.free_after,
        lease_id = d.head_id, lease_token = $4
    FROM decided d
    WHERE r.rate_key = d.rate_key AND d.ok
    RETURNING r.rate_key
  ),
  created AS (
    INSERT INTO outbox_rate (rate_key, recent, hour_sends, free_at, lease_id, lease_token)
    SELECT h.rate_key, jsonb_build_array($7::bigint),
           CASE WHEN ${hourlyLimitedSql('h.rate_key')} THEN jsonb_build_array(jsonb_build_array($7::bigint, 1))
                ELSE '[]'::jsonb END,
           GREATEST(
             CASE WHEN $6 <= 1 THEN $1::timestamptz + interval '${RATE_WINDOW_MS} milliseconds'
                  ELSE $1::timestamptz END,
             CASE WHEN ${hourlyLimitedSql('h.rate_key')} AND $8::int <= 1
                  THEN $1::timestamptz + interval '${HOUR_WINDOW_MS} milliseconds' END),
           h.id, $4
    FROM heads h
    WHERE h.rate_key IS NOT NULL AND $6 > 0
      AND NOT EXISTS (SELECT 1 FROM locked l WHERE l.rate_key = h.rate_key)
    ORDER BY h.rate_key
    ON CONFLICT (rate_key) DO NOTHING
    RETURNING rate_key
  ),
  claimed AS (
    UPDATE outbox o
    SET claimed_until = $5::timestamptz, claim_token = $4, attempts = o.attempts + 1
    FROM heads h
    WHERE o.id = h.id
      AND (h.rate_key IS NULL
           OR h.rate_key IN (SELECT rate_key FROM taken UNION ALL SELECT rate_key FROM created))
    RETURNING o.id, o.purpose, o.destination, o.rate_key, o.body, o.attempts, o.parts_sent, o.created_at
  ),
  deferred AS (
    UPDATE outbox o SET next_attempt_at = d.refused_until
    FROM decided d
    WHERE o.id = d.head_id AND NOT d.ok AND NOT d.busy AND d.refused_until > o.next_attempt_at
    RETURNING o.id
  )
  SELECT c.id, c.purpose, c.destination, c.rate_key, c.body, c.attempts, c.parts_sent, c.created_at,
         (SELECT count(*) FROM sorted)::int AS examined,
         (SELECT count(*) FROM park)::int AS parked,
         (SELECT count(*) FROM deferred)::int AS deferred
  FROM (SELECT 1) AS one
  LEFT JOIN claimed c ON true`;

type ClaimedRow = { [K in keyof OutboxRow]: OutboxRow[K] | null } & {
  examined: number;
  parked: number;
  deferred: number;
};

/**
 * Leases due rows in one statement (see CLAIM). A row keyed by a webhook is sent only at the head
 * of its key: no earlier row of that key is still pending and no other row of it is out on a lease,
 * so a key's messages go out one at a time, in enqueue order. Each head takes a slot of its key's
 * minute first, and of its hour for a private notice (WeCom drops what passes 1,000 an hour to one
 * member); a key that has used its minute or its hour has its head pushed back (pending, not
 * failed) to when a slot frees up, and its other rows are parked, so a blocked key costs a round
 * nothing. Nothing is sent while the statement runs. The attempt is counted here, so a row whose
 * send crashes the worker still runs out of attempts.
 */
export async function claimDue(dataSource: DataSource, now: Date, settings: ClaimSettings): Promise<Claim> {
  const perHour = settings.appMessagesPerHour ?? APP_MESSAGES_PER_HOUR;
  // Below 1 no private notice could go, and none would be pushed back: each round would read them.
  if (!Number.isInteger(perHour) || perHour < 1)
    throw new RangeError(`appMessagesPerHour must be a whole number of at least 1, not ${perHour}`);
  const token = randomUUID();
  const scanLimit = Math.max(settings.batchSize, settings.scanLimit ?? settings.batchSize);
  const result = await dataSource.query<ClaimedRow[]>(CLAIM, [
    now.toISOString(),
    scanLimit,
    settings.batchSize,
    token,
    new Date(now.getTime() + settings.leaseMs).toISOString(),
    settings.ratePerMinute,
    String(now.getTime()),
    perHour,
  ]);
  const first = result[0];
  const rows = result
    .filter((r): r is ClaimedRow & { id: string } => r.id !== null)
    .map((r): OutboxRow => ({
      id: r.id,
      purpose: r.purpose as string,
      destination: r.destination as OutboxRow['destination'],
      rate_key: r.rate_key,
      body: r.body as OutboxRow['body'],
      attempts: r.attempts as number,
      parts_sent: r.parts_sent as number,
      created_at: r.created_at as Date,
    }));
  return {
    token,
    rows: rows.sort((a, b) => compareIds(a.id, b.id)),
    examined: first?.examined ?? 0,
    parked: first?.parked ?? 0,
    deferred: first?.deferred ?? 0,
  };
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
