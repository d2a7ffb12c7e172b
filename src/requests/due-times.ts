import type { ResponseClock } from '../ledger/schema';
import { durationToMinutes } from '../ledger/schema';

export type Priority = 'urgent' | 'normal';

export interface ClockSubject {
  readonly category: string;
  readonly priority: Priority;
  /** True for a repair of water, power, gas or heating. */
  readonly utility: boolean;
}

/**
 * The response clocks of the 接诉即办 practice, used where the ledger says nothing more specific:
 * urgent requests 30 minutes to acknowledge and 2 hours to resolve; repairs of water, power, gas or
 * heating 24 hours to resolve; everything else 24 hours to acknowledge and 7 days to resolve.
 */
export const DEFAULT_RESPONSE_CLOCKS: readonly ResponseClock[] = [
  { priority: 'urgent', acknowledge: '30m', resolve: '2h' },
  { category: 'repair', utility: true, resolve: '24h' },
  { acknowledge: '24h', resolve: '7d' },
];

function matches(rule: ResponseClock, s: ClockSubject): boolean {
  return (
    (rule.category === undefined || rule.category === s.category) &&
    (rule.priority === undefined || rule.priority === s.priority) &&
    (rule.utility === undefined || rule.utility === s.utility)
  );
}

/** Minutes to acknowledge and to resolve: the first rule (the ledger's, then the defaults) that sets each. */
export function responseClock(
  subject: ClockSubject,
  ledgerRules: readonly ResponseClock[] = [],
): { acknowledgeMinutes: number; resolveMinutes: number } {
  const rules = [...ledgerRules, ...DEFAULT_RESPONSE_CLOCKS].filter((r) => matches(r, subject));
  const ack = rules.find((r) => r.acknowledge !== undefined)?.acknowledge ?? '24h';
  const resolve = rules.find((r) => r.resolve !== undefined)?.resolve ?? '7d';
  return { acknowledgeMinutes: durationToMinutes(ack), resolveMinutes: durationToMinutes(resolve) };
}

export function dueTimes(
  subject: ClockSubject,
  createdAt: Date,
  ledgerRules: readonly ResponseClock[] = [],
): { ackDueAt: Date; resolveDueAt: Date } {
  const clock = responseClock(subject, ledgerRules);
  return {
    ackDueAt: new Date(createdAt.getTime() + clock.acknowledgeMinutes * 60_000),
    resolveDueAt: new Date(createdAt.getTime() + clock.resolveMinutes * 60_000),
  };
}

/** The clocks of a stored request (its utility kind, if any, counts only for repairs). */
export function requestClock(
  request: { readonly category: string; readonly priority: Priority; readonly utility: string | null },
  ledgerRules: readonly ResponseClock[] = [],
): { acknowledgeMinutes: number; resolveMinutes: number } {
  return responseClock(
    {
      category: request.category,
      priority: request.priority,
      utility: request.category === 'repair' && request.utility !== null,
    },
    ledgerRules,
  );
}
