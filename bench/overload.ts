import { botRequests, planMessages } from './lib/callbacks';
import { runId, sleep, type RunContext } from './lib/context';
import { cpuSnapshot, cpuUsed } from './lib/cpu';
import { wecomDeliveries, type Delivery } from './lib/http-load';
import { queryRows } from './lib/postgres';
import { summarize } from './lib/report';
import { withBenchService } from './lib/service';

/** WeCom's side of a callback (PROTOCOL.md §2.4): 5 s to answer, three attempts in all. */
const WECOM_TIMEOUT_MS = 5000;
const WECOM_ATTEMPTS = 3;
const RETRY_DELAY_MS = 1000;

/**
 * Overload: callbacks arriving faster than the service can commit them (several times its
 * capacity, for seconds), delivered as WeCom delivers them: an attempt not answered 200 within
 * 5 s is sent again, three attempts in all. WeCom gives up on what stays queued longer than that,
 * but the service must not: every message that reached it is stored once, however late (the bot
 * channel may not retry at all, PROTOCOL.md §3.8), a repeat of a message still queued costs no
 * second slot, and memory stays bounded. WeCom's side has 512 connections: an attempt that waits
 * past its 5 s for one of them never reaches the service, and a message none of whose attempts
 * did is counted apart (WeCom lost it, not Mulin). Figures: what WeCom saw, how fast the service stored
 * (from its first batch to its last), each side's CPU, and the service's peak memory.
 */
export async function benchOverload(ctx: RunContext): Promise<void> {
  const { report } = ctx;
  const seconds = ctx.smoke ? 4 : 10;
  const rate = ctx.smoke ? 1500 : 3000;
  ctx.log(`== overload: ${rate} callbacks/s for ${seconds} s, delivered and retried as WeCom does`);
  await withBenchService(ctx, { name: 'overload', slot: 8 }, async ({ service, databaseUrl, target }) => {
    const id = runId();
    const planned = planMessages({ count: rate * seconds, shape: ctx.shape, seed: 9, runId: id });
    const requests = botRequests(planned);
    let peakRss = service.rssMb();
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, service.rssMb());
    }, 200);
    const started = performance.now();
    const cpuBefore = cpuSnapshot([service.pid]);
    try {
      const run = await wecomDeliveries({
        target,
        ratePerS: rate,
        requests,
        timeoutMs: WECOM_TIMEOUT_MS,
        retryDelayMs: RETRY_DELAY_MS,
        maxAttempts: WECOM_ATTEMPTS,
        connections: 512,
      });
      // What WeCom gave up on may still be queued in the service: wait for the backlog to drain.
      const pattern = `bench-${id}-%`;
      // Wait for what reached the service: a message that never got a connection will not come.
      const reachedCount = run.deliveries.filter((d) => d.written > 0).length;
      const stored = await waitForStored(databaseUrl, pattern, reachedCount, 180_000);
      const drainedS = (performance.now() - started) / 1000;
      const cpu = cpuUsed(cpuBefore, cpuSnapshot([service.pid]));
      const share = (seconds: number) => `${((seconds / drainedS) * 100).toFixed(0)}%`;
      report.note(
        `CPU from the first send until the deliveries ended and what reached the service was stored (${drainedS.toFixed(1)} s): service ${share(cpu.service)}, ` +
          `PostgreSQL ${share(cpu.postgres)}, harness (WeCom's side and the simulator) ${share(cpu.harness)} of one core`,
      );
      const accepted = run.deliveries.filter((d) => d.status === 200);
      // WeCom's side of the wire: a message none of whose attempts got one of its connections in
      // time never reached the service. What did reach it must be stored.
      const reached = run.deliveries.filter((d) => d.written > 0);
      const storedOf = async (deliveries: readonly Delivery[]) => {
        const [row] = await queryRows<{ n: number }>(
          databaseUrl,
          `SELECT count(*)::int AS n FROM inbound_message WHERE msg_id = ANY($1::text[])`,
          [deliveries.map((d) => planned[d.index]?.msgid ?? '')],
        );
        return row?.n ?? 0;
      };
      const reachedStored = await storedOf(reached);
      const acceptedStored = await storedOf(accepted);
      describe(ctx, run.deliveries, {
        rate,
        seconds,
        drainedS,
        storingS: stored.storingS,
        peakRss,
        stored: stored.distinct,
      });
      report.check(
        'overload: every message that reached the service is stored, once (none lost, none twice)',
        reachedStored === reached.length && stored.inbound === stored.distinct,
        `${reached.length} of ${planned.length} messages reached it (an attempt written to a connection), ` +
          `${reachedStored} of them stored; ${stored.inbound} inbound rows for ${stored.distinct} messages`,
      );
      report.check(
        'overload: every message answered 200 is stored',
        acceptedStored === accepted.length,
        `${accepted.length} answered 200, ${acceptedStored} of them stored`,
      );
    } finally {
      clearInterval(sampler);
    }
  });
}

