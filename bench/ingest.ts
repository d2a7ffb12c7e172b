import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { botRequests, planMessages } from './lib/callbacks';
import { runId, type RunContext } from './lib/context';
import { cpuSnapshot, cpuUsed, type CpuSnapshot } from './lib/cpu';
import { CALLBACK_WRITE_SCRIPTS, seedRequests } from './lib/callback-writes';
import { knownRequests, prepareDatabase } from './lib/desk-db';
import { closedLoop } from './lib/http-load';
import { pgbench, pgbenchInsert, queryRows, withScratchDatabase, type PgbenchResult } from './lib/postgres';
import { summarize } from './lib/report';
import { portFor, ROOT, serviceEnv, withBenchService, type BenchService } from './lib/service';

const CONCURRENCY = 8;
/** The throughput goal: at least this fraction of pgbench's single-row INSERT tps. */
const GOAL_RATIO = 0.5;

type Rung = 'http' | 'verify' | 'store';
const RUNGS: Record<Rung, string> = {
  http: "Node's HTTP server alone (read the body, answer 200)",
  verify: '+ signature, decryption and parsing (no database)',
  store: "+ Mulin's intake: the message stored once, in its own transaction (no desk, no outbox)",
};

/** Machine CPU per callback, in µs, by where it was spent. */
interface CpuPerCallback {
  /** The process answering the callbacks: the service, or a rung's server. */
  readonly server: number;
  readonly postgres: number;
  /** The load generator (this process). */
  readonly harness: number;
}

function cpuPerCallback(cpu: CpuSnapshot, callbacks: number): CpuPerCallback {
  const us = (seconds: number) => (seconds / Math.max(1, callbacks)) * 1e6;
  return { server: us(cpu.service), postgres: us(cpu.postgres), harness: us(cpu.harness) };
}

function totalUs(cpu: CpuPerCallback): number {
  return cpu.server + cpu.postgres + cpu.harness;
}

/** "N µs (server … + PostgreSQL … + harness …)". */
function describeCpu(cpu: CpuPerCallback): string {
  const us = (value: number) => `${value.toFixed(0)} µs`;
  return `${us(totalUs(cpu))} (server ${us(cpu.server)} + PostgreSQL ${us(cpu.postgres)} + harness ${us(cpu.harness)})`;
}

interface RungFigures {
  readonly throughput: number;
  readonly p99: number;
  readonly ok: number;
  readonly cpu: CpuPerCallback;
}

/** Starts one rung's server (floor-server.ts) as its own process; resolves once it listens. */
async function startRungServer(
  ctx: RunContext,
  rung: Rung,
  port: number,
  databaseUrl: string,
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join('bench', 'lib', 'floor-server.ts'),
      rung,
      String(port),
      databaseUrl,
      path.join(ctx.workDir, `ladder-${rung}.log`),
    ],
    {
      cwd: ROOT,
      env: serviceEnv({ port, apiBase: 'http://127.0.0.1:9', logFile: '', entry: '' }),
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`ladder server ${rung} exited with ${String(code)}`)));
    });
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
  return child;
}

/**
 * Runs one rung of the ladder in its own process and loads it like the service, measuring the CPU
 * of the rung's server (by its pid), of PostgreSQL and of the harness during the measured part.
 */
async function measureRung(
  ctx: RunContext,
  rung: Rung,
  databaseUrl: string,
  seconds: number,
): Promise<RungFigures> {
  const port = portFor(5);
  const child = await startRungServer(ctx, rung, port, databaseUrl);
  try {
    const planned = planMessages({ count: 200_000, shape: ctx.shape, seed: 7, runId: `l${rung}${runId()}` });
    const requests = botRequests(planned);
    const target = { host: '127.0.0.1', port };
    await closedLoop({
      target,
      concurrency: CONCURRENCY,
      requests: requests.slice(0, 2000),
      durationMs: 3000,
    });
    const before = cpuSnapshot([child.pid]);
    const run = await closedLoop({
      target,
      concurrency: CONCURRENCY,
      requests: requests.slice(2000),
      durationMs: seconds * 1000,
    });
    const cpu = cpuUsed(before, cpuSnapshot([child.pid]));
    const ok = run.sent.filter((r) => r.status === 200);
    return {
      throughput: ok.length / (run.elapsedMs / 1000),
      p99: summarize(ok.map((r) => r.ms)).p99,
      ok: ok.length,
      cpu: cpuPerCallback(cpu, ok.length),
    };
  } finally {
    child.kill('SIGTERM');
  }
}

/** The service's count of intake transactions and of the messages in them, from /metrics. */
async function intakeBatches(target: {
  host: string;
  port: number;
}): Promise<{ count: number; sum: number }> {
  const text = await (await fetch(`http://${target.host}:${target.port}/metrics`)).text();
  const value = (name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return Number(line?.split(' ')[1] ?? NaN);
  };
  return { count: value('mulin_intake_batch_messages_count'), sum: value('mulin_intake_batch_messages_sum') };
}

