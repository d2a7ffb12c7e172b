import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox: every message to WeCom is a row written in the transaction of the
 * change that caused it, and sent by the outbox worker. How it is sent: src/outbox/index.ts.
 */
export class Outbox1764300300000 implements MigrationInterface {
  name = 'Outbox1764300300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        purpose         text        NOT NULL,
        destination     jsonb       NOT NULL,
        rate_key        text,
        body            jsonb       NOT NULL,
        request_id      bigint,
        dedupe_key      text        UNIQUE,
        status          text        NOT NULL DEFAULT 'pending'
                                    CHECK (status IN ('pending', 'sent', 'failed', 'dead')),
        attempts        integer     NOT NULL DEFAULT 0,
        parts_sent      integer     NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        claimed_until   timestamptz,
        claim_token     text,
        last_error      text,
        created_at      timestamptz NOT NULL DEFAULT now(),
        sent_at         timestamptz
      )`);
    // The worker's scan: due pending rows, oldest first.
    await q.query(`CREATE INDEX ix_outbox_due ON outbox (next_attempt_at, id) WHERE status = 'pending'`);
    // The per-key ordering check: is there an earlier pending row for this webhook key?
    await q.query(`CREATE INDEX ix_outbox_rate_key ON outbox (rate_key, id) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX ix_outbox_request ON outbox (request_id) WHERE request_id IS NOT NULL`);
    await q.query(`CREATE INDEX ix_outbox_status ON outbox (status, id) WHERE status <> 'sent'`);
    // One row per webhook key: its lock serializes slot reservations across instances, and
    // `recent` holds the epoch-ms times of the sends of the last minute (at most the limit).
    await q.query(`
      CREATE TABLE outbox_rate (
        rate_key text  PRIMARY KEY,
        recent   jsonb NOT NULL DEFAULT '[]'::jsonb
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox_rate`);
    await q.query(`DROP TABLE outbox`);
  }
}