/** Polls until `expected` messages are stored or the count stops moving for 10 s (or the time is up). */
async function waitForStored(
  databaseUrl: string,
  pattern: string,
  expected: number,
  timeoutMs: number,
): Promise<{ inbound: number; distinct: number; storingS: number }> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let stillSince = Date.now();
  for (;;) {
    // storing_s: from the first batch to the last (each batch's rows carry its start time).
    const [row] = await queryRows<{ inbound: number; distinct: number; storing_s: number | null }>(
      databaseUrl,
      `SELECT count(*)::int AS inbound, count(DISTINCT msg_id)::int AS distinct,
              extract(epoch FROM max(processed_at) - min(processed_at))::float8 AS storing_s
         FROM inbound_message WHERE msg_id LIKE $1`,
      [pattern],
    );
    const counts = {
      inbound: row?.inbound ?? 0,
      distinct: row?.distinct ?? 0,
      storingS: row?.storing_s ?? 0,
    };
    if (counts.inbound !== last) stillSince = Date.now();
    last = counts.inbound;
    if (counts.inbound >= expected || Date.now() > deadline || Date.now() - stillSince > 10_000)
      return counts;
    await sleep(250);
  }
}

function describe(
  ctx: RunContext,
  deliveries: readonly Delivery[],
  run: {
    rate: number;
    seconds: number;
    drainedS: number;
    storingS: number;
    peakRss: number;
    stored: number;
  },
): void {
  const accepted = deliveries.filter((d) => d.status === 200);
  const firstTry = accepted.filter((d) => d.attempts === 1).length;
  const attempts = deliveries.reduce((sum, d) => sum + d.attempts, 0);
  const timedOut = deliveries.reduce((sum, d) => sum + d.timedOut, 0);
  const refused = deliveries.reduce((sum, d) => sum + d.refused, 0);
  const unwritten = attempts - deliveries.reduce((sum, d) => sum + d.written, 0);
  const neverSent = deliveries.filter((d) => d.written === 0).length;
  const latency = summarize(accepted.map((d) => d.ms ?? 0));
  const count = deliveries.length;
  // Not stored ÷ the time until the deliveries ended: that time ends with WeCom's last retries
  // timing out, which may be long after the service stored all it was given. A batch's rows carry
  // its start, so the span leaves out the last batch: too short a span to say much falls back.
  const storingS = run.storingS >= 1 ? run.storingS : run.drainedS;
  ctx.report.figure({
    name: 'overload: messages stored per second, from the first batch to the last',
    value: run.stored / storingS,
    unit: 'messages/s',
    note: `${count} messages offered at ${run.rate}/s over ${run.seconds} s; ${run.stored} stored in ${storingS.toFixed(1)} s; deliveries over and backlog stored ${run.drainedS.toFixed(1)} s after the first send`,
  });
  ctx.report.figure({
    name: 'overload: messages WeCom saw answered 200 (within its 5 s, in 3 attempts)',
    value: (accepted.length / count) * 100,
    unit: '%',
    note: `${accepted.length} of ${count} (${firstTry} at the first attempt); ${attempts} attempts: ${timedOut} unanswered within 5 s (${unwritten} of them never got a connection), ${refused} answered otherwise; ${neverSent} messages never got a connection in any attempt; 200s p50 ${latency.p50.toFixed(0)} ms, p99 ${latency.p99.toFixed(0)} ms`,
  });
  ctx.report.figure({
    name: 'overload: service peak RSS',
    value: run.peakRss,
    unit: 'MB',
  });
}
