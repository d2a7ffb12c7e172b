import type { DataSource } from 'typeorm';
import { backoffMs, type BackoffPolicy } from './backoff';
import type { Delivery } from './delivery';
import type { OutboxDestination, OutboxRow } from './outbox-types';

export interface SettlePolicy extends BackoffPolicy {
  readonly maxAttempts: number;
  readonly random: () => number;
}

/** What becomes of a claimed row after its send. */
export type Settlement =
  | { readonly kind: 'sent'; readonly partsSent: number }
  | { readonly kind: 'next_part'; readonly partsSent: number }
  | { readonly kind: 'retry'; readonly at: Date; readonly error: string }
  | { readonly kind: 'failed' | 'dead'; readonly error: string }
  | { readonly kind: 'fallback'; readonly destination: OutboxDestination; readonly error: string };

/**
 * Permanent failures are final at once; retryable ones back off until maxAttempts, then the row is
 * dead. A response_url that cannot be used any more (refused, out of attempts, or too old) hands
 * its message to the group's webhook when the row names one.
 */
export function decide(row: OutboxRow, delivery: Delivery, now: Date, policy: SettlePolicy): Settlement {
  if (delivery.kind === 'delivered') {
    return delivery.done
      ? { kind: 'sent', partsSent: delivery.partsSent }
      : { kind: 'next_part', partsSent: delivery.partsSent };
  }
  const f = delivery.failure;
  const error = `${f.reason} (attempt ${row.attempts})`;
  const exhausted = row.attempts >= policy.maxAttempts;
  if (f.retry && !exhausted) {
    return {
      kind: 'retry',
      at: new Date(now.getTime() + backoffMs(row.attempts, f.errcode, policy, policy.random)),
      error,
    };
  }
  const d = row.destination;
  if (d.type === 'response_url' && d.fallbackWebhookKey) {
    return {
      kind: 'fallback',
      destination: { type: 'group_webhook', webhookKey: d.fallbackWebhookKey },
      error,
    };
  }
  return { kind: f.retry ? 'dead' : 'failed', error };
}

/** One claimed row's outcome, to be recorded. */
export interface SettleItem {
  readonly rowId: string;
  readonly claimToken: string;
  readonly settlement: Settlement;
  /** When the send ended: sent_at, and the due time of a next part or a fallback. */
  readonly now: Date;
}

/**
 * Records settlements in one statement (one round trip), each provided its claim still holds the
 * row. Returns the ids recorded (`held`); a row missing from it was not held any more: the lease ran
 * out and another worker took the row over (it will send it again).
 *
 * A row that is done (sent, failed or dead) also unparks its key's next pending row, due no
 * earlier than the key's next free slot (outbox_rate.free_at), so the next claim finds it. The
 * next row is read with a lock, so its newest version: a claim that parked it after this
 * statement's snapshot was taken (while holding a share lock on the settled row, which this
 * statement waited for) has committed by then. The settled rows are still pending in the snapshot,
 * hence their exclusion.
 */
export async function settleMany(dataSource: DataSource, items: readonly SettleItem[]): Promise<Settled> {
  if (items.length === 0) return { held: new Set(), nextDue: [] };
  const rows = await dataSource.query<{ id: string; unparked: boolean; due: Date }[]>(SETTLE, [
    JSON.stringify(items.map(toRecord)),
  ]);
  return {
    held: new Set(rows.filter((r) => !r.unparked).map((r) => r.id)),
    nextDue: rows.filter((r) => r.unparked).map((r) => r.due),
  };
}

export interface Settled {
  /** The rows recorded (still held by their claim). */
  readonly held: ReadonlySet<string>;
  /** When each row unparked by the settles is due. */
  readonly nextDue: readonly Date[];
}

/** Records one settlement; false when this claim no longer holds the row (see settleMany). */
export async function settle(
  dataSource: DataSource,
  rowId: string,
  claimToken: string,
  s: Settlement,
  now: Date,
): Promise<boolean> {
  return (await settleMany(dataSource, [{ rowId, claimToken, settlement: s, now }])).held.has(rowId);
}

