import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InboundMessage1764300000000 implements MigrationInterface {
  name = 'InboundMessage1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE inbound_message (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        channel       varchar(8)  NOT NULL,
        dedupe_key    text        NOT NULL,
        msg_id        text,
        msg_type      text        NOT NULL,
        chat_id       text,
        chat_type     text,
        sender_id     text        NOT NULL,
        text          text,
        quoted_text   text,
        image_urls    jsonb       NOT NULL DEFAULT '[]'::jsonb,
        event         text,
        sent_at       timestamptz,
        received_at   timestamptz NOT NULL DEFAULT now(),
        reply_url     text,
        raw           text        NOT NULL,
        status        varchar(16) NOT NULL DEFAULT 'received',
        processed_at  timestamptz,
        process_error text
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_inbound_message_dedupe ON inbound_message (channel, dedupe_key)`);
    await q.query(`CREATE INDEX ix_inbound_message_chat ON inbound_message (chat_id, received_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE inbound_message`);
  }
}
