import path from 'node:path';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { runId, sleep, type RunContext } from '../bench/lib/context';
import { prepareDatabase } from '../bench/lib/desk-db';
import { adminQuery, createScratchDatabase, queryRows } from '../bench/lib/postgres';
import { buildingIds, LEADERSHIP_WEBHOOK_KEY, type BuildingIds, type StreetShape } from '../bench/lib/street';
import { openDatabase } from '../src/db/data-source';
import { LedgerCache } from '../src/ledger/ledger-store';
import { OutboxWorker } from '../src/outbox';
import { Scheduler, type JobOutcome } from '../src/scheduler';
import { fixedClock } from '../src/shared/clock';
import { createLogger } from '../src/shared/logger';
import { WecomClient } from '../src/wecom/client';
import { WecomSimulator, type SimulatedMessage } from '../src/wecom/simulator';
import { withDesk } from './lib/desk';

const SWEEPS = 10;
const PER_SWEEP = 20;
/** Monday 09:00 in Shanghai: the digest is due; the sweeps follow every 10 minutes from 10:00. */
const DIGEST_AT = new Date('2026-11-30T01:00:00Z');
const FIRST_SWEEP = new Date('2026-11-30T02:00:00Z');

/** The building of request `no`: spread over the street, as posts come from every building. */
function buildingOf(no: number, shape: StreetShape): BuildingIds {
  return buildingIds((no * 37) % shape.buildings, shape);
}

/**
 * Open requests falling due one batch per sweep: `perSweep` of them past their acknowledgement
 * deadline by each sweep time, none earlier, so each sweep has its own work. Each is in its
 * building's group and held by its building's head, as the street's ledger names them, so that
 * its reminders go to someone real.
 */
export async function seedDueRequests(
  query: (sql: string) => Promise<unknown>,
  shape: StreetShape,
  sweepTimes: readonly Date[],
  perSweep: number,
): Promise<void> {
  const values: string[] = [];
  sweepTimes.forEach((at, k) => {
    for (let j = 0; j < perSweep; j++) {
      const no = k * perSweep + j + 1;
      const due = new Date(at.getTime() - 60_000 - j * 1000);
      const created = new Date(due.getTime() - 24 * 3600_000);
      const b = buildingOf(no, shape);
      values.push(
        `(${no}, ${no}, '${b.compoundId}', '${b.id}', 'repair', '门禁坏了 ${no}', 'res.${no}', '${b.chatId}', 'open', 'normal', '${b.headId}', '${due.toISOString()}', '${new Date(created.getTime() + 7 * 86_400_000).toISOString()}', '${created.toISOString()}', '${created.toISOString()}')`,
      );
    }
  });
  await query(
    `INSERT INTO request (id, no, compound_id, building_id, category, text, reporter_id, chat_id, status, priority,
       assignee_id, ack_due_at, resolve_due_at, created_at, updated_at) OVERRIDING SYSTEM VALUE VALUES ${values.join(',')}`,
  );
  await query(`SELECT setval(pg_get_serial_sequence('request', 'id'), ${values.length})`);
  await query(`UPDATE request_counter SET last_no = ${values.length}`);
}

/**
 * Reminders per request number, and the digest's parts, as WeCom received them; and how many
 * reminders were not in the request's building group @-ing its head.
 */
function tally(messages: readonly SimulatedMessage[], shape: StreetShape) {
  const reminders = new Map<number, number>();
  const digest: string[] = [];
  let misaddressed = 0;
  for (const m of messages) {
    const no = /^提醒：#(\d+) /.exec(m.body.content)?.[1];
    if (no) {
      reminders.set(Number(no), (reminders.get(Number(no)) ?? 0) + 1);
      const b = buildingOf(Number(no), shape);
      const mentions = m.body.kind === 'text' ? (m.body.mentions ?? []) : [];
      const inGroup = m.destination.type === 'group_webhook' && m.destination.webhookKey === b.webhookKey;
      if (!inGroup || mentions.length !== 1 || mentions[0] !== b.headId) misaddressed++;
    }
    if (m.destination.type === 'group_webhook' && m.destination.webhookKey === LEADERSHIP_WEBHOOK_KEY)
      digest.push(m.body.content);
  }
  return { reminders, digest, misaddressed };
}

