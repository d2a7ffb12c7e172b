import type { EntityManager } from 'typeorm';
import type { RunRecord, RunSnapshot } from '../shared/run-record';
import { JOB_NAMES, type JobName } from './claim';

/** The latest claimed run of a job, by whichever instance made it. */
export interface LastRun {
  readonly period: string;
  readonly at: Date;
  readonly instance: string;
}

export interface JobHealth extends RunSnapshot {
  /** The job's cron expression on this instance, or 'off'. */
  readonly schedule: string;
  /** From the database, so also when another instance ran it; left out when it was not read. */
  readonly lastRun?: LastRun;
}

export interface SchedulerHealth {
  /** off: every job is turned off on this instance (others may run them); stopped: not started, or stopping. */
  readonly state: 'running' | 'stopped' | 'off';
  readonly instance: string;
  /** Whether the last attempt of some job on this instance failed. */
  readonly failing: boolean;
  readonly jobs: Readonly<Record<JobName, JobHealth>>;
}

/**
 * Each job's latest claimed run (operator runs, which claim no period, are not recorded). One
 * index lookup per job on (job, ran_at): cheap enough for every health probe.
 */
export async function latestRuns(
  db: Pick<EntityManager, 'query'>,
): Promise<Partial<Record<JobName, LastRun>>> {
  const rows = await db.query<{ job: JobName; period: string; ran_at: Date; instance: string }[]>(
    `SELECT r.job, r.period, r.ran_at, r.instance
     FROM unnest($1::text[]) AS j(job)
     CROSS JOIN LATERAL (
       SELECT job, period, ran_at, instance FROM scheduled_run
       WHERE job = j.job ORDER BY ran_at DESC LIMIT 1
     ) r`,
    [JOB_NAMES],
  );
  return Object.fromEntries(
    rows.map((r) => [r.job, { period: r.period, at: new Date(r.ran_at), instance: r.instance }]),
  );
}

/** Puts together what /healthz shows of the scheduler: its state, then each job's schedule and runs. */
export function schedulerHealth(
  state: SchedulerHealth['state'],
  instance: string,
  schedules: Readonly<Record<JobName, string | null>>,
  attempts: ReadonlyMap<JobName, RunRecord>,
  lastRuns: Partial<Record<JobName, LastRun>>,
): SchedulerHealth {
  const jobs = Object.fromEntries(
    JOB_NAMES.map((job): [JobName, JobHealth] => {
      const lastRun = lastRuns[job];
      return [
        job,
        {
          schedule: schedules[job] ?? 'off',
          ...(lastRun ? { lastRun } : {}),
          ...(attempts.get(job)?.snapshot() ?? { failures: 0 }),
        },
      ];
    }),
  ) as Record<JobName, JobHealth>;
  const failing = JOB_NAMES.some((job) => jobs[job].lastAttempt?.outcome === 'failed');
  return { state, instance, failing, jobs };
}
