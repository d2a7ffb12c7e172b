import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Photos sent as messages of their own right after a post (src/requests/later-photos.ts).
 *
 * - inbound_photo.request_id: the request such a photo was attached to. A post's own photos stay
 *   found through request.inbound_id, as before; only photos sent apart carry it.
 * - request.later_photos: how many photos were attached that way. The attaching UPDATE checks and
 *   bumps it on the request's row, so two instances attaching at once cannot pass the cap.
 */
export class PhotosAfterPost1764301600000 implements MigrationInterface {
  name = 'PhotosAfterPost1764301600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE inbound_photo ADD COLUMN request_id bigint REFERENCES request (id)`);
    await q.query(
      `CREATE INDEX ix_inbound_photo_request ON inbound_photo (request_id) WHERE request_id IS NOT NULL`,
    );
    await q.query(`ALTER TABLE request ADD COLUMN later_photos integer NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE request DROP COLUMN later_photos`);
    await q.query(`DROP INDEX ix_inbound_photo_request`);
    await q.query(`ALTER TABLE inbound_photo DROP COLUMN request_id`);
  }
}
