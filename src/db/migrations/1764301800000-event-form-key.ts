import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * request_event.form_key: the one-time key of the street office form (src/http/admin) that wrote
 * the event. Unique, so a form sent twice (a double click, a browser retrying the POST, two
 * instances answering one each) writes its event, and queues its notices, once. Null for every
 * other event, which the partial index leaves out.
 */
export class EventFormKey1764301800000 implements MigrationInterface {
  name = 'EventFormKey1764301800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE request_event ADD COLUMN form_key text`);
    await q.query(
      `CREATE UNIQUE INDEX ux_request_event_form_key ON request_event (form_key) WHERE form_key IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ux_request_event_form_key`);
    await q.query(`ALTER TABLE request_event DROP COLUMN form_key`);
  }
}
