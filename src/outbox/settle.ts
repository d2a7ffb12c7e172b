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

const RELEASE = `claimed_until = NULL, claim_token = NULL`;

/**
 * Records the settlement, provided this claim still holds the row. Returns false when it does not:
 * the lease ran out and another worker took the row over (it will send it again).
 */
export async function settle(
  dataSource: DataSource,
  rowId: string,
  claimToken: string,
  s: Settlement,
  now: Date,
): Promise<boolean> {
  const at = now.toISOString();
  const [sql, params] = ((): [string, unknown[]] => {
    switch (s.kind) {
      case 'sent':
        return [`status = 'sent', sent_at = $3, parts_sent = $4, ${RELEASE}`, [at, s.partsSent]];
      case 'next_part':
        return [`parts_sent = $4, attempts = 0, next_attempt_at = $3, ${RELEASE}`, [at, s.partsSent]];
      case 'retry':
        return [`next_attempt_at = $3, last_error = $4, ${RELEASE}`, [s.at.toISOString(), s.error]];
      case 'failed':
      case 'dead':
        return [`status = $3, last_error = $4, ${RELEASE}`, [s.kind, s.error]];
      case 'fallback':
        // Becomes a fresh webhook message: the webhook's own split, limits and attempts apply.
        return [
          `destination = $3::jsonb, rate_key = $4, last_error = $5, parts_sent = 0, attempts = 0,
           next_attempt_at = $6, ${RELEASE}`,
          [
            JSON.stringify(s.destination),
            s.destination.type === 'group_webhook' ? s.destination.webhookKey : null,
            `fell back to the group webhook: ${s.error}`,
            at,
          ],
        ];
    }
  })();
  const result = await dataSource.query<[unknown[], number]>(
    `UPDATE outbox SET ${sql} WHERE id = $1 AND claim_token = $2 AND status = 'pending'`,
    [rowId, claimToken, ...params],
  );
  return result[1] > 0;
}
