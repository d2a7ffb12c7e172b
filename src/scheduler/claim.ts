import { performance } from 'node:perf_hooks';
import type { DataSource, EntityManager } from 'typeorm';

export const JOB_NAMES = ['reminders', 'auto-close', 'weekly-digest', 'building-notes'] as const;
export type JobName = (typeof JOB_NAMES)[number];

export type JobSummary = Readonly<Record<string, number | string | boolean>>;

export type JobOutcome =
  | { readonly job: JobName; readonly period: string; readonly status: 'ran'; readonly summary: JobSummary }
  | {
      readonly job: JobName;
      readonly period: string;
      readonly status: 'skipped';
      /**
       * done: this period already ran (here or on another instance); busy: another run of the job
       * holds its lock; quiet: a weekly run due during quiet hours, made up when they end;
       * nowhere: a digest with nowhere to go, made up once the ledger names somewhere.
       */
      readonly reason: 'done' | 'busy' | 'quiet' | 'nowhere';
    };

export interface Claim {
  readonly job: JobName;
  /** The period the run is for (a week, a sweep's minute); null runs without claiming one (operator sweeps). */
  readonly period: string | null;
  readonly instance: string;
  readonly now: Date;
}

/** Advisory locks of this class belong to the scheduler; the second key is hashtext(job). */
export const SCHEDULER_LOCK_CLASS = 0x4d4c;

/**
 * Runs a job's work at most once per (job, period) across every instance on the database.
 *
 * One transaction holds it all: a try-lock on the job (another instance running it right now
 * makes this one skip at once rather than queue behind it), the claim row (the primary key on
 * (job, period) refuses a second one, even against a lock-free path), and the work's own writes
 * and outbox rows. So the claim commits exactly when the work does: a crash or an error rolls
 * both back and a later tick or start-up may run the period again; a committed run is never
 * repeated.
 */
export async function runClaimed(
  dataSource: DataSource,
  claim: Claim,
  work: (tx: EntityManager) => Promise<JobSummary>,
): Promise<JobOutcome> {
  const period = claim.period ?? `manual@${claim.now.toISOString()}`;
  return dataSource.transaction(async (tx) => {
    const [lock] = await tx.query<{ locked: boolean }[]>(
      `SELECT pg_try_advisory_xact_lock($1::int, hashtext($2)) AS locked`,
      [SCHEDULER_LOCK_CLASS, claim.job],
    );
    if (!lock?.locked) return { job: claim.job, period, status: 'skipped', reason: 'busy' };
    if (claim.period !== null) {
      const claimed = await tx.query<{ job: string }[]>(
        `INSERT INTO scheduled_run (job, period, instance, ran_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (job, period) DO NOTHING RETURNING job`,
        [claim.job, claim.period, claim.instance, claim.now],
      );
      if (claimed.length === 0) return { job: claim.job, period, status: 'skipped', reason: 'done' };
    }
    const started = performance.now();
    const summary = await work(tx);
    if (claim.period !== null) {
      await tx.query(
        `UPDATE scheduled_run SET duration_ms = $3, summary = $4::jsonb WHERE job = $1 AND period = $2`,
        [claim.job, claim.period, Math.round(performance.now() - started), JSON.stringify(summary)],
      );
    }
    return { job: claim.job, period, status: 'ran', summary };
  });
}

/**
 * Runs fn inside a savepoint: an item that fails is rolled back alone and reported, the rest of
 * the run (and its claim) goes on. Returns the error, or null.
 */
export async function inSavepoint(tx: EntityManager, fn: () => Promise<void>): Promise<unknown> {
  await tx.query('SAVEPOINT scheduler_item');
  try {
    await fn();
    await tx.query('RELEASE SAVEPOINT scheduler_item');
    return null;
  } catch (error) {
    await tx.query('ROLLBACK TO SAVEPOINT scheduler_item');
    return error;
  }
}
