import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { OutboxRow } from './outbox-types';
import { reserveSlot } from './rate-limit';

export interface ClaimSettings {
  readonly batchSize: number;
  readonly leaseMs: number;
  readonly ratePerMinute: number;
}

/** Rows leased to one worker; only the holder of `token` may settle them. */
export interface Claim {
  readonly token: string;
  readonly rows: readonly OutboxRow[];
}

/**
 * Due rows a worker may send now. A row keyed by a webhook is eligible only at the head of its key:
 * no earlier row of that key is still pending (waiting for a retry, say) and no other row of it is
 * out on a lease. So a key's messages go out one at a time, in enqueue order. SKIP LOCKED lets
 * concurrent claims pass over each other's rows instead of queueing behind them.
 */
const SELECT_DUE = `
  SELECT o.id, o.purpose, o.destination, o.rate_key, o.body, o.attempts, o.parts_sent, o.created_at
  FROM outbox o
  WHERE o.status = 'pending'
    AND o.next_attempt_at <= $1::timestamptz
    AND (o.claimed_until IS NULL OR o.claimed_until <= $1::timestamptz)
    AND (o.rate_key IS NULL OR NOT EXISTS (
          SELECT 1 FROM outbox p
          WHERE p.rate_key = o.rate_key AND p.status = 'pending' AND p.id <> o.id
            AND (p.id < o.id OR p.claimed_until > $1::timestamptz)))
  ORDER BY o.next_attempt_at, o.id
  LIMIT $2
  FOR UPDATE OF o SKIP LOCKED`;

/**
 * Leases due rows in one short transaction: picks them, takes a rate slot for each webhook key,
 * and stamps them with a lease (claimed_until) and this claim's token. A row whose key has used
 * its minute is pushed back to when a slot frees up. Nothing is sent while the transaction is open.
 * The attempt is counted here, so a row whose send crashes the worker still runs out of attempts.
 */
export async function claimDue(dataSource: DataSource, now: Date, settings: ClaimSettings): Promise<Claim> {
  const token = randomUUID();
  const rows = await dataSource.transaction(async (tx) => {
    const candidates = await tx.query<OutboxRow[]>(SELECT_DUE, [now.toISOString(), settings.batchSize]);
    const claimed: OutboxRow[] = [];
    // Rate rows are locked in key order, so claims that ever meet on two keys cannot deadlock.
    for (const row of [...candidates].sort(byRateKey)) {
      if (row.rate_key !== null) {
        const slot = await reserveSlot(tx, row.rate_key, now, settings.ratePerMinute);
        if (!slot.reserved) {
          await tx.query(`UPDATE outbox SET next_attempt_at = $2 WHERE id = $1`, [
            row.id,
            slot.freeAt.toISOString(),
          ]);
          continue;
        }
      }
      claimed.push(row);
    }
    if (claimed.length === 0) return [];
    await tx.query(
      `UPDATE outbox SET claimed_until = $1, claim_token = $2, attempts = attempts + 1
       WHERE id = ANY(string_to_array($3, ',')::bigint[])`,
      [new Date(now.getTime() + settings.leaseMs).toISOString(), token, claimed.map((r) => r.id).join(',')],
    );
    return claimed.map((row) => ({ ...row, attempts: row.attempts + 1 }));
  });
  return { token, rows: rows.sort((a, b) => compareIds(a.id, b.id)) };
}

function byRateKey(a: OutboxRow, b: OutboxRow): number {
  const ka = a.rate_key ?? '';
  const kb = b.rate_key ?? '';
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
