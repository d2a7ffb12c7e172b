import { spawn } from 'node:child_process';
import path from 'node:path';
import { WecomSimulator } from '../src/wecom/simulator';
import { encryptAll, planMessages, type PlannedMessage } from './lib/callbacks';
import { runId, type RunContext } from './lib/context';
import { cpuSnapshot, cpuUsed } from './lib/cpu';
import { knownRequests, prepareDatabase } from './lib/desk-db';
import { closedLoop, type Request } from './lib/http-load';
import { createScratchDatabase, pgbenchInsert, queryRows } from './lib/postgres';
import { summarize } from './lib/report';
import { portFor, ROOT, ServiceProcess, serviceEnv } from './lib/service';

const CONCURRENCY = 8;

type Rung = 'http' | 'verify' | 'store';
const RUNGS: Record<Rung, string> = {
  http: "Node's HTTP server alone (read the body, answer 200)",
  verify: '+ signature, decryption and parsing (no database)',
  store: "+ Mulin's intake: the message stored once, in its own transaction (no desk, no outbox)",
};

/** Runs one rung of the ladder (floor-server.ts) in its own process and loads it like the service. */
async function measureRung(
  ctx: RunContext,
  rung: Rung,
  databaseUrl: string,
  seconds: number,
): Promise<{ throughput: number; p99: number; ok: number }> {
  const port = portFor(5);
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
    const planned = planMessages({ count: 200_000, shape: ctx.shape, seed: 7, runId: `l${rung}${runId()}` });
    const requests = requestsOf(planned);
    const target = { host: '127.0.0.1', port };
    await closedLoop({
      target,
      concurrency: CONCURRENCY,
      requests: requests.slice(0, 2000),
      durationMs: 3000,
    });
    const run = await closedLoop({
      target,
      concurrency: CONCURRENCY,
      requests: requests.slice(2000),
      durationMs: seconds * 1000,
    });
    const ok = run.sent.filter((r) => r.status === 200);
    return {
      throughput: ok.length / (run.elapsedMs / 1000),
      p99: summarize(ok.map((r) => r.ms)).p99,
      ok: ok.length,
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

function requestsOf(messages: readonly PlannedMessage[]): Request[] {
  return encryptAll(messages, Math.floor(Date.now() / 1000)).map((s) => ({
    path: `/wecom/bot?${s.query}`,
    body: s.body,
  }));
}

/**
 * Ingest: callbacks in the mix at a fixed concurrency of 8, each answered 200 only after
 * its message, request and outbox rows are committed; against pgbench's single-row INSERT at the
 * same concurrency on the same server. Every 200 must match a stored row.
 */
export async function benchIngest(ctx: RunContext): Promise<void> {
  const { report } = ctx;
  const seconds = ctx.smoke ? 5 : 30;
  ctx.log(`== ingest: concurrency ${CONCURRENCY}, ${seconds} s, mix 50% posts / 30% commands / 20% chatter`);

  const pgbenchDb = await createScratchDatabase('mulin_bench_pgbench');
  let pgbench;
  try {
    pgbench = await pgbenchInsert(pgbenchDb.url, CONCURRENCY, ctx.smoke ? 5 : 20);
  } finally {
    await pgbenchDb.drop();
  }
  report.note(
    `pgbench single-row INSERT, ${CONCURRENCY} clients: ${pgbench.tps.toFixed(0)} tps, p99 ${pgbench.p99Ms.toFixed(1)} ms`,
  );

  const db = await createScratchDatabase('mulin_bench_ingest');
  const simulator = new WecomSimulator({ acceptAnyWebhookKey: true });
  await simulator.start();
  const service = new ServiceProcess({
    port: portFor(1),
    databaseUrl: db.url,
    apiBase: simulator.url,
    logFile: path.join(ctx.workDir, 'ingest-service.log'),
    entry: ctx.entry,
  });
  try {
    await prepareDatabase(db.url, ctx.ledger);
    await service.start();
    const target = { host: '127.0.0.1', port: service.options.port };

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
      requests: requestsOf(warm),
      durationMs: 120_000,
    });
    const warmFailures = warmed.sent.filter((s) => s.status !== 200).length;
    if (warmFailures > 0) report.note(`warm-up: ${warmFailures} of ${warmed.sent.length} not answered 200`);

    const known = await knownRequests(db.url);
    const id = runId();
    // More than the run can send: the client stops at the deadline.
    const planned = planMessages({
      count: ctx.smoke ? 20_000 : 120_000,
      shape: ctx.shape,
      seed: 2,
      runId: id,
      known,
    });
    const requests = requestsOf(planned);
    const before = cpuSnapshot([service.pid]);
    const run = await closedLoop({ target, concurrency: CONCURRENCY, requests, durationMs: seconds * 1000 });
    const cpu = cpuUsed(before, cpuSnapshot([service.pid]));

    const batches = await intakeBatches(target);
    const ok = run.sent.filter((s) => s.status === 200);
    const others = run.sent.length - ok.length;
    const throughput = ok.length / (run.elapsedMs / 1000);
    const latency = summarize(ok.map((s) => s.ms));
    const [stored] = await queryRows<{ inbound: number; outbox: number; requests: number }>(
      db.url,
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
      baseline: { name: 'pgbench INSERT', value: pgbench.tps, goalRatio: { op: '>=', value: 0.5 } },
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
  } finally {
    await service.stop();
    await simulator.stop();
    await db.drop();
  }

  // Where the time goes: the same load on the service cut down to one layer at a time.
  const ladderDb = await createScratchDatabase('mulin_bench_ladder');
  try {
    await prepareDatabase(ladderDb.url, ctx.ledger);
    for (const rung of Object.keys(RUNGS) as Rung[]) {
      const r = await measureRung(ctx, rung, ladderDb.url, ctx.smoke ? 3 : 10);
      report.figure({
        name: `ingest ladder: ${RUNGS[rung]}`,
        value: r.throughput,
        unit: 'callbacks/s',
        baseline: { name: 'pgbench INSERT', value: pgbench.tps },
        note: `p99 ${r.p99.toFixed(1)} ms`,
      });
    }
  } finally {
    await ladderDb.drop();
  }
}
