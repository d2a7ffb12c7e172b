import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reminder sweep asks for active requests past a deadline. Without these indexes it read every
 * active request at every sweep (100,000 of them: 167 ms with none due); with them it reads only
 * the ones due (0.4 ms). docs/benchmarks.md has both plans. Partial, so requests that are done
 * cost them nothing.
 */
export class SchedulerIndexes1764300500000 implements MigrationInterface {
  name = 'SchedulerIndexes1764300500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_request_ack_due ON request (ack_due_at) WHERE status = 'open'`);
    await q.query(
      `CREATE INDEX ix_request_resolve_due ON request (resolve_due_at) WHERE status = 'acknowledged'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_request_resolve_due`);
    await q.query(`DROP INDEX ix_request_ack_due`);
  }
}
