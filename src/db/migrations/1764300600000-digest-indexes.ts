import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the weekly digest reads, so that it reads only what a week can count (docs/benchmarks.md,
 * "Weekly digest", has the plans). Before these, each week of the digest's figures read every
 * request and every resolved event of the street's history.
 *
 * On request, one index per timestamp a figure filters on, each carrying what that figure counts
 * (INCLUDE) so the week's rows are read from the index alone; `ix_request_created` replaces the
 * plain index on created_at (the same key, so its other readers keep it); `ix_request_scope` gives a
 * request's compound, building and creation for the week's events; and three partial indexes give
 * the requests open at an instant: those neither closed nor withdrawn now, and those closed or
 * withdrawn since.
 *
 * On request_event, `ix_request_event_type_at` gains the request and the event's id (a week's
 * resolved requests, and each request's latest status event in a week, from the index alone); a
 * request's first resolution, its status events, and its escalations and council referrals each
 * have a partial index by request.
 */
export class DigestIndexes1764300600000 implements MigrationInterface {
  name = 'DigestIndexes1764300600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_request_created`);
    await q.query(
      `CREATE INDEX ix_request_created ON request (created_at) INCLUDE (compound_id, building_id, category)`,
    );
    await q.query(
      `CREATE INDEX ix_request_ack_due_at ON request (ack_due_at)
         INCLUDE (compound_id, created_at, acknowledged_at, withdrawn_at)`,
    );
    await q.query(
      `CREATE INDEX ix_request_resolve_due_at ON request (resolve_due_at)
         INCLUDE (id, compound_id, created_at, withdrawn_at)`,
    );
    await q.query(
      `CREATE INDEX ix_request_acknowledged_at ON request (acknowledged_at) INCLUDE (compound_id, created_at)
         WHERE acknowledged_at IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX ix_request_scope ON request (id) INCLUDE (compound_id, building_id, created_at)`,
    );
    await q.query(
      `CREATE INDEX ix_request_active ON request (created_at)
         INCLUDE (id, no, compound_id, building_id, category, ack_due_at, resolve_due_at)
         WHERE status NOT IN ('closed', 'withdrawn')`,
    );
    // What the lists need of the requests closed or withdrawn since an instant, read from the
    // index: only the latest of these entries are ever read.
    for (const [column, status] of [
      ['closed_at', 'closed'],
      ['withdrawn_at', 'withdrawn'],
    ]) {
      await q.query(
        `CREATE INDEX ix_request_${column} ON request (${column})
           INCLUDE (id, no, compound_id, building_id, category, created_at, ack_due_at, resolve_due_at)
           WHERE status = '${status}'`,
      );
    }

    await q.query(`DROP INDEX ix_request_event_type_at`);
    await q.query(
      `CREATE INDEX ix_request_event_type_at ON request_event (type, at) INCLUDE (request_id, id)`,
    );
    await q.query(
      `CREATE INDEX ix_request_event_resolved ON request_event (request_id, at) WHERE type = 'resolved'`,
    );
    await q.query(
      `CREATE INDEX ix_request_event_status ON request_event (request_id, at, id) INCLUDE (type)
         WHERE type IN ('created', 'acknowledged', 'resolved', 'reopened', 'closed', 'withdrawn')`,
    );
    await q.query(
      `CREATE INDEX ix_request_event_escalated_council ON request_event (request_id, at) INCLUDE (type, data)
         WHERE type IN ('escalated', 'council')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_request_event_escalated_council`);
    await q.query(`DROP INDEX ix_request_event_status`);
    await q.query(`DROP INDEX ix_request_event_resolved`);
    await q.query(`DROP INDEX ix_request_event_type_at`);
    await q.query(`CREATE INDEX ix_request_event_type_at ON request_event (type, at)`);
    await q.query(`DROP INDEX ix_request_withdrawn_at`);
    await q.query(`DROP INDEX ix_request_closed_at`);
    await q.query(`DROP INDEX ix_request_active`);
    await q.query(`DROP INDEX ix_request_scope`);
    await q.query(`DROP INDEX ix_request_acknowledged_at`);
    await q.query(`DROP INDEX ix_request_resolve_due_at`);
    await q.query(`DROP INDEX ix_request_ack_due_at`);
    await q.query(`DROP INDEX ix_request_created`);
    await q.query(`CREATE INDEX ix_request_created ON request (created_at)`);
  }
}