/**
 * Three schedulers, each with its own connection pool, on one database, driven through the digest
 * time and ten reminder sweeps with a test clock, every run started on all three at the same
 * instant: each run must happen once, each reminder and each digest part be sent once.
 */
async function inProcess(ctx: RunContext): Promise<void> {
  const { report } = ctx;
  const db = await createScratchDatabase('mulin_chaos_sched');
  const simulator = new WecomSimulator({ acceptAnyWebhookKey: true });
  const sources: DataSource[] = [];
  try {
    await prepareDatabase(db.url, ctx.ledger);
    const sweepTimes = Array.from(
      { length: SWEEPS },
      (_, k) => new Date(FIRST_SWEEP.getTime() + k * 600_000),
    );
    await seedDueRequests((sql) => adminQuery(db.url, sql), ctx.shape, sweepTimes, PER_SWEEP);
    await simulator.start();
    const clock = fixedClock(DIGEST_AT);
    // Logged as the service logs, to a file the run's log scan reads: the reminders and the digest
    // go to webhook keys (the leadership group's among them), and none may show in a log.
    const logger = createLogger(
      'info',
      pino.destination({ dest: path.join(ctx.workDir, 'scheduler-in-process.log'), sync: true }),
    );
    const schedulers: Scheduler[] = [];
    for (const name of ['a', 'b', 'c']) {
      const dataSource = await openDatabase({ databaseUrl: db.url, dataDir: 'unused' });
      sources.push(dataSource);
      schedulers.push(
        new Scheduler(dataSource, clock, logger, new LedgerCache(), {
          timeZone: 'Asia/Shanghai',
          schedules: {
            reminders: '*/10 * * * *',
            'auto-close': null,
            'weekly-digest': '0 9 * * 1',
            'building-notes': null,
          },
          quietHours: null,
          autoCloseAfterMinutes: 72 * 60,
          privateNotices: false,
          instance: `chaos-${name}`,
        }),
      );
    }
    const ran = (outcomes: JobOutcome[]) => outcomes.filter((o) => o.status === 'ran').length;
    const runs: number[] = [];
    clock.set(DIGEST_AT);
    runs.push(ran(await Promise.all(schedulers.map((s) => s.runJob('weekly-digest', DIGEST_AT)))));
    for (const at of sweepTimes) {
      clock.set(at);
      runs.push(ran(await Promise.all(schedulers.map((s) => s.runJob('reminders', at)))));
    }
    // Again, as a late tick or a make-up after a restart would: nothing may run twice.
    const again = ran(
      await Promise.all(
        schedulers.map((s, i) =>
          s.runJob(i === 0 ? 'weekly-digest' : 'reminders', i === 0 ? DIGEST_AT : sweepTimes[0]),
        ),
      ),
    );

    const source = sources[0];
    if (!source) throw new Error('no database');
    const worker = new OutboxWorker(
      source,
      new WecomClient({ apiBase: simulator.url, clock }),
      clock,
      logger,
    );
    for (let round = 0; round < 200; round++) {
      await worker.runOnce();
      const [left] = await queryRows<{ n: number }>(
        db.url,
        `SELECT count(*)::int AS n FROM outbox WHERE status = 'pending'`,
      );
      if (left?.n === 0) break;
      clock.set(new Date(clock.now().getTime() + 60_000));
    }
    const [queued] = await queryRows<{ reminders: number; digest: number; claims: number }>(
      db.url,
      `SELECT (SELECT count(*)::int FROM outbox WHERE purpose = 'reminder') AS reminders,
              (SELECT count(*)::int FROM outbox WHERE purpose = 'digest') AS digest,
              (SELECT count(*)::int FROM scheduled_run) AS claims`,
    );
    const { reminders, digest, misaddressed } = tally(simulator.messages(), ctx.shape);
    const expected = SWEEPS * PER_SWEEP;
    const once = [...reminders.values()].filter((n) => n === 1).length;
    report.check(
      'three schedulers: the digest and each of ten sweeps ran once',
      runs.every((n) => n === 1) && again === 0 && queued?.claims === SWEEPS + 1,
      `runs per period ${runs.join(' ')}; ${again} ran again when started once more; ${queued?.claims ?? 0} claimed periods`,
    );
    report.check(
      'three schedulers: every reminder and digest part sent once',
      once === expected &&
        reminders.size === expected &&
        queued?.reminders === expected &&
        digest.length === queued.digest &&
        new Set(digest).size === digest.length &&
        digest.length > 0,
      `${once} of ${expected} reminders sent once (${reminders.size - once} more often); digest: ${queued?.digest ?? 0} parts queued, ${digest.length} sent, ${new Set(digest).size} distinct`,
    );
    report.check(
      "three schedulers: every reminder in its building's group, @-ing the building's head",
      misaddressed === 0 && reminders.size > 0,
      `${misaddressed} reminders elsewhere or @-ing someone else`,
    );
  } finally {
    for (const s of sources) await s.destroy();
    await simulator.stop();
    await db.drop();
  }
}

