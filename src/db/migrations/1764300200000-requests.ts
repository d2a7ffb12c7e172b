import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Requests1764300200000 implements MigrationInterface {
  name = 'Requests1764300200000';

  async up(q: QueryRunner): Promise<void> {
    // One row, bumped inside the creating transaction: numbers have no gaps, unlike a sequence.
    await q.query(
      `CREATE TABLE request_counter (id smallint PRIMARY KEY CHECK (id = 1), last_no integer NOT NULL)`,
    );
    await q.query(`INSERT INTO request_counter (id, last_no) VALUES (1, 0)`);
    await q.query(`
      CREATE TABLE request (
        id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        no               integer     NOT NULL UNIQUE,
        compound_id      text,
        building_id      text,
        unit_no          integer,
        room             text,
        category         text        NOT NULL,
        text             text        NOT NULL,
        image_urls       jsonb       NOT NULL DEFAULT '[]'::jsonb,
        reporter_id      text        NOT NULL,
        chat_id          text,
        status           varchar(16) NOT NULL
          CHECK (status IN ('open', 'acknowledged', 'resolved', 'closed', 'withdrawn')),
        priority         varchar(8)  NOT NULL DEFAULT 'normal',
        hazard           text,
        utility          text,
        assignee_id      text,
        team_ids         jsonb       NOT NULL DEFAULT '[]'::jsonb,
        escalation_level integer     NOT NULL DEFAULT 0,
        council          boolean     NOT NULL DEFAULT false,
        ack_due_at       timestamptz,
        resolve_due_at   timestamptz,
        rating           varchar(8)  CHECK (rating IN ('good', 'bad')),
        rating_note      text,
        reopen_count     integer     NOT NULL DEFAULT 0,
        inbound_id       bigint UNIQUE REFERENCES inbound_message (id),
        created_at       timestamptz NOT NULL,
        updated_at       timestamptz NOT NULL,
        acknowledged_at  timestamptz,
        resolved_at      timestamptz,
        closed_at        timestamptz,
        withdrawn_at     timestamptz
      )`);
    await q.query(`CREATE INDEX ix_request_status ON request (status, building_id)`);
    await q.query(
      `CREATE INDEX ix_request_assignee ON request (assignee_id) WHERE status IN ('open', 'acknowledged')`,
    );
    await q.query(`CREATE INDEX ix_request_reporter ON request (reporter_id, created_at)`);
    await q.query(`CREATE INDEX ix_request_created ON request (created_at)`);
    await q.query(`
      CREATE TABLE request_event (
        id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        request_id bigint      NOT NULL REFERENCES request (id),
        type       varchar(24) NOT NULL,
        actor_id   text,
        at         timestamptz NOT NULL,
        note       text,
        data       jsonb       NOT NULL DEFAULT '{}'::jsonb
      )`);
    await q.query(`CREATE INDEX ix_request_event_request ON request_event (request_id, id)`);
    // Groups not in the ledger are told so at most once a day.
    await q.query(`
      CREATE TABLE unregistered_chat_notice (
        chat_id text NOT NULL,
        day     date NOT NULL,
        PRIMARY KEY (chat_id, day)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE unregistered_chat_notice`);
    await q.query(`DROP TABLE request_event`);
    await q.query(`DROP TABLE request`);
    await q.query(`DROP TABLE request_counter`);
  }
}
