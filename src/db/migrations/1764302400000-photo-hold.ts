import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * photo_hold: photos sent on their own before their post (src/requests/held-photos.ts), each
 * message's photos waiting for the sender's next post in the same group. sender_id is spelled as
 * the ledger spells it (the inbound row keeps WeCom's spelling). A post takes its sender's holds
 * and deletes them; one not taken within the window is simply left, attached to nothing, and goes
 * with its message.
 */
export class PhotoHold1764302400000 implements MigrationInterface {
  name = 'PhotoHold1764302400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE photo_hold (
        inbound_id bigint      PRIMARY KEY REFERENCES inbound_message (id) ON DELETE CASCADE,
        sender_id  text        NOT NULL,
        chat_id    text        NOT NULL,
        held_at    timestamptz NOT NULL
      )`);
    // Read by sender for every batch of posts: a few rows each at most.
    await q.query(`CREATE INDEX ix_photo_hold_sender ON photo_hold (sender_id, held_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE photo_hold`);
  }
}
