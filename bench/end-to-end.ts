import { botRequests, planMessages, type PlannedMessage } from './lib/callbacks';
import { runId, type RunContext } from './lib/context';
import { knownRequests, waitForOutbox } from './lib/desk-db';
import { closedLoop, openLoop } from './lib/http-load';
import { summarize } from './lib/report';
import { matchReplies } from './lib/reply-matching';
import { withBenchService } from './lib/service';
import { buildingIds } from './lib/street';

const RATE_PER_S = 50;

/**
 * End to end: a resident's callback in, the bot's reply out at the WeCom simulator, at a steady
 * 50 messages a second. Every message of the mix (post, command, chatter) gets exactly one reply
 * in its own group, and a group's messages leave in order, so the j-th reply a group's key
 * receives answers the j-th callback sent to that group; a post's receipt is checked by its marker.
 */
export async function benchEndToEnd(ctx: RunContext): Promise<void> {
  const { report } = ctx;
  const seconds = ctx.smoke ? 10 : 60;
  ctx.log(`== end to end: ${RATE_PER_S} messages/s for ${seconds} s, callback → reply at the simulator`);
  await withBenchService(ctx, { name: 'e2e', slot: 2 }, async ({ simulator, databaseUrl, target }) => {
    const warm = planMessages({
      count: ctx.smoke ? 300 : 1000,
      shape: ctx.shape,
      seed: 3,
      runId: `w${runId()}`,
      mix: { post: 1, command: 0, chatter: 0 },
    });
    await closedLoop({
      target,
      concurrency: 4,
      requests: botRequests(warm),
      durationMs: 120_000,
    });
    const left = await waitForOutbox(databaseUrl, 120_000);
    if (left > 0) report.note(`warm-up: ${left} outbox rows still pending`);
    simulator.reset();

    const count = RATE_PER_S * seconds;
    const buildings = ctx.shape.buildings;
    // One group after another: a group hears from the desk at most once every 20 s, far within
    // WeCom's 20 messages a minute, so no reply waits for the rate limit.
    const planned: PlannedMessage[] = planMessages({
      count,
      shape: ctx.shape,
      seed: 4,
      runId: runId(),
      known: await knownRequests(databaseUrl),
      buildingOf: (i) => i % buildings,
    });
    const sentAt = new Array<number>(count).fill(0);
    const run = await openLoop({
      target,
      ratePerS: RATE_PER_S,
      requests: botRequests(planned),
      onSend: (i, at) => (sentAt[i] = at),
    });
    const answered = run.sent.filter((s) => s.status === 200).sort((a, b) => a.index - b.index);
    const achieved = run.sent.length / (run.elapsedMs / 1000);
    try {
      await simulator.waitForMessages(answered.length, 60_000);
    } catch {
      // counted below
    }
    const { matched, unmatched, extra, wrongReceipt } = matchReplies(
      planned,
      answered.map((s) => s.index),
      simulator.messages(),
      (building) => buildingIds(building, ctx.shape).webhookKey,
    );
    const latencies = matched.map(({ index, reply }) => reply.at.getTime() - (sentAt[index] ?? 0));
    const summary = summarize(latencies);
    const callback = summarize(answered.map((s) => s.ms));
    report.figure({
      name: 'end-to-end p50 at 50 messages/s',
      value: summary.p50,
      unit: 'ms',
      goal: { op: '<=', value: 200 },
    });
    report.figure({
      name: 'end-to-end p99 at 50 messages/s',
      value: summary.p99,
      unit: 'ms',
      goal: { op: '<=', value: 1000 },
      note: `p90 ${summary.p90.toFixed(0)} ms, max ${summary.max.toFixed(0)} ms; callback answered in p50 ${callback.p50.toFixed(1)} ms, p99 ${callback.p99.toFixed(1)} ms; ${achieved.toFixed(1)} messages/s sent`,
    });
    report.check(
      'end to end: every callback answered 200',
      answered.length === count,
      `${answered.length} of ${count}`,
    );
    report.check(
      'end to end: every callback got exactly one reply, in order',
      unmatched === 0 && extra === 0 && wrongReceipt === 0,
      `${latencies.length} matched, ${unmatched} without a reply, ${extra} extra, ${wrongReceipt} receipts out of order`,
    );
  });
}
