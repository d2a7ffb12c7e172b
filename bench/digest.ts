import type { DataSource } from 'typeorm';
import { lastFullWeekBefore, weekBounds } from '../src/digest';
import { Ledger } from '../src/ledger/ledger';
import { digestParts } from '../src/scheduler';
import type { RunContext } from './lib/context';
import { openBenchDatabase, prepareDatabase } from './lib/desk-db';
import { createScratchDatabase } from './lib/postgres';
import { summarize } from './lib/report';
import { syntheticLedger, type StreetShape } from './lib/street';
import { generateHistory } from './lib/synthetic-requests';

const TIME_ZONE = 'Asia/Shanghai';
/** The data's present: a Wednesday, so the digest reports the Monday-to-Sunday week before. */
const NOW = new Date('2026-11-25T02:00:00Z');

/**
 * The baseline: the week's figures for the street and for every compound in one hand-written
 * aggregate, as someone would write it for a one-off report (created_at and event (type, at) are
 * indexed; the deadlines are not, so those are a scan).
 */
const HAND_WRITTEN = `
  WITH first_resolved AS (
    SELECT request_id, min(at) AS at FROM request_event WHERE type = 'resolved' AND at < $2 GROUP BY request_id
  ),
  per_request AS (
    SELECT r.compound_id,
      r.created_at >= $1 AS received,
      (r.ack_due_at >= $1 AND r.ack_due_at < $2) AS ack_due,
      r.acknowledged_at <= r.ack_due_at AS ack_in_time,
      (r.resolve_due_at >= $1 AND r.resolve_due_at < $2) AS res_due,
      fr.at <= r.resolve_due_at AS res_in_time,
      (r.withdrawn_at IS NULL OR r.withdrawn_at > r.ack_due_at) AS ack_counts,
      (r.withdrawn_at IS NULL OR r.withdrawn_at > r.resolve_due_at) AS res_counts,
      CASE WHEN r.acknowledged_at >= $1 AND r.acknowledged_at < $2
           THEN extract(epoch FROM r.acknowledged_at - r.created_at) / 60 END AS ack_minutes,
      CASE WHEN fr.at >= $1 AND fr.at < $2 THEN extract(epoch FROM fr.at - r.created_at) / 60 END AS res_minutes
    FROM request r LEFT JOIN first_resolved fr ON fr.request_id = r.id
    WHERE r.created_at < $2
      AND (r.created_at >= $1 OR r.ack_due_at >= $1 OR r.resolve_due_at >= $1 OR r.acknowledged_at >= $1
           OR fr.at >= $1)
  ),
  events AS (
    SELECT r.compound_id,
      count(*) FILTER (WHERE e.type = 'rated') AS rated,
      count(*) FILTER (WHERE e.type = 'rated' AND e.data->>'rating' = 'good') AS good,
      count(*) FILTER (WHERE e.type = 'escalated') AS escalations,
      count(DISTINCT e.request_id) FILTER (WHERE e.type = 'resolved') AS resolved
    FROM request_event e JOIN request r ON r.id = e.request_id
    WHERE e.type IN ('rated', 'escalated', 'resolved') AND e.at >= $1 AND e.at < $2
    GROUP BY ROLLUP (r.compound_id)
  ),
  clocks AS (
    SELECT compound_id,
      count(*) FILTER (WHERE received) AS received,
      count(*) FILTER (WHERE ack_due AND ack_in_time) AS ack_ok,
      count(*) FILTER (WHERE ack_due AND (ack_in_time OR ack_counts)) AS ack_due,
      count(*) FILTER (WHERE res_due AND res_in_time) AS res_ok,
      count(*) FILTER (WHERE res_due AND (res_in_time OR res_counts)) AS res_due,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY ack_minutes) AS median_ack,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY res_minutes) AS median_res
    FROM per_request GROUP BY ROLLUP (compound_id)
  )
  SELECT * FROM clocks c FULL JOIN events e USING (compound_id)`;

