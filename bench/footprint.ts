import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { WecomSimulator } from '../src/wecom/simulator';
import { botRequests, planMessages } from './lib/callbacks';
import { runId, sleep, type RunContext } from './lib/context';
import { prepareDatabase } from './lib/desk-db';
import { closedLoop } from './lib/http-load';
import { createScratchDatabase } from './lib/postgres';
import { summarize } from './lib/report';
import { portFor, ServiceProcess } from './lib/service';

/** Sends some traffic so the idle figure includes a loaded ledger, warm pools and compiled code. */
async function traffic(ctx: RunContext, service: ServiceProcess, count: number, concurrency: number) {
  const planned = planMessages({ count, shape: ctx.shape, seed: 5, runId: runId() });
  const run = await closedLoop({
    target: { host: '127.0.0.1', port: service.options.port },
    concurrency,
    requests: botRequests(planned),
    durationMs: 300_000,
  });
  return run.sent.filter((s) => s.status === 200).length;
}

/**
 * RSS over a lull: read every 5 s for the window; the last reading is the idle figure (V8 shrinks
 * its heap once its memory reducer sees the lull, some 20–70 s in), with when it first got there.
 */
async function idleRss(service: ServiceProcess, windowMs: number): Promise<{ mb: number; settledS: number }> {
  const readings: number[] = [service.rssMb()];
  for (let t = 5000; t <= windowMs; t += 5000) {
    await sleep(5000);
    readings.push(service.rssMb());
  }
  const mb = readings[readings.length - 1] ?? Number.NaN;
  const first = readings.findIndex((r) => Math.abs(r - mb) < 2);
  return { mb, settledS: first * 5 };
}

/**
 * Start to ready, and the resident memory of an idle service: right after start, and after a burst
 * of traffic once V8 has shrunk its heap (its memory reducer acts some 25 s into a lull; until then
 * the garbage of the burst is still counted). On PostgreSQL with the 1,000-building ledger already
 * imported; on the embedded database with the ledger imported at start (MULIN_LEDGER), as a trial
 * would, both on the start that creates the database and on a later one that reopens it.
 */
export async function benchFootprint(ctx: RunContext): Promise<void> {
  const { report } = ctx;
  const idleMs = ctx.smoke ? 10_000 : 90_000;
  const starts = ctx.smoke ? 2 : 5;
  ctx.log(`== footprint: start to ready (${starts} starts) and idle RSS, PostgreSQL and embedded`);
  const simulator = new WecomSimulator({ acceptAnyWebhookKey: true });
  await simulator.start();
  const db = await createScratchDatabase('mulin_bench_footprint');
  try {
    await prepareDatabase(db.url, ctx.ledger);
    const service = new ServiceProcess({
      port: portFor(3),
      databaseUrl: db.url,
      apiBase: simulator.url,
      logFile: path.join(ctx.workDir, 'footprint-postgres.log'),
      entry: ctx.entry,
    });
    const readyMs: number[] = [];
    let afterStart = 0;
    let peak = 0;
    let idle = { mb: 0, settledS: 0 };
    for (let i = 0; i < starts; i++) {
      readyMs.push(await service.start());
      if (i === 0) {
        await sleep(3000);
        afterStart = service.rssMb();
        const ok = await traffic(ctx, service, ctx.smoke ? 1000 : 3000, 8);
        peak = service.rssMb();
        idle = await idleRss(service, idleMs);
        report.note(`PostgreSQL: ${ok} callbacks before the idle reading`);
      }
      await service.stop();
    }
    const ready = summarize(readyMs);
    report.figure({
      name: 'start to ready on PostgreSQL',
      value: ready.max,
      unit: 'ms',
      goal: { op: '<=', value: 3000 },
      note: `worst of ${starts}; median ${ready.p50.toFixed(0)} ms`,
    });
    report.figure({
      name: 'idle RSS on PostgreSQL',
      value: Math.max(afterStart, idle.mb),
      unit: 'MB',
      goal: { op: '<=', value: 150 },
      note: `${afterStart.toFixed(0)} MB after start; ${peak.toFixed(0)} MB as the traffic ended, ${idle.mb.toFixed(0)} MB from ${idle.settledS} s into the lull`,
    });

    const ledgerFile = path.join(ctx.workDir, 'ledger.json');
    writeFileSync(ledgerFile, JSON.stringify(ctx.ledger));
    const embedded = new ServiceProcess({
      port: portFor(4),
      dataDir: path.join(ctx.workDir, 'embedded'),
      apiBase: simulator.url,
      logFile: path.join(ctx.workDir, 'footprint-embedded.log'),
      entry: ctx.entry,
      env: { MULIN_LEDGER: ledgerFile },
    });
    const created = await embedded.start(120_000);
    const createdOk = await traffic(ctx, embedded, ctx.smoke ? 100 : 500, 2);
    const createdIdle = ctx.smoke ? { mb: embedded.rssMb(), settledS: 0 } : await idleRss(embedded, idleMs);
    await embedded.stop();
    const reopened = await embedded.start(120_000);
    await sleep(3000);
    const reopenedStart = embedded.rssMb();
    const reopenedOk = await traffic(ctx, embedded, ctx.smoke ? 200 : 1000, 2);
    const reopenedIdle = await idleRss(embedded, idleMs);
    await embedded.stop();
    report.figure({
      name: 'idle RSS on the embedded database',
      value: Math.max(reopenedStart, reopenedIdle.mb),
      unit: 'MB',
      goal: { op: '<=', value: 300 },
      note: `reopened: ${reopenedStart.toFixed(0)} MB after start, ${reopenedIdle.mb.toFixed(0)} MB idle after ${reopenedOk} callbacks; the start that created the database: ${createdIdle.mb.toFixed(0)} MB ${ctx.smoke ? 'right after' : 'idle after'} ${createdOk} callbacks`,
    });
    report.figure({
      name: 'start to ready on the embedded database',
      value: reopened,
      unit: 'ms',
      note: `reopening, with the ledger file; the first start, which creates the database, took ${created.toFixed(0)} ms`,
    });
  } finally {
    await simulator.stop();
    await db.drop();
  }
}