interface SettleRecord {
  id: string;
  token: string;
  kind: Settlement['kind'];
  at: string;
  parts: number | null;
  retry_at: string | null;
  error: string | null;
  destination: OutboxDestination | null;
  rate_key: string | null;
}

function toRecord(item: SettleItem): SettleRecord {
  const s = item.settlement;
  const base = {
    id: item.rowId,
    token: item.claimToken,
    kind: s.kind,
    at: item.now.toISOString(),
    parts: null,
    retry_at: null,
    error: null,
    destination: null,
    rate_key: null,
  };
  switch (s.kind) {
    case 'sent':
    case 'next_part':
      return { ...base, parts: s.partsSent };
    case 'retry':
      return { ...base, retry_at: s.at.toISOString(), error: s.error };
    case 'failed':
    case 'dead':
      return { ...base, error: s.error };
    case 'fallback':
      // Becomes a fresh webhook message: the webhook's own split, limits and attempts apply.
      return {
        ...base,
        error: `fell back to the group webhook: ${s.error}`,
        destination: s.destination,
        rate_key: s.destination.type === 'group_webhook' ? s.destination.webhookKey : null,
      };
  }
}

const SETTLE = `
  WITH s AS MATERIALIZED (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS s(
      id bigint, token text, kind text, at timestamptz, parts integer, retry_at timestamptz, error text,
      destination jsonb, rate_key text)
  ),
  done AS (
    UPDATE outbox o SET
      status = CASE WHEN s.kind IN ('sent', 'failed', 'dead') THEN s.kind ELSE o.status END,
      sent_at = CASE WHEN s.kind = 'sent' THEN s.at ELSE o.sent_at END,
      parts_sent = CASE WHEN s.kind IN ('sent', 'next_part') THEN s.parts
                        WHEN s.kind = 'fallback' THEN 0 ELSE o.parts_sent END,
      attempts = CASE WHEN s.kind IN ('next_part', 'fallback') THEN 0 ELSE o.attempts END,
      next_attempt_at = CASE WHEN s.kind IN ('next_part', 'fallback') THEN s.at
                             WHEN s.kind = 'retry' THEN s.retry_at ELSE o.next_attempt_at END,
      last_error = CASE WHEN s.kind IN ('retry', 'failed', 'dead', 'fallback') THEN s.error
                        ELSE o.last_error END,
      destination = CASE WHEN s.kind = 'fallback' THEN s.destination ELSE o.destination END,
      rate_key = CASE WHEN s.kind = 'fallback' THEN s.rate_key ELSE o.rate_key END,
      claimed_until = NULL, claim_token = NULL
    FROM s
    WHERE o.id = s.id AND o.claim_token = s.token AND o.status = 'pending'
    RETURNING o.id, o.rate_key, o.status
  ),
  finished AS MATERIALIZED (
    SELECT d.id, d.rate_key FROM done d WHERE d.status <> 'pending' AND d.rate_key IS NOT NULL
  ),
  next AS MATERIALIZED (
    SELECT k.rate_key, n.id, n.parked
    FROM (SELECT DISTINCT rate_key FROM finished) k
    CROSS JOIN LATERAL (
      SELECT p.id, p.parked FROM outbox p
      WHERE p.rate_key = k.rate_key AND p.status = 'pending'
        AND p.id NOT IN (SELECT f.id FROM finished f)
      ORDER BY p.id LIMIT 1
      FOR NO KEY UPDATE OF p) n
  ),
  unparked AS (
    UPDATE outbox o
    SET parked = false, next_attempt_at = GREATEST(o.next_attempt_at, coalesce(r.free_at, o.next_attempt_at))
    FROM next n
    LEFT JOIN outbox_rate r ON r.rate_key = n.rate_key
    WHERE o.id = n.id AND n.parked AND o.status = 'pending'
    RETURNING o.id, o.next_attempt_at
  )
  SELECT id, false AS unparked, NULL::timestamptz AS due FROM done
  UNION ALL
  SELECT id, true, next_attempt_at FROM unparked`;