async function timed(run: () => Promise<unknown>, times: number): Promise<{ first: number; ms: number[] }> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await run();
    ms.push(performance.now() - t0);
  }
  return { first: ms[0] ?? Number.NaN, ms };
}

/** Wraps the DataSource's query so each statement's time is counted under its first words. */
function profileQueries(dataSource: DataSource): Map<string, { n: number; ms: number }> {
  const byStatement = new Map<string, { n: number; ms: number }>();
  const original = dataSource.query.bind(dataSource);
  const wrapped = async (sql: string, params?: unknown[]) => {
    const t0 = performance.now();
    try {
      return (await original(sql, params)) as unknown;
    } finally {
      const key = sql.replace(/\s+/g, ' ').trim().slice(0, 70);
      const entry = byStatement.get(key) ?? { n: 0, ms: 0 };
      entry.n++;
      entry.ms += performance.now() - t0;
      byStatement.set(key, entry);
    }
  };
  (dataSource as unknown as { query: typeof wrapped }).query = wrapped;
  return byStatement;
}

/**
 * The weekly digest over a large street (1,000,000 requests in 20,000 buildings, a year of them):
 * the digest as the scheduler queues it (every figure, for the street and each compound, this week
 * and the last, the exceptions, rendered into parts) against one hand-written SQL aggregate of the
 * week's figures over the same data.
 */
export async function benchDigest(ctx: RunContext): Promise<void> {
  const { report } = ctx;
  const shape: StreetShape = ctx.smoke
    ? { buildings: 1000, buildingsPerCompound: 20, unitsPerBuilding: 0 }
    : { buildings: 20_000, buildingsPerCompound: 20, unitsPerBuilding: 0 };
  const requests = ctx.smoke ? 50_000 : 1_000_000;
  ctx.log(`== weekly digest: ${requests} requests in ${shape.buildings} buildings over a year`);
  const db = await createScratchDatabase('mulin_bench_digest');
  let dataSource: DataSource | undefined;
  try {
    const document = syntheticLedger(shape);
    await prepareDatabase(db.url, document);
    const t0 = Date.now();
    await generateHistory(db.url, {
      requests,
      shape,
      from: new Date(NOW.getTime() - 364 * 86_400_000),
      to: NOW,
    });
    report.note(`generated the history in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    dataSource = await openBenchDatabase(db.url);
    const ds = dataSource;
    const ledger = new Ledger(document, 1);
    const week = lastFullWeekBefore(NOW, TIME_ZONE);
    const { start, end } = weekBounds(week, TIME_ZONE);
    const statements = profileQueries(ds);
    let parts: string[] = [];
    const digest = await timed(
      async () => {
        parts = await digestParts(ds, ledger, week, TIME_ZONE);
      },
      ctx.smoke ? 2 : 3,
    );
    const perRun = new Map(
      [...statements].map(([k, v]) => [k, { n: v.n / digest.ms.length, ms: v.ms / digest.ms.length }]),
    );
    const baseline = await timed(() => ds.query(HAND_WRITTEN, [start, end]), ctx.smoke ? 2 : 3);
    const digestMs = summarize(digest.ms.slice(1)).p50;
    const baselineMs = summarize(baseline.ms.slice(1)).p50;
    report.figure({
      name: `weekly digest over ${requests} requests in ${shape.buildings} buildings`,
      value: digestMs,
      unit: 'ms',
      goal: { op: '<=', value: 1000 },
      baseline: {
        name: 'one hand-written SQL aggregate',
        value: baselineMs,
        goalRatio: { op: '<=', value: 2 },
      },
      note: `${parts.length} parts, ${[...perRun.values()].reduce((a, b) => a + b.n, 0)} queries; first (cold) run ${digest.first.toFixed(0)} ms, baseline first ${baseline.first.toFixed(0)} ms`,
    });
    const top = [...perRun.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 5);
    for (const [sql, v] of top) report.note(`  ${v.ms.toFixed(0)} ms in ${v.n}× ${sql}…`);
    report.check('digest: rendered into parts', parts.length > 0, `${parts.length} parts`);
  } finally {
    await dataSource?.destroy();
    await db.drop();
  }
}
