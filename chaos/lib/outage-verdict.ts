import type { Attempt } from './retrying-client';

export interface Outage {
  readonly mode: 'fast' | 'immediate';
  /** When the stop was asked for (epoch ms): transactions may still commit until it is done. */
  readonly stoppingAt: number;
  /** From when the server was down to when it was asked to start again: nothing can commit. */
  readonly downAt: number;
  readonly startingAt: number;
  /** When pg_ctl saw it accept connections again. */
  readonly upAt: number;
}

export interface OutageVerdict {
  /** Attempts sent while the server was down. */
  readonly inOutage: readonly Attempt[];
  /**
   * Each was answered 503 before WeCom would give up on it, never 200 while the server was down
   * (a 200 after the restart, for an attempt sent just before it, may be a real commit).
   */
  readonly refusedWhileDown: boolean;
  readonly slowestWhileDown: number;
  /** Per outage: ms from the server accepting connections to the first 200 sent after it. */
  readonly firstOk: readonly number[];
  /** Attempts sent from RECOVERY_MS after a restart, and answered before the next stop, not 200. */
  readonly failedAfterRecovery: readonly Attempt[];
  /** The service answered 200 again within 5 s of each restart, and every callback from then on. */
  readonly recovered: boolean;
}

/** The service must be answering again within this long of PostgreSQL accepting connections. */
export const RECOVERY_MS = 5000;
/** WeCom gives up on a callback after this long (PROTOCOL.md): a slower answer is a hang. */
export const WECOM_TIMEOUT_MS = 5000;

/** What the attempts of a load show about the outages under it. */
export function judgeOutages(attempts: readonly Attempt[], outages: readonly Outage[]): OutageVerdict {
  // Sent while down, however late the answer came: a callback held until the server is back is
  // a hang, not an attempt to leave out.
  const sentWhileDown = (a: Attempt, o: Outage) => a.sentAt >= o.downAt && a.sentAt < o.startingAt;
  const inOutage = attempts.filter((a) => outages.some((o) => sentWhileDown(a, o)));
  const wrong = inOutage.filter((a) => {
    const o = outages.find((x) => sentWhileDown(a, x));
    if (!o || a.answeredAt - a.sentAt > WECOM_TIMEOUT_MS) return true;
    return !(a.status === 503 || (a.status === 200 && a.answeredAt >= o.startingAt));
  });
  const firstOk = outages.map((o) => {
    const ok = attempts.filter((a) => a.status === 200 && a.sentAt >= o.upAt);
    return Math.min(...ok.map((a) => a.answeredAt)) - o.upAt;
  });
  // Answered before the next stop was asked for: an attempt still open then may meet the stop.
  const failedAfterRecovery = attempts.filter((a) =>
    outages.some((o, i) => {
      const until = outages[i + 1]?.stoppingAt ?? Infinity;
      return a.sentAt >= o.upAt + RECOVERY_MS && a.answeredAt < until && a.status !== 200;
    }),
  );
  return {
    inOutage,
    refusedWhileDown: inOutage.length > 0 && wrong.length === 0,
    slowestWhileDown: Math.max(0, ...inOutage.map((a) => a.answeredAt - a.sentAt)),
    firstOk,
    failedAfterRecovery,
    recovered: firstOk.every((ms) => ms <= RECOVERY_MS) && failedAfterRecovery.length === 0,
  };
}
