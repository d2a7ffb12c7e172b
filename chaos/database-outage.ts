import { botRequests } from '../bench/lib/callbacks';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runId, sleep, type RunContext } from '../bench/lib/context';
import { adminQuery, withDatabase } from '../bench/lib/postgres';
import { portFor } from '../bench/lib/service';
import { Desk, markerOf, receiptsByMarker, waitUntilSent, withDesk } from './lib/desk';
import { PrivatePostgres } from './lib/private-postgres';
import { judgeOutages, RECOVERY_MS, WECOM_TIMEOUT_MS, type Outage } from './lib/outage-verdict';
import { deliverUntilOk, describeOutcomes, type Attempt } from './lib/retrying-client';

/** Each attempt as "503 sent N ms after restart i, answered M ms later", to tell why it failed. */
function describeLate(attempts: readonly Attempt[], outages: readonly Outage[]): string {
  return attempts
    .slice(0, 10)
    .map((a) => {
      const i = outages.findLastIndex((o) => o.upAt <= a.sentAt);
      const next = outages[i + 1];
      const sinceUp = a.sentAt - (outages[i]?.upAt ?? 0);
      const beforeStop = next ? `, ${next.stoppingAt - a.sentAt} ms before the next stop` : '';
      return `${a.status || a.error} sent ${sinceUp} ms after restart ${i + 1}${beforeStop}, answered in ${a.answeredAt - a.sentAt} ms`;
    })
    .join('; ');
}

/** Polls /healthz every 100 ms from `from` until it answers 200; returns that moment. */
async function healthyAgain(url: string, from: number, timeoutMs: number): Promise<number> {
  while (Date.now() < from + timeoutMs) {
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return Date.now();
    } catch {
      // not yet
    }
    await sleep(100);
  }
  return Number.NaN;
}

interface OutageStep {
  /** When to stop the server, in ms from the start of the load. */
  readonly at: number;
  readonly mode: 'fast' | 'immediate';
  readonly downMs: number;
}

/**
 * Stops and restarts `pg` as `steps` say, from `started` on, and waits after each restart for
 * the service at `serviceUrl` to be healthy again (the moment, or NaN: not within 30 s).
 */
async function restartOnSchedule(
  pg: PrivatePostgres,
  steps: readonly OutageStep[],
  started: number,
  serviceUrl: string,
): Promise<{ outages: Outage[]; recoveries: number[] }> {
  const outages: Outage[] = [];
  const recoveries: number[] = [];
  for (const step of steps) {
    await sleep(Math.max(0, started + step.at - Date.now()));
    const stoppingAt = Date.now();
    await pg.stop(step.mode);
    const downAt = Date.now();
    await sleep(step.downMs);
    const startingAt = Date.now();
    await pg.start();
    const upAt = Date.now();
    outages.push({ mode: step.mode, stoppingAt, downAt, startingAt, upAt });
    recoveries.push(await healthyAgain(serviceUrl, upAt, 30_000));
  }
  return { outages, recoveries };
}

