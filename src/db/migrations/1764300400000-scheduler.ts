import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the scheduler needs to do each thing once across instances: one row per (job, period)
 * claimed in the transaction that does the job's work, and one row per (request, stage) of the
 * reminder ladder so that no request is reminded or escalated twice for the same stage.
 */
export class Scheduler1764300400000 implements MigrationInterface {
  name = 'Scheduler1764300400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE scheduled_run (
        job         text        NOT NULL,
        period      text        NOT NULL,
        instance    text        NOT NULL,
        ran_at      timestamptz NOT NULL,
        duration_ms integer,
        summary     jsonb       NOT NULL DEFAULT '{}'::jsonb,
        PRIMARY KEY (job, period)
      )`);
    await q.query(`CREATE INDEX ix_scheduled_run_ran ON scheduled_run (job, ran_at)`);
    await q.query(`
      CREATE TABLE request_reminder (
        request_id bigint      NOT NULL REFERENCES request (id),
        stage      varchar(24) NOT NULL,
        at         timestamptz NOT NULL,
        outcome    text        NOT NULL,
        PRIMARY KEY (request_id, stage)
      )`);
    // The weekly figures read events by type and time.
    await q.query(`CREATE INDEX ix_request_event_type_at ON request_event (type, at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_request_event_type_at`);
    await q.query(`DROP TABLE request_reminder`);
    await q.query(`DROP TABLE scheduled_run`);
  }
}