interface ServiceFigures {
  readonly throughput: number;
  readonly cpu: CpuPerCallback;
}

/**
 * The full service under the ingest load: warm-up, then the measured run, its figures against
 * pgbench's and its checks. Returns its throughput and CPU per callback, for the later notes.
 */
async function loadService(
  ctx: RunContext,
  { service, databaseUrl, target }: BenchService,
  pgbench: PgbenchResult,
  seconds: number,
): Promise<ServiceFigures> {
  const { report } = ctx;
  // Warm-up: JIT, connection pool, and requests for the commands to be about.
  const warm = planMessages({
    count: ctx.smoke ? 600 : 3000,
    shape: ctx.shape,
    seed: 1,
    runId: `w${runId()}`,
    mix: { post: 0.8, command: 0, chatter: 0.2 },
  });
  const warmed = await closedLoop({
    target,
    concurrency: CONCURRENCY,
    requests: botRequests(warm),
    durationMs: 120_000,
  });
  const warmFailures = warmed.sent.filter((s) => s.status !== 200).length;
  if (warmFailures > 0) report.note(`warm-up: ${warmFailures} of ${warmed.sent.length} not answered 200`);

  const known = await knownRequests(databaseUrl);
  const id = runId();
  // More than the run can send: the client stops at the deadline.
  const planned = planMessages({
    count: ctx.smoke ? 20_000 : 120_000,
    shape: ctx.shape,
    seed: 2,
    runId: id,
    known,
  });
  const requests = botRequests(planned);
  const before = cpuSnapshot([service.pid]);
  const run = await closedLoop({ target, concurrency: CONCURRENCY, requests, durationMs: seconds * 1000 });
  const cpu = cpuUsed(before, cpuSnapshot([service.pid]));

  const batches = await intakeBatches(target);
  const ok = run.sent.filter((s) => s.status === 200);
  const others = run.sent.length - ok.length;
  const throughput = ok.length / (run.elapsedMs / 1000);
  const latency = summarize(ok.map((s) => s.ms));
  const [stored] = await queryRows<{ inbound: number; outbox: number; requests: number }>(
    databaseUrl,
    `SELECT (SELECT count(*)::int FROM inbound_message WHERE msg_id LIKE $1) AS inbound,
            (SELECT count(*)::int FROM outbox o JOIN request r ON r.id = o.request_id
               JOIN inbound_message i ON i.id = r.inbound_id WHERE i.msg_id LIKE $1) AS outbox,
            (SELECT count(*)::int FROM request r JOIN inbound_message i ON i.id = r.inbound_id
               WHERE i.msg_id LIKE $1) AS requests`,
    [`bench-${id}-%`],
  );
  const sentPosts = ok.filter((s) => planned[s.index]?.kind === 'post').length;

  report.figure({
    name: 'ingest throughput at concurrency 8',
    value: throughput,
    unit: 'callbacks/s',
    baseline: { name: 'pgbench INSERT', value: pgbench.tps, goalRatio: { op: '>=', value: GOAL_RATIO } },
  });
  report.figure({
    name: 'ingest p99 latency at concurrency 8',
    value: latency.p99,
    unit: 'ms',
    goal: { op: '<=', value: 100 },
    baseline: { name: 'pgbench INSERT p99', value: pgbench.p99Ms },
    note: `p50 ${latency.p50.toFixed(1)} ms, p90 ${latency.p90.toFixed(1)} ms, max ${latency.max.toFixed(1)} ms`,
  });
  const elapsedS = run.elapsedMs / 1000;
  report.note(
    `CPU during the run: service ${((cpu.service / elapsedS) * 100).toFixed(0)}%, PostgreSQL ${((cpu.postgres / elapsedS) * 100).toFixed(0)}%, harness ${((cpu.harness / elapsedS) * 100).toFixed(0)}% of one core; service ${((cpu.service / ok.length) * 1e6).toFixed(0)} µs CPU per callback`,
  );
  report.note(
    `intake transactions (group commit), warm-up included: ${batches.count}, ${(batches.sum / Math.max(1, batches.count)).toFixed(2)} messages each on average`,
  );
  report.check(
    'ingest: every callback answered 200',
    others === 0,
    `${ok.length} answered 200, ${others} otherwise`,
  );
  report.check(
    'ingest: 200s equal the rows stored',
    stored?.inbound === ok.length,
    `${ok.length} × 200, ${stored?.inbound ?? 0} inbound rows`,
  );
  report.check(
    'ingest: every post stored as a request with its receipt queued',
    stored?.requests === sentPosts && stored.outbox >= sentPosts,
    `${sentPosts} posts answered 200, ${stored?.requests ?? 0} requests, ${stored?.outbox ?? 0} outbox rows about them`,
  );
  return { throughput, cpu: cpuPerCallback(cpu, ok.length) };
}

