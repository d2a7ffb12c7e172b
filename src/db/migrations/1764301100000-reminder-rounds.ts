import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reminder ladder once per resolve round: 不满意 reopens a request and restarts its resolve
 * clock, and the new round must be reminded and escalated again. `round` is the request's
 * reopen_count when the stage happened (0 before any reopening, and always for the acknowledgement
 * stages), so each (request, round, stage) still happens once.
 */
export class ReminderRounds1764301100000 implements MigrationInterface {
  name = 'ReminderRounds1764301100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE request_reminder ADD COLUMN round integer NOT NULL DEFAULT 0`);
    // A resolve stage recorded before this migration belongs to the round it happened in: the
    // reopenings up to it. Left at 0, the stage of a reopened round already chased would be
    // chased again at the first sweep after the upgrade.
    await q.query(`
      UPDATE request_reminder x SET round = (
        SELECT count(*)::int FROM request_event e
        WHERE e.request_id = x.request_id AND e.type = 'reopened' AND e.at <= x.at
      )
      WHERE x.stage IN ('resolve_remind', 'resolve_escalate')`);
    await q.query(`ALTER TABLE request_reminder DROP CONSTRAINT request_reminder_pkey`);
    await q.query(`ALTER TABLE request_reminder ADD PRIMARY KEY (request_id, round, stage)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM request_reminder WHERE round > 0`);
    await q.query(`ALTER TABLE request_reminder DROP CONSTRAINT request_reminder_pkey`);
    await q.query(`ALTER TABLE request_reminder ADD PRIMARY KEY (request_id, stage)`);
    await q.query(`ALTER TABLE request_reminder DROP COLUMN round`);
  }
}
