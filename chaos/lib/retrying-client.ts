import type http from 'node:http';
import { agentFor, post, type PostTarget, type Request } from '../../bench/lib/http-load';

/**
 * WeCom's side of a delivery: send a callback, and send it again until it is answered 200 (WeCom
 * retries what it got no 200 for). Every attempt is recorded, so a case can check what was
 * answered while the service or its database was down.
 */
export interface Attempt {
  readonly index: number;
  readonly target: number;
  readonly status: number;
  readonly error?: string;
  /** Wall-clock time the attempt was sent and answered (ms since the epoch). */
  readonly sentAt: number;
  readonly answeredAt: number;
}

export interface DeliveryOptions {
  readonly targets: readonly PostTarget[];
  readonly requests: readonly Request[];
  /** Callbacks in flight at once. */
  readonly concurrency: number;
  /** Fixed pacing: at most this many first attempts a second (0: as fast as answered). */
  readonly ratePerS?: number;
  readonly retryDelayMs: number;
  /** Gives up on a callback after this long (then it counts as undelivered). */
  readonly deadlineMs: number;
  /** Which target an attempt goes to; default: attempt n goes to target (index + n) mod targets. */
  readonly pick?: (index: number, attempt: number) => number;
  readonly timeoutMs?: number;
}

export interface DeliveryResult {
  readonly attempts: Attempt[];
  /** Indexes that never got a 200. */
  readonly undelivered: number[];
}

export async function deliverUntilOk(options: DeliveryOptions): Promise<DeliveryResult> {
  const agents: http.Agent[] = options.targets.map(() => agentFor(options.concurrency));
  const attempts: Attempt[] = [];
  const undelivered: number[] = [];
  const started = Date.now();
  let next = 0;
  const pick =
    options.pick ?? ((index: number, attempt: number) => (index + attempt) % options.targets.length);
  const worker = async () => {
    for (;;) {
      const index = next++;
      const request = options.requests[index];
      if (!request) return;
      if (options.ratePerS) {
        const due = started + (index * 1000) / options.ratePerS;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      const giveUpAt = Date.now() + options.deadlineMs;
      for (let attempt = 0; ; attempt++) {
        const t = pick(index, attempt);
        const target = options.targets[t];
        const agent = agents[t];
        if (!target || !agent) throw new Error(`no target ${t}`);
        const sentAt = Date.now();
        const answer = await post(agent, target, request.path, request.body, options.timeoutMs ?? 30_000);
        attempts.push({
          index,
          target: t,
          status: answer.status,
          ...(answer.error === undefined ? {} : { error: answer.error }),
          sentAt,
          answeredAt: Date.now(),
        });
        if (answer.status === 200) break;
        if (Date.now() > giveUpAt) {
          undelivered.push(index);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs));
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  for (const agent of agents) agent.destroy();
  return { attempts, undelivered };
}

/** Attempts by outcome: "200", "503", "ECONNREFUSED", … */
export function outcomes(attempts: readonly Attempt[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of attempts) {
    const key = a.status === 0 ? (a.error ?? 'no answer') : String(a.status);
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

export function describeOutcomes(attempts: readonly Attempt[]): string {
  return Object.entries(outcomes(attempts))
    .map(([k, n]) => `${n}× ${k}`)
    .join(', ');
}
