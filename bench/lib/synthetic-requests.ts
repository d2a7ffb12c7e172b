import { Client } from 'pg';
import { buildingIds, type StreetShape } from './street';

/**
 * A year of a large street's requests, written straight into the database in bulk SQL (a million
 * requests take about a minute; through the desk they would take hours). Each request gets the
 * event log the desk would have written, so the digest's as-of and rate queries see realistic
 * data: most acknowledged and resolved (some late), some rated, closed, withdrawn, escalated,
 * put to the council or reopened. random() is seeded, so the same options give the same data.
 */
export interface HistoryOptions {
  readonly requests: number;
  readonly shape: StreetShape;
  /** Requests are created uniformly in [from, to). */
  readonly from: Date;
  readonly to: Date;
}

const CATEGORIES = `ARRAY['repair','repair','repair','help','complaint','suggestion','question','council']`;

export async function generateHistory(url: string, o: HistoryOptions): Promise<void> {
  const perCompound = o.shape.buildingsPerCompound ?? 20;
  const first = buildingIds(0, o.shape);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT setseed(0.20261128)');
    // Deadlines as the desk's default response clocks set them; life times drawn per request.
    await client.query(
      `CREATE TEMP TABLE gen AS
       SELECT g AS no, b, b / $5 AS c, cat, urgent, created_at,
              created_at + CASE WHEN urgent THEN interval '30 minutes' ELSE interval '24 hours' END AS ack_due_at,
              created_at + CASE WHEN urgent THEN interval '2 hours'
                                WHEN cat = 'repair' AND u_util < 0.3 THEN interval '24 hours'
                                ELSE interval '7 days' END AS resolve_due_at,
              u_ack, u_res, u_rate, u_close, u_wd, u_esc, u_reopen,
              -- Most are acknowledged within 40 h and resolved within 200 h; 3% take weeks, and a
              -- third of those late ones are withdrawn first. So everything older than a month is
              -- settled, as in a street whose desk works, and the backlog is the last weeks'.
              CASE WHEN u_ack < 0.97 THEN random() * 40 ELSE 40 + random() * 600 END AS ack_h,
              CASE WHEN u_res < 0.97 THEN random() * 200 ELSE 200 + random() * 500 END AS res_h
       FROM (SELECT g, (g::bigint * 7919 % $2)::int AS b,
                    (${CATEGORIES})[1 + (g % 8)] AS cat,
                    random() < 0.04 AS urgent,
                    $3::timestamptz + random() * ($4::timestamptz - $3::timestamptz) AS created_at,
                    random() AS u_util, random() AS u_ack, random() AS u_res, random() AS u_rate,
                    random() AS u_close, random() AS u_wd, random() AS u_esc, random() AS u_reopen
             FROM generate_series(1, $1) g) s`,
      [o.requests, o.shape.buildings, o.from, o.to, perCompound],
    );
    // Nothing may happen after `to` (the data's present): later steps are simply not reached yet.
    await client.query(
      `CREATE TEMP TABLE life AS
       SELECT *, CASE WHEN acknowledged_at IS NOT NULL AND acknowledged_at + res_h * interval '1 hour' < $1
                      THEN acknowledged_at + res_h * interval '1 hour' END AS resolved_at
       FROM (SELECT *, CASE WHEN NOT (u_ack >= 0.97 AND u_wd < 0.3) AND created_at + ack_h * interval '1 hour' < $1
                            THEN created_at + ack_h * interval '1 hour' END AS acknowledged_at
             FROM gen) a`,
      [o.to],
    );
    await client.query(
      `CREATE TEMP TABLE fate0 AS
       SELECT *,
         CASE WHEN resolved_at IS NOT NULL AND u_rate < 0.5 AND resolved_at + interval '1 day' < $1
              THEN resolved_at + interval '1 day' END AS rated_at,
         CASE WHEN u_ack >= 0.97 AND u_wd < 0.3 AND created_at + interval '2 hours' < $1
              THEN created_at + interval '2 hours' END AS withdrawn_at
       FROM life`,
      [o.to],
    );
    // Closed when the resident confirms (most ratings), or by the auto-close job 72 h after an
    // unrated resolution, as the scheduler does.
    await client.query(
      `CREATE TEMP TABLE fate AS
       SELECT *,
         CASE WHEN withdrawn_at IS NOT NULL THEN NULL
              WHEN rated_at IS NOT NULL AND u_close < 0.9 THEN rated_at
              WHEN resolved_at + interval '72 hours' < $1 THEN resolved_at + interval '72 hours' END AS closed_at
       FROM fate0`,
      [o.to],
    );
    await client.query(
      `INSERT INTO request (id, no, compound_id, building_id, unit_no, category, text, reporter_id, chat_id, status,
         priority, assignee_id, escalation_level, council, ack_due_at, resolve_due_at, rating, reopen_count,
         created_at, updated_at, acknowledged_at, resolved_at, closed_at, withdrawn_at)
       OVERRIDING SYSTEM VALUE
       SELECT no, no, 'c' || lpad((c + 1)::text, 4, '0'), 'b' || lpad((b + 1)::text, 5, '0'), 1, cat,
         '楼道灯不亮 ' || no, 'res.' || no % 5000, $1 || lpad((b + 1)::text, 5, '0'),
         CASE WHEN withdrawn_at IS NOT NULL THEN 'withdrawn'
              WHEN closed_at IS NOT NULL THEN 'closed'
              WHEN resolved_at IS NOT NULL THEN 'resolved'
              WHEN acknowledged_at IS NOT NULL THEN 'acknowledged' ELSE 'open' END,
         CASE WHEN urgent THEN 'urgent' ELSE 'normal' END,
         -- The building head, as buildingIds() names them in the ledger (head.00057 for b00057).
         'head.' || lpad((b + 1)::text, 5, '0'),
         CASE WHEN u_esc < 0.02 THEN 2 WHEN u_esc < 0.05 THEN 1 ELSE 0 END,
         cat = 'council', ack_due_at, resolve_due_at,
         CASE WHEN rated_at IS NOT NULL THEN CASE WHEN u_reopen < 0.1 THEN 'bad' ELSE 'good' END END,
         0, created_at, greatest(created_at, acknowledged_at, resolved_at, rated_at, closed_at, withdrawn_at),
         acknowledged_at, resolved_at,
         closed_at, withdrawn_at
       FROM fate`,
      [first.chatId.slice(0, -5)],
    );
    await client.query(`UPDATE request_counter SET last_no = $1`, [o.requests]);
    await client.query(`SELECT setval(pg_get_serial_sequence('request', 'id'), $1)`, [o.requests]);
    // The event log, one INSERT … SELECT per kind, from the same fates.
    const events: [string, string, string][] = [
      ['created', 'created_at', 'true'],
      ['routed', 'created_at', 'true'],
      ['acknowledged', 'acknowledged_at', 'acknowledged_at IS NOT NULL'],
      ['resolved', 'resolved_at', 'resolved_at IS NOT NULL'],
      ['rated', 'rated_at', 'rated_at IS NOT NULL'],
      ['closed', 'closed_at', 'closed_at IS NOT NULL'],
      ['withdrawn', 'withdrawn_at', 'withdrawn_at IS NOT NULL'],
      ['council', 'created_at', "cat = 'council'"],
      ['escalated', "ack_due_at + interval '1 hour'", `u_esc < 0.05 AND ack_due_at + interval '1 hour' < $1`],
      [
        'reopened',
        "rated_at + interval '1 hour'",
        `rated_at IS NOT NULL AND u_reopen < 0.1 AND rated_at + interval '1 hour' < $1`,
      ],
    ];
    for (const [type, at, when] of events) {
      const data =
        type === 'rated'
          ? `jsonb_build_object('rating', CASE WHEN u_reopen < 0.1 THEN 'bad' ELSE 'good' END)`
          : type === 'escalated'
            ? `jsonb_build_object('level', CASE WHEN u_esc < 0.02 THEN 2 ELSE 1 END)`
            : `'{}'::jsonb`;
      await client.query(
        `INSERT INTO request_event (request_id, type, actor_id, at, data)
         SELECT no, '${type}', NULL, ${at}, ${data} FROM fate WHERE ${when} ORDER BY no`,
        when.includes('$1') ? [o.to] : [],
      );
    }
    // As autovacuum would leave a year-old table: statistics and the visibility map up to date.
    await client.query('VACUUM ANALYZE request');
    await client.query('VACUUM ANALYZE request_event');
  } finally {
    await client.end();
  }
}
