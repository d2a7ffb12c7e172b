import type { Context } from 'koa';
import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../../shared/clock';
import type { Logger } from '../../shared/logger';
import { addressKey, requestClientAddress, TrustedProxies } from '../client-address';

/** Failures count over this sliding window. */
export const SIGN_IN_WINDOW_MINUTES = 15;
/** From one client address (an IPv6 client's /64): far more than a person mistyping makes. */
export const FAILURES_PER_ADDRESS = 10;
/** From every address together: bounds guessing spread over many addresses. */
export const FAILURES_IN_ALL = 100;

const WINDOW_MS = SIGN_IN_WINDOW_MINUTES * 60_000;
/** Mulin's advisory lock classes: 0x4d4c the scheduler, 0x4d4d the schema, 0x4d53 sign-ins. */
const SIGN_IN_LOCK_CLASS = 0x4d53;

export type SignInVerdict =
  | { readonly outcome: 'right' }
  /** `tripped`: the limit this failure reached, if any (worth one warning, not one per attempt). */
  | { readonly outcome: 'wrong'; readonly address: string; readonly tripped: 'address' | 'everyone' | null }
  | { readonly outcome: 'refused'; readonly retryAfterS: number };

interface Counts {
  readonly mine: number;
  readonly everyone: number;
  readonly mine_first: Date | string | null;
  readonly first: Date | string | null;
}

/**
 * Limits how often the admin token can be tried: in the sign-in form and as a bearer token.
 * Failures are rows in PostgreSQL (sign_in_failure), so every instance counts them alike. Past a
 * limit every attempt is refused, the right token too, until the window lets go of the oldest
 * failure: a guess answered only when wrong would tell the right one. Signed-in sessions are not
 * touched, so guessing from outside can keep new sign-ins out for a while, never anyone signed in.
 */
export class SignInThrottle {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly trustedProxies: TrustedProxies = new TrustedProxies([]),
  ) {}

  /**
   * Tries a token (`isRight`, a constant-time comparison) for the request's client unless its
   * address, or everyone, failed too often; a wrong one is counted. Attempts take turns under a
   * transaction's advisory lock, across instances, so that guesses sent at once cannot each see
   * the count before the others are added to it; refusals are decided before the token is looked
   * at, so how long one takes says nothing about the token either. `record` is called in the same
   * transaction with what the attempt came to (the audit log's entry), unless it was refused.
   */
  async attempt(
    ctx: Context,
    isRight: () => boolean,
    record?: (tx: EntityManager, outcome: 'right' | 'wrong') => Promise<void>,
  ): Promise<SignInVerdict> {
    const address = addressKey(requestClientAddress(ctx.req, this.trustedProxies));
    const now = this.clock.now();
    const since = new Date(now.getTime() - WINDOW_MS);
    return this.dataSource.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock($1::int, 0)`, [SIGN_IN_LOCK_CLASS]);
      const [counts] = await tx.query<Counts[]>(
        `SELECT count(*) FILTER (WHERE address = $1)::int AS mine, count(*)::int AS everyone,
                min(at) FILTER (WHERE address = $1) AS mine_first, min(at) AS first
           FROM sign_in_failure WHERE at > $2`,
        [address, since],
      );
      const mine = counts?.mine ?? 0;
      const everyone = counts?.everyone ?? 0;
      // Open again when the oldest failure counted against each limit reached leaves the window.
      const reopens = Math.max(
        mine >= FAILURES_PER_ADDRESS ? reopening(counts?.mine_first) : 0,
        everyone >= FAILURES_IN_ALL ? reopening(counts?.first) : 0,
      );
      if (reopens > now.getTime()) {
        return { outcome: 'refused', retryAfterS: Math.ceil((reopens - now.getTime()) / 1000) };
      }
      if (isRight()) {
        await record?.(tx, 'right');
        return { outcome: 'right' };
      }
      // Failures out of the window go as new ones come: the table holds one window's worth at most.
      await tx.query(`DELETE FROM sign_in_failure WHERE at <= $1`, [since]);
      await tx.query(`INSERT INTO sign_in_failure (address, at) VALUES ($1, $2)`, [address, now]);
      await record?.(tx, 'wrong');
      const tripped =
        mine + 1 === FAILURES_PER_ADDRESS ? 'address' : everyone + 1 === FAILURES_IN_ALL ? 'everyone' : null;
      return { outcome: 'wrong', address, tripped };
    });
  }
}

function reopening(first: Date | string | null | undefined): number {
  return first ? new Date(first).getTime() + WINDOW_MS : 0;
}

/** 「尝试太多，请15分钟后再试」: whole minutes, rounded up, at least one. */
export function tooManyMessage(retryAfterS: number): string {
  return `尝试太多，请${Math.max(1, Math.ceil(retryAfterS / 60))}分钟后再试`;
}

/** One warning when a limit is reached: the refusals that follow are logged at debug only. */
export function warnIfTripped(log: Logger, verdict: SignInVerdict): void {
  if (verdict.outcome !== 'wrong' || verdict.tripped === null) return;
  const who = verdict.tripped === 'address' ? 'this address' : 'every address (a distributed guess?)';
  log.warn(
    { address: verdict.address },
    `admin token: too many failed attempts from ${who}; refusing them for up to ${SIGN_IN_WINDOW_MINUTES} minutes`,
  );
}
