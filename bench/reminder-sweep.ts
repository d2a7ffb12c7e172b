import type { DataSource, EntityManager } from 'typeorm';
import { Ledger } from '../src/ledger/ledger';
import { sweepReminders, type SweepResult } from '../src/scheduler';
import { silentLogger } from '../src/shared/logger';
import type { RunContext } from './lib/context';
import { openBenchDatabase, prepareDatabase } from './lib/desk-db';
import { adminQuery, createScratchDatabase } from './lib/postgres';
import { summarize } from './lib/report';
import { buildingIds, type StreetShape } from './lib/street';

const NOW = new Date('2026-11-25T02:00:00Z');

/**
 * The street's buildings as a SQL table (index, id, compound, chat, head), named as the ledger
 * names them, so that seeded requests are in real groups and held by real heads.
 */
function streetTable(shape: StreetShape): string {
  const rows = Array.from({ length: shape.buildings }, (_, i) => {
    const b = buildingIds(i, shape);
    return `(${i}, '${b.id}', '${b.compoundId}', '${b.chatId}', '${b.headId}')`;
  });
  return `(VALUES ${rows.join(',')}) AS street (b, building_id, compound_id, chat_id, head_id)`;
}

/**
 * `total` active requests (half open, half acknowledged) of which `due` are past their deadline,
 * written in bulk. The others are due later, as most of a street's open requests are. Each is
 * held by its building's head, whom its reminders @ in the building's group.
 */
export async function seedOpenRequests(
  query: (sql: string) => Promise<unknown>,
  shape: StreetShape,
  total: number,
  due: number,
): Promise<void> {
  await query('TRUNCATE request_reminder, request_event, outbox, request RESTART IDENTITY CASCADE');
  await query(
    `INSERT INTO request (id, no, compound_id, building_id, category, text, reporter_id, chat_id, status, priority,
       assignee_id, ack_due_at, resolve_due_at, created_at, updated_at, acknowledged_at)
     OVERRIDING SYSTEM VALUE
     SELECT g, g, street.compound_id, street.building_id, 'repair',
       '楼道灯不亮 ' || g, 'res.' || g, street.chat_id,
       CASE WHEN open THEN 'open' ELSE 'acknowledged' END, 'normal', street.head_id,
       created_at + interval '24 hours', created_at + interval '7 days', created_at, created_at,
       CASE WHEN open THEN NULL ELSE created_at + interval '1 hour' END
     FROM (SELECT g, (g::bigint * 7919 % ${shape.buildings})::int AS b, g % 2 = 0 AS open,
             CASE WHEN g <= ${due}
                  THEN $1::timestamptz - CASE WHEN g % 2 = 0 THEN interval '24 hours' ELSE interval '7 days' END
                       - interval '10 minutes'
                  ELSE $1::timestamptz - interval '1 hour' + (g % 5000) * interval '1 minute' END AS created_at
           FROM generate_series(1, ${total}) g) s
     JOIN ${streetTable(shape)} USING (b)
     ORDER BY g`.replaceAll('$1::timestamptz', `'${NOW.toISOString()}'::timestamptz`),
  );
  await query(`SELECT setval(pg_get_serial_sequence('request', 'id'), ${total})`);
  await query('ANALYZE request');
}

/** The reminders the sweep queued that do not @ the request's building head alone. */
async function remindersNotToHeads(tx: EntityManager, ledger: Ledger): Promise<number> {
  const rows = await tx.query<{ building_id: string; body: { mentions?: string[] } }[]>(
    `SELECT r.building_id, o.body FROM outbox o JOIN request r ON r.id = o.request_id
     WHERE o.purpose = 'reminder'`,
  );
  return rows.filter((row) => {
    const head = ledger.placeOfBuilding(row.building_id)?.building.head;
    const mentions = row.body.mentions ?? [];
    return head === undefined || mentions.length !== 1 || mentions[0] !== head;
  }).length;
}

/**
 * One sweep at NOW in a transaction that is rolled back, so every run sees the same state; with
 * how many of the reminders it queued went to someone other than the building's head.
 */