/** Where the time goes: the same load on the service cut down to one layer at a time. */
async function runLadder(ctx: RunContext, pgbench: PgbenchResult): Promise<Map<Rung, RungFigures>> {
  const rungs = new Map<Rung, RungFigures>();
  await withScratchDatabase('mulin_bench_ladder', async (db) => {
    await prepareDatabase(db.url, ctx.ledger);
    for (const rung of Object.keys(RUNGS) as Rung[]) {
      const r = await measureRung(ctx, rung, db.url, ctx.smoke ? 3 : 10);
      rungs.set(rung, r);
      ctx.report.figure({
        name: `ingest ladder: ${RUNGS[rung]}`,
        value: r.throughput,
        unit: 'callbacks/s',
        baseline: { name: 'pgbench INSERT', value: pgbench.tps },
        note: `p99 ${r.p99.toFixed(1)} ms; CPU per callback ${describeCpu(r.cpu)}`,
      });
    }
  });
  return rungs;
}

/** A pgbench line, with the CPU a transaction costs its client and the server. */
function describePgbench(what: string, pgbench: PgbenchResult): string {
  const perTransactionUs = (seconds: number) =>
    ((seconds / Math.max(1, pgbench.transactions)) * 1e6).toFixed(0);
  return `pgbench ${what}, ${CONCURRENCY} clients: ${pgbench.tps.toFixed(0)} tps, p99 ${pgbench.p99Ms.toFixed(1)} ms; per transaction ${perTransactionUs(pgbench.cpu.postgres)} µs PostgreSQL + ${perTransactionUs(pgbench.cpu.pgbench)} µs pgbench CPU`;
}

/**
 * The second baseline (bench/lib/callback-writes.ts): pgbench running, on Mulin's schema with the
 * bench street's ledger, the statements a callback of the mix makes the database run, one
 * transaction per callback, prepared, with no service in front.
 */
async function pgbenchCallbackWrites(ctx: RunContext, seconds: number): Promise<PgbenchResult> {
  return withScratchDatabase('mulin_bench_writes', async (db) => {
    await prepareDatabase(db.url, ctx.ledger);
    await seedRequests(db.url);
    return pgbench(db.url, {
      clients: CONCURRENCY,
      seconds,
      scripts: CALLBACK_WRITE_SCRIPTS,
      protocol: 'prepared',
    });
  });
}

/**
 * The machine CPU a callback may cost for the throughput goal (half pgbench's tps) to be
 * reachable at all on this machine's cores, against what the layers measured above cost.
 */
function describeBudget(
  pgbench: PgbenchResult,
  verify: CpuPerCallback | undefined,
  service: CpuPerCallback,
): string {
  const cores = os.availableParallelism();
  const goalTps = GOAL_RATIO * pgbench.tps;
  const budgetUs = (cores / goalTps) * 1e6;
  const verifyUs = verify
    ? `the verify rung alone (no database) uses ${describeCpu(verify)}`
    : 'the verify rung was not measured';
  return `CPU budget at the goal: ${cores} cores ÷ (${GOAL_RATIO} × ${pgbench.tps.toFixed(0)} tps) = ${budgetUs.toFixed(0)} µs per callback; ${verifyUs}; the full service used ${describeCpu(service)}`;
}

/**
 * Ingest: callbacks in the mix at a fixed concurrency of 8, each answered 200 only after
 * its message, request and outbox rows are committed; against pgbench's single-row INSERT at the
 * same concurrency on the same server. Every 200 must match a stored row. Then the ladder, and
 * what each layer costs in CPU against the budget the goal leaves.
 */
export async function benchIngest(ctx: RunContext): Promise<void> {
  const seconds = ctx.smoke ? 5 : 30;
  ctx.log(`== ingest: concurrency ${CONCURRENCY}, ${seconds} s, mix 50% posts / 30% commands / 20% chatter`);
  const pgbench = await withScratchDatabase('mulin_bench_pgbench', (db) =>
    pgbenchInsert(db.url, CONCURRENCY, ctx.smoke ? 5 : 20),
  );
  ctx.report.note(describePgbench('single-row INSERT', pgbench));
  const writes = await pgbenchCallbackWrites(ctx, ctx.smoke ? 5 : 20);
  ctx.report.note(describePgbench("running a callback's writes on Mulin's schema", writes));
  const service = await withBenchService(ctx, { name: 'ingest', slot: 1 }, (bench) =>
    loadService(ctx, bench, pgbench, seconds),
  );
  ctx.report.figure({
    name: "ingest throughput against the database doing a callback's writes alone (no goal)",
    value: service.throughput,
    unit: 'callbacks/s',
    baseline: { name: "pgbench, a callback's writes", value: writes.tps },
    note: `PostgreSQL CPU per callback: service ${service.cpu.postgres.toFixed(0)} µs, pgbench ${((writes.cpu.postgres / Math.max(1, writes.transactions)) * 1e6).toFixed(0)} µs`,
  });
  const rungs = await runLadder(ctx, pgbench);
  ctx.report.note(describeBudget(pgbench, rungs.get('verify')?.cpu, service.cpu));
}
