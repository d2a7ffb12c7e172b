import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * outbox_rate.hour_sends: a private notice's key's sends of the last hour, in minute buckets
 * `[last_ms, count]`, so the claim keeps each person to WeCom's 1,000 app messages an hour
 * (src/outbox/rate-limit.ts). Filled from the app messages sent within the last hour (and a
 * second), each part of a split message a send, so a deploy mid-hour does not hand a person a fresh
 * budget. A message still part-way through its parts has sent some at an unknown time: they are
 * counted as sent now, which can only hold a later send back, never let one through early.
 *
 * The prefix, window and bucket are written out here rather than imported: a migration stays as it
 * was run when the code it came with changes.
 */
export class OutboxHourly1764301500000 implements MigrationInterface {
  name = 'OutboxHourly1764301500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox_rate ADD COLUMN hour_sends jsonb NOT NULL DEFAULT '[]'::jsonb`);
    await q.query(`
      WITH sends AS (
        SELECT rate_key, floor(extract(epoch FROM sent_at) * 1000)::bigint AS ms,
               GREATEST(parts_sent, 1) AS n
        FROM outbox
        WHERE status = 'sent' AND starts_with(rate_key, 'app:')
          AND sent_at > now() - interval '3601 seconds'
        UNION ALL
        SELECT rate_key, floor(extract(epoch FROM GREATEST(next_attempt_at, now())) * 1000)::bigint, parts_sent
        FROM outbox
        WHERE status = 'pending' AND parts_sent > 0 AND starts_with(rate_key, 'app:')
      ),
      buckets AS (
        SELECT rate_key, max(ms) AS last_ms, sum(n)::int AS n
        FROM sends GROUP BY rate_key, ms / 60000
      )
      INSERT INTO outbox_rate (rate_key, hour_sends)
      SELECT rate_key, jsonb_agg(jsonb_build_array(last_ms, n) ORDER BY last_ms)
      FROM buckets GROUP BY rate_key
      ON CONFLICT (rate_key) DO UPDATE SET hour_sends = EXCLUDED.hour_sends`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox_rate DROP COLUMN hour_sends`);
  }
}