async function sweepOnce(
  dataSource: DataSource,
  ledger: Ledger,
  capture?: (sql: string, params: unknown[]) => void,
): Promise<{ ms: number; result: SweepResult; notToHeads: number }> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  await runner.startTransaction();
  try {
    const tx: EntityManager = runner.manager;
    if (capture) {
      const original = tx.query.bind(tx);
      (tx as unknown as { query: typeof original }).query = ((sql: string, params?: unknown[]) => {
        capture(sql, params ?? []);
        return original(sql, params);
      }) as typeof original;
    }
    const t0 = performance.now();
    const result = await sweepReminders(
      tx,
      ledger,
      NOW,
      { timeZone: 'Asia/Shanghai', quietHours: null, privateNotices: false },
      silentLogger,
    );
    const ms = performance.now() - t0;
    return { ms, result, notToHeads: await remindersNotToHeads(tx, ledger) };
  } finally {
    await runner.rollbackTransaction();
    await runner.release();
  }
}

/** The plan of the sweep's candidate query, as PostgreSQL ran it. */
async function candidatePlan(dataSource: DataSource, ledger: Ledger): Promise<string> {
  let candidate: { sql: string; params: unknown[] } | null = null;
  await sweepOnce(dataSource, ledger, (sql, params) => {
    if (!candidate && /FROM request r\b/.test(sql)) candidate = { sql, params };
  });
  const found = candidate as { sql: string; params: unknown[] } | null;
  if (!found) return '(candidate query not seen)';
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  await runner.startTransaction();
  try {
    const rows = (await runner.query(
      `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) ${found.sql}`,
      found.params,
    )) as { 'QUERY PLAN': string }[];
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    await runner.rollbackTransaction();
    await runner.release();
  }
}

/**
 * The reminder sweep over 100,000 active requests: its time with 0, 100 and 1,000 of them due, and
 * with a tenth of the requests, to show that it grows with the due requests and not with all of
 * them; with the plan of its candidate query.
 */
export async function benchReminderSweep(ctx: RunContext): Promise<void> {
  const { report } = ctx;
  const total = ctx.smoke ? 20_000 : 100_000;
  ctx.log(`== reminder sweep over ${total} active requests`);
  const db = await createScratchDatabase('mulin_bench_sweep');
  let dataSource: DataSource | undefined;
  try {
    await prepareDatabase(db.url, ctx.ledger);
    dataSource = await openBenchDatabase(db.url);
    const ledger = new Ledger(ctx.ledger, 1);
    const cases: { total: number; due: number }[] = [
      { total, due: 0 },
      { total, due: 100 },
      { total, due: 1000 },
      { total: total / 10, due: 1000 },
    ];
    const rows: string[] = [];
    for (const c of cases) {
      await seedOpenRequests((sql) => adminQuery(db.url, sql), ctx.shape, c.total, c.due);
      const runs = [];
      for (let i = 0; i < (ctx.smoke ? 2 : 4); i++) runs.push(await sweepOnce(dataSource, ledger));
      const ms = summarize(runs.slice(1).map((r) => r.ms)).p50;
      const result = runs[0]?.result;
      rows.push(`${c.total} active, ${c.due} due: ${ms.toFixed(0)} ms (reminded ${result?.reminded ?? 0})`);
      if (c.total === total && c.due === 1000) {
        report.figure({
          name: `reminder sweep over ${total} active requests, 1,000 due`,
          value: ms,
          unit: 'ms',
          goal: { op: '<=', value: 2000 },
        });
      }
      if (c.total === total && c.due === 0) {
        report.figure({
          name: `reminder sweep over ${total} active requests, none due`,
          value: ms,
          unit: 'ms',
        });
      }
      if (c.due === 1000 && result?.reminded !== 1000)
        report.check('sweep: every due request reminded', false, `${result?.reminded ?? 0} of 1000`);
      if (c.due === 1000 && runs[0]?.notToHeads !== 0)
        report.check(
          "sweep: every reminder @s the building's head",
          false,
          `${runs[0]?.notToHeads ?? 'none'} of ${result?.reminded ?? 0} to someone else`,
        );
      if (c.total === total && c.due === 100) {
        report.note('plan of the candidate query (100 due):');
        for (const line of (await candidatePlan(dataSource, ledger)).split('\n')) report.note(`    ${line}`);
      }
    }
    for (const row of rows) report.note(row);
  } finally {
    await dataSource?.destroy();
    await db.drop();
  }
}
