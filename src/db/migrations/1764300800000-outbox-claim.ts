import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox worker's claim, made independent of the backlog (docs/benchmarks.md, "Outbox worker").
 *
 * - outbox.parked: a pending row found waiting behind an earlier row of its webhook key. Parked
 *   rows leave the claim's index, so a key with a long queue costs a round one row (its head), not
 *   all of them; settling a key's head unparks the key's next row.
 * - ix_outbox_claim replaces ix_outbox_due: the same order, without the parked rows.
 * - outbox_rate.free_at: when the key's next slot frees (the key's next row is not due before);
 *   lease_id and lease_token: the key's row out on a lease, so a claim can tell that the key is
 *   busy from this one row. Rows on a lease now (taken by the previous version) are recorded.
 */
export class OutboxClaim1764300800000 implements MigrationInterface {
  name = 'OutboxClaim1764300800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox ADD COLUMN parked boolean NOT NULL DEFAULT false`);
    await q.query(
      `CREATE INDEX ix_outbox_claim ON outbox (next_attempt_at, id) WHERE status = 'pending' AND NOT parked`,
    );
    await q.query(`DROP INDEX ix_outbox_due`);
    await q.query(
      `ALTER TABLE outbox_rate ADD COLUMN free_at timestamptz, ADD COLUMN lease_id bigint,
         ADD COLUMN lease_token text`,
    );
    await q.query(
      `UPDATE outbox_rate r SET lease_id = o.id, lease_token = o.claim_token
       FROM outbox o
       WHERE o.rate_key = r.rate_key AND o.status = 'pending' AND o.claim_token IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE outbox_rate DROP COLUMN lease_token, DROP COLUMN lease_id, DROP COLUMN free_at`,
    );
    await q.query(`CREATE INDEX ix_outbox_due ON outbox (next_attempt_at, id) WHERE status = 'pending'`);
    await q.query(`DROP INDEX ix_outbox_claim`);
    await q.query(`ALTER TABLE outbox DROP COLUMN parked`);
  }
}
