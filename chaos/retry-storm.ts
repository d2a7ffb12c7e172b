import { botRequests } from '../bench/lib/callbacks';
import { runId, type RunContext } from '../bench/lib/context';
import { agentFor, post, type PostTarget, type Request } from '../bench/lib/http-load';
import { receiptsByMarker, waitUntilSent, withDesk } from './lib/desk';

/**
 * A retry storm: every callback delivered four times: twice at the same moment, one copy to each
 * of two instances on one database, then twice more, re-signed as a later retry would be, again to
 * both at once. Exactly one inbound row, one request and one receipt per callback may come of it.
 */
export async function chaosRetryStorm(ctx: RunContext): Promise<void> {
  const { report } = ctx;
  const count = ctx.smoke ? 200 : 1000;
  ctx.log(`== retry storm: ${count} callbacks × 4 deliveries, two instances`);
  await withDesk(ctx, { name: 'storm', instances: 2, slot: 10 }, async (desk) => {
    const id = runId();
    const planned = desk.plan(count, id, 11);
    const first = botRequests(planned);
    // WeCom signs each delivery anew: same message, fresh timestamp, nonce and signature.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const again = botRequests(planned);
    const targets: PostTarget[] = desk.instances.map((_, i) => desk.target(i));
    const agents = targets.map(() => agentFor(16));
    const statuses: Record<string, number> = {};
    const deliverPair = async (request: Request) => {
      const answers = await Promise.all(
        targets.map((target, t) => post(agents[t] ?? agentFor(1), target, request.path, request.body)),
      );
      for (const a of answers) {
        const key = a.status === 0 ? (a.error ?? 'no answer') : String(a.status);
        statuses[key] = (statuses[key] ?? 0) + 1;
      }
    };
    const started = Date.now();
    for (const round of [first, again]) {
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let i = next++; i < count; i = next++) {
            const request = round[i];
            if (request) await deliverPair(request);
          }
        }),
      );
    }
    for (const agent of agents) agent.destroy();
    const seconds = (Date.now() - started) / 1000;

    const counts = await waitUntilSent(desk.databaseUrl, id, ctx.smoke ? 60_000 : 180_000);
    const receipts = receiptsByMarker(desk.simulator.messages(), planned);
    const once = [...receipts.values()].filter((list) => list.length === 1).length;
    const twice = [...receipts.values()].filter((list) => list.length > 1).length;
    const deliveries = Object.values(statuses).reduce((a, b) => a + b, 0);
    report.note(`${deliveries} deliveries in ${seconds.toFixed(1)} s: ${JSON.stringify(statuses)}`);
    report.check(
      'retry storm: every delivery answered 200',
      statuses['200'] === deliveries,
      `${statuses['200'] ?? 0} of ${deliveries}`,
    );
    report.check(
      'retry storm: one inbound row, one request, one receipt row per callback',
      counts.inbound === count && counts.requests === count && counts.receipts === count,
      `${count} callbacks: ${counts.inbound} inbound rows, ${counts.requests} requests, ${counts.receipts} receipt rows`,
    );
    report.check(
      'retry storm: every receipt reached WeCom exactly once',
      once === count && twice === 0,
      `${once} once, ${twice} more than once, ${count - once - twice} missing (${counts.pending} pending, ${counts.failedOrDead} failed/dead)`,
    );
  });
}
