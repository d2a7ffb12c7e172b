import { botRequests } from '../bench/lib/callbacks';
import { runId, sleep, type RunContext } from '../bench/lib/context';
import type { SimulatedMessage } from '../src/wecom/simulator';
import { markerOf, receiptsByMarker, waitUntilSent, withDesk } from './lib/desk';
import { deliverUntilOk, describeOutcomes } from './lib/retrying-client';

/** How long after WeCom accepted a message a kill can still leave it unrecorded (send → settle). */
const SEND_WINDOW_MS = 2000;
/** The outbox worker's default lease (src/outbox/outbox-worker.ts), which the service runs with. */
const OUTBOX_LEASE_MS = 120_000;

/**
 * Receipts sent more than once, told apart: explained when a kill fell within SEND_WINDOW_MS after
 * the first copy was accepted, the one way the outbox admits a duplicate, and the next copy came
 * too late for anything but the first row's lease running out (`leaseMs`, src/outbox): half the
 * lease is a wide margin for the time between the claim and the send. Any other repeat is a bug.
 */
export function judgeDuplicates(
  receipts: ReadonlyMap<string, readonly SimulatedMessage[]>,
  kills: readonly number[],
  leaseMs: number,
): { explained: number; unexplained: number } {
  let explained = 0;
  let unexplained = 0;
  for (const got of receipts.values()) {
    if (got.length < 2) continue;
    const times = got.map((m) => m.at.getTime()).sort((a, b) => a - b);
    const acrossKill = times.slice(1).every((at, i) => {
      const first = times[i] ?? 0;
      return at - first >= leaseMs / 2 && kills.some((k) => k >= first - 50 && k <= first + SEND_WINDOW_MS);
    });
    if (acrossKill) explained++;
    else unexplained++;
  }
  return { explained, unexplained };
}

/**
 * SIGKILL at random moments under load, restarted at once, while the client retries whatever got
 * no 200. Every message must be stored once and every receipt sent. A receipt sent twice is
 * allowed only where a kill fell between WeCom accepting it and the row being marked sent, the one
 * duplicate the outbox design admits (WeCom's webhook has no idempotency key).
 */
export async function chaosSigkill(ctx: RunContext): Promise<void> {
  const { report } = ctx;
  const count = ctx.smoke ? 300 : 3000;
  const rate = ctx.smoke ? 30 : 50;
  ctx.log(`== SIGKILL under load: ${count} posts at ${rate}/s, the service killed at random and restarted`);
  await withDesk(ctx, { name: 'sigkill', instances: 1, slot: 20 }, async (desk) => {
    const service = desk.instance();
    const id = runId();
    const planned = desk.plan(count, id, 21);
    const kills: number[] = [];
    const restartsMs: number[] = [];
    // An object, so TypeScript does not narrow the flag the delivery below clears.
    const state = { loading: true };
    const isLoading = () => state.loading;
    const killer = (async () => {
      await sleep(1000);
      while (state.loading) {
        await sleep(1500 + Math.random() * 3000);
        // Read through a function: TypeScript keeps the loop's narrowing across the await.
        if (!isLoading()) break;
        kills.push(Date.now());
        await service.killHard();
        restartsMs.push(await service.start());
      }
    })();
    const delivery = await deliverUntilOk({
      targets: [desk.target()],
      requests: botRequests(planned),
      concurrency: 16,
      ratePerS: rate,
      retryDelayMs: 200,
      deadlineMs: 120_000,
      timeoutMs: 10_000,
    });
    state.loading = false;
    await killer;

    // A row claimed by a killed instance waits out its lease (120 s) before another worker takes it.
    const counts = await waitUntilSent(desk.databaseUrl, id, 200_000);
    const receipts = receiptsByMarker(desk.simulator.messages(), planned);
    const missing = planned.filter((m) => (receipts.get(markerOf(m)) ?? []).length === 0).length;
    const { explained, unexplained } = judgeDuplicates(receipts, kills, OUTBOX_LEASE_MS);
    report.note(
      `${kills.length} kills, restarts ready in ${restartsMs.map((ms) => ms.toFixed(0)).join(', ')} ms; attempts: ${describeOutcomes(delivery.attempts)}`,
    );
    report.check(
      'SIGKILL: the service was killed under load',
      kills.length > 0 && restartsMs.length === kills.length,
      `${kills.length} kills, ${restartsMs.length} restarts`,
    );
    report.check(
      'SIGKILL: every callback eventually answered 200',
      delivery.undelivered.length === 0,
      `${count - delivery.undelivered.length} of ${count}`,
    );
    report.check(
      'SIGKILL: every message stored once, as one request with one receipt row',
      counts.inbound === count && counts.requests === count && counts.receipts === count,
      `${counts.inbound} inbound rows, ${counts.requests} requests, ${counts.receipts} receipt rows for ${count} messages`,
    );
    report.check(
      'SIGKILL: every receipt sent, none twice except across a kill mid-send',
      missing === 0 && unexplained === 0 && counts.failedOrDead === 0,
      `${count - missing} sent, ${missing} missing (${counts.pending} still pending), ${explained} sent twice across a kill mid-send, ${unexplained} sent twice otherwise`,
    );
  });
}
