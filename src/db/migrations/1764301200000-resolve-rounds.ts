import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Existing reopenings: the current round began at the last one. */
export const FILL_REOPENED_AT = `
      UPDATE request r SET reopened_at = e.at
      FROM (SELECT request_id, max(at) AS at FROM request_event WHERE type = 'reopened' GROUP BY request_id) e
      WHERE r.id = e.request_id`;

/**
 * Existing reopenings: the round each ended, its deadline its start (creation or the reopening
 * before) plus the request's current clock length, its resolution the last one before it.
 */
export const FILL_ENDED_ROUNDS = `
      INSERT INTO request_resolve_round (request_id, round, due_at, resolved_at, reopened_at)
      SELECT o.request_id, o.round, s.started_at + (r.resolve_due_at - r.reopened_at), res.at, o.at
      FROM (
        SELECT e.request_id, e.at, (row_number() OVER w - 1)::int AS round, lag(e.at) OVER w AS previous
        FROM request_event e WHERE e.type = 'reopened'
        WINDOW w AS (PARTITION BY e.request_id ORDER BY e.at, e.id)
      ) o
      JOIN request r ON r.id = o.request_id
      CROSS JOIN LATERAL (SELECT COALESCE(o.previous, r.created_at) AS started_at) s
      CROSS JOIN LATERAL (
        SELECT max(x.at) AS at FROM request_event x
        WHERE x.request_id = o.request_id AND x.type = 'resolved' AND x.at <= o.at
      ) res
      WHERE res.at IS NOT NULL AND r.resolve_due_at IS NOT NULL`;

/**
 * The resolve deadlines a 不满意 replaced, so that a week's figures keep the deadline that fell in
 * it (README: nothing after a week ends changes its figures). 不满意 restarts the resolve clock and
 * moves request.resolve_due_at; the round it ended keeps its deadline and resolution here, one row
 * per reopening, and request.reopened_at says when the current round began (null: at creation).
 *
 * Read by the weekly figures (rounds whose deadline fell in a week, by due_at) and by the requests
 * open at an instant (the deadline then of those reopened since, by reopened_at), each from its
 * index alone; ix_request_resolve_due_at carries reopened_at so that the current round's
 * resolution is looked up from its start. Existing reopenings are filled in from the event log,
 * each replaced deadline taken as its round's start plus the request's current clock length.
 */
export class ResolveRounds1764301200000 implements MigrationInterface {
  name = 'ResolveRounds1764301200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE request ADD COLUMN reopened_at timestamptz`);
    await q.query(`
      CREATE TABLE request_resolve_round (
        request_id  bigint      NOT NULL REFERENCES request (id),
        round       integer     NOT NULL,
        due_at      timestamptz NOT NULL,
        resolved_at timestamptz NOT NULL,
        reopened_at timestamptz NOT NULL,
        PRIMARY KEY (request_id, round)
      )`);
    await q.query(
      `CREATE INDEX ix_request_resolve_round_due ON request_resolve_round (due_at) INCLUDE (request_id, resolved_at)`,
    );
    await q.query(
      `CREATE INDEX ix_request_resolve_round_reopened ON request_resolve_round (reopened_at) INCLUDE (request_id, due_at)`,
    );
    await q.query(FILL_REOPENED_AT);
    await q.query(FILL_ENDED_ROUNDS);
    await q.query(`DROP INDEX ix_request_resolve_due_at`);
    await q.query(
      `CREATE INDEX ix_request_resolve_due_at ON request (resolve_due_at)
         INCLUDE (id, compound_id, created_at, withdrawn_at, reopened_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_request_resolve_due_at`);
    await q.query(
      `CREATE INDEX ix_request_resolve_due_at ON request (resolve_due_at)
         INCLUDE (id, compound_id, created_at, withdrawn_at)`,
    );
    await q.query(`DROP TABLE request_resolve_round`);
    await q.query(`ALTER TABLE request DROP COLUMN reopened_at`);
  }
}
