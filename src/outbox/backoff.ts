export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** WeCom blocks a key for the rest of the minute once its minute limit is hit (PROTOCOL.md 5.4). */
const RATE_LIMIT_BLOCK_MS = 60_000;

/**
 * Exponential backoff with "equal jitter": the delay doubles per attempt up to maxMs, and a random
 * half of it is added to the other half, so rows that failed together do not retry together, yet
 * none retries at once. A rate-limit refusal waits at least the minute out.
 *
 * @param attempt the attempt that just failed, from 1
 * @param random a number in [0, 1)
 */
export function backoffMs(
  attempt: number,
  errcode: number | undefined,
  policy: BackoffPolicy,
  random: () => number,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  const delay = Math.round(ceiling / 2 + random() * (ceiling / 2));
  return errcode === 45009 ? Math.max(delay, RATE_LIMIT_BLOCK_MS) : delay;
}
