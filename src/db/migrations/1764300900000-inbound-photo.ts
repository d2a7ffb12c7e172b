import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Photos residents sent, kept in the database. The robot's image links are encrypted and die 5
 * minutes after the message (PROTOCOL.md §3.3), so a row is written with its message and the photo
 * keeper (src/photos) fetches, decrypts and stores the bytes within that window.
 *
 * - next_attempt_at: when the row is due; a claim pushes it to the end of its lease, so a keeper
 *   that dies mid-fetch leaves the row to be tried again once the lease runs out.
 * - lease_until: the claim's end, also its token: a late keeper's result is refused.
 */
export class InboundPhoto1764300900000 implements MigrationInterface {
  name = 'InboundPhoto1764300900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE inbound_photo (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        inbound_id      bigint      NOT NULL REFERENCES inbound_message (id) ON DELETE CASCADE,
        position        int         NOT NULL,
        url             text        NOT NULL,
        status          text        NOT NULL DEFAULT 'pending'
                                    CHECK (status IN ('pending', 'kept', 'failed')),
        attempts        int         NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        lease_until     timestamptz,
        content_type    text,
        bytes           bytea,
        error           text,
        kept_at         timestamptz,
        UNIQUE (inbound_id, position)
      )`);
    await q.query(
      `CREATE INDEX ix_inbound_photo_due ON inbound_photo (next_attempt_at, id) WHERE status = 'pending'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE inbound_photo`);
  }
}