/**
 * The same with three real service processes over real time (full run only): reminders every
 * minute, requests falling due across the minutes, and the digest made up at start, which all
 * three instances attempt at once.
 */
async function realProcesses(ctx: RunContext, minutes: number): Promise<void> {
  const { report } = ctx;
  const env = {
    MULIN_REMINDER_SCHEDULE: '* * * * *',
    MULIN_QUIET_HOURS: 'off',
    // Due yesterday at this minute (Shanghai): within the 72 h make-up window, so every instance
    // tries to make up last week's digest the moment it starts.
    MULIN_DIGEST_SCHEDULE: `${new Date().getUTCMinutes()} ${(new Date().getUTCHours() + 8) % 24} * * *`,
    MULIN_BUILDING_NOTE_SCHEDULE: 'off',
  };
  // Requests falling due one batch a minute from now, seeded before the instances start.
  const seed = (url: string) => {
    const now = Date.now();
    const minuteTimes = Array.from({ length: minutes }, (_, k) => new Date(now + (k + 1) * 60_000));
    return seedDueRequests((sql) => adminQuery(url, sql), ctx.shape, minuteTimes, 10);
  };
  await withDesk(ctx, { name: 'scheduler', instances: 3, slot: 60, env, beforeStart: seed }, async (desk) => {
    const url = desk.databaseUrl;
    await sleep((minutes + 1) * 60_000);
    const [state] = await queryRows<{ pending: number; sweeps: number; digests: number; parts: number }>(
      url,
      `SELECT (SELECT count(*)::int FROM outbox WHERE status = 'pending') AS pending,
              (SELECT count(*)::int FROM outbox WHERE purpose = 'digest') AS parts,
              (SELECT count(*)::int FROM scheduled_run WHERE job = 'reminders') AS sweeps,
              (SELECT count(*)::int FROM scheduled_run WHERE job = 'weekly-digest') AS digests`,
    );
    const { reminders, digest, misaddressed } = tally(desk.simulator.messages(), ctx.shape);
    const expected = minutes * 10;
    const once = [...reminders.values()].filter((n) => n === 1).length;
    const instances = await queryRows<{ instance: string }>(
      url,
      `SELECT DISTINCT instance FROM scheduled_run`,
    );
    report.check(
      `three processes over ${minutes} minutes: every reminder sent once, the digest once`,
      once === expected &&
        reminders.size === expected &&
        state?.digests === 1 &&
        digest.length > 0 &&
        digest.length === state.parts &&
        new Set(digest).size === digest.length &&
        state.pending === 0,
      `${state?.sweeps ?? 0} sweeps run by ${instances.length} instances; ${once} of ${expected} reminders sent once, ${reminders.size - once} more often; ${state?.digests ?? 0} digest run, ${state?.parts ?? 0} parts queued, ${digest.length} sent (${new Set(digest).size} distinct); ${state?.pending ?? 0} pending`,
    );
    report.check(
      `three processes over ${minutes} minutes: every reminder in its building's group, @-ing its head`,
      misaddressed === 0 && reminders.size > 0,
      `${misaddressed} reminders elsewhere or @-ing someone else`,
    );
  });
}

export async function chaosSchedulerInstances(ctx: RunContext): Promise<void> {
  ctx.log(`== three instances through a digest time and ${SWEEPS} reminder sweeps (${runId()})`);
  await inProcess(ctx);
  if (!ctx.smoke) await realProcesses(ctx, 4);
}