/** Posts at a steady rate while `pg` is restarted under them, then the checks (see chaosDatabaseOutage). */
async function restartsUnderLoad(
  ctx: RunContext,
  pg: PrivatePostgres,
  desk: Desk,
  load: { readonly count: number; readonly rate: number },
): Promise<void> {
  const { report } = ctx;
  const { count, rate } = load;
  const id = runId();
  const planned = desk.plan(count, id, 31);
  const steps: OutageStep[] = ctx.smoke
    ? [{ at: 4000, mode: 'fast', downMs: 4000 }]
    : [
        { at: 8000, mode: 'fast', downMs: 10_000 },
        { at: 35_000, mode: 'immediate', downMs: 5000 },
      ];
  const chaos = restartOnSchedule(pg, steps, Date.now(), desk.instance().url);
  const delivery = await deliverUntilOk({
    targets: [desk.target()],
    requests: botRequests(planned),
    concurrency: 16,
    ratePerS: rate,
    retryDelayMs: 250,
    deadlineMs: 120_000,
    timeoutMs: 15_000,
  });
  const { outages, recoveries } = await chaos;

  const verdict = judgeOutages(delivery.attempts, outages);
  const { inOutage, firstOk, failedAfterRecovery } = verdict;
  const healthy = recoveries.map((at, i) => at - (outages[i]?.upAt ?? 0));

  const counts = await waitUntilSent(desk.databaseUrl, id, 200_000);
  const receipts = receiptsByMarker(desk.simulator.messages(), planned);
  const missing = planned.filter((m) => (receipts.get(markerOf(m)) ?? []).length === 0).length;
  const twice = [...receipts.values()].filter((list) => list.length > 1);
  // Sent while the database was going down: the send happened, recording it failed, so the
  // row is sent again after its lease (the at-least-once window, widened by the outage).
  const acrossOutage = twice.filter((list) => {
    const first = list[0]?.at.getTime() ?? 0;
    return outages.some((o) => first >= o.stoppingAt - 2000 && first <= o.upAt);
  }).length;

  report.note(
    `outages: ${outages.map((o) => `${o.mode} stop (${o.downAt - o.stoppingAt} ms), down ${((o.startingAt - o.downAt) / 1000).toFixed(1)} s, start ${o.upAt - o.startingAt} ms`).join('; ')}; attempts: ${describeOutcomes(delivery.attempts)}`,
  );
  report.check(
    'database outage: answered 503 at once while PostgreSQL was down, never 200',
    verdict.refusedWhileDown,
    `${inOutage.length} attempts sent during the outages: ${describeOutcomes(inOutage)}; slowest answer ${verdict.slowestWhileDown} ms (WeCom waits ${WECOM_TIMEOUT_MS} ms)`,
  );
  report.check(
    'database outage: recovered by itself within 5 s of PostgreSQL accepting connections, for good',
    verdict.recovered && healthy.every((ms) => ms <= RECOVERY_MS),
    `first 200 after ${firstOk.map((ms) => `${ms} ms`).join(', ')}; /healthz 200 after ${healthy.map((ms) => `${ms} ms`).join(', ')}; from 5 s after each restart, ${failedAfterRecovery.length} attempts not answered 200${failedAfterRecovery.length > 0 ? ` (${describeLate(failedAfterRecovery, outages)})` : ''}`,
  );
  report.check(
    'database outage: every callback stored once (no 200 without a commit)',
    delivery.undelivered.length === 0 &&
      counts.inbound === count &&
      counts.requests === count &&
      counts.receipts === count,
    `${count - delivery.undelivered.length} of ${count} answered 200; ${counts.inbound} inbound rows, ${counts.requests} requests, ${counts.receipts} receipt rows`,
  );
  report.check(
    'database outage: every receipt sent, none twice except one sent as the database went down',
    missing === 0 && twice.length === acrossOutage && counts.failedOrDead === 0,
    `${missing} missing, ${twice.length} sent twice (${acrossOutage} of them sent as the database went down)`,
  );
}

/**
 * PostgreSQL restarted under load, on a server of the run's own: a clean stop and, in the full
 * run, a crash (immediate stop, WAL recovery at start). While it is down callbacks must be answered
 * 503 (WeCom retries them), never 200; once it is back the service must answer 200 again within
 * 5 s by itself; nothing answered 200 may be missing afterwards.
 */
export async function chaosDatabaseOutage(ctx: RunContext): Promise<void> {
  const seconds = ctx.smoke ? 16 : 60;
  const rate = 40;
  const count = seconds * rate;
  ctx.log(`== PostgreSQL restarted under load: ${count} posts at ${rate}/s on a private server`);
  const pg = new PrivatePostgres(portFor(30));
  try {
    await pg.init();
    await adminQuery(pg.url, 'CREATE DATABASE mulin_chaos');
    const databaseUrl = withDatabase(pg.url, 'mulin_chaos');
    await withDesk(ctx, { name: 'db-outage', instances: 1, slot: 31, databaseUrl }, (desk) =>
      restartsUnderLoad(ctx, pg, desk, { count, rate }),
    );
  } finally {
    // Kept for the log scan: the server's log may hold statements, and they must carry no key.
    writeFileSync(path.join(ctx.workDir, 'db-outage-postgres.log'), pg.log());
    await pg.destroy();
  }
}
