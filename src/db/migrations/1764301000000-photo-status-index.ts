import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The photos not kept (pending or failed), for the mulin_photos gauge read at every scrape: kept
 * photos are nearly all of the table and are not counted, so the count reads this small index
 * instead of the whole table. (The outbox gauge has ix_outbox_status already.)
 */
export class PhotoStatusIndex1764301000000 implements MigrationInterface {
  name = 'PhotoStatusIndex1764301000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_inbound_photo_unkept ON inbound_photo (status) WHERE status <> 'kept'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_inbound_photo_unkept`);
  }
}
