import { createTask, type ScheduledTask } from 'node-cron';
import type { DataSource, EntityManager } from 'typeorm';
import { formatIsoWeek, lastFullWeekBefore, parseIsoWeek } from '../digest/calendar';
import type { Ledger } from '../ledger/ledger';
import type { LedgerCache } from '../ledger/ledger-store';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import { RunRecord } from '../shared/run-record';
import { autoClose } from './auto-close';
import { JOB_NAMES, runClaimed, type JobName, type JobOutcome, type JobSummary } from './claim';
import { previousFire } from './cron-times';
import { schedulerHealth, type LastRun, type SchedulerHealth } from './health';
import { defaultInstance, DEFAULTS, type SchedulerOptions } from './options';
import { isQuiet, quietEnd } from './quiet-hours';
import { sweepReminders, type SweepSettings } from './reminder-sweep';
import { prepareDigest, queueBuildingNotes, queueDigest, type PreparedDigest } from './weekly-jobs';

/** Jobs that report on a week: their period is the ISO week, made up once if missed. */
const WEEKLY: readonly JobName[] = ['weekly-digest', 'building-notes'];

/** Claimed runs of the sweeps are kept this long, for operators; weekly runs are kept for good. */
const SWEEP_RUNS_KEPT_MS = 14 * 86_400_000;

function isWeekly(job: JobName): boolean {
  return WEEKLY.includes(job);
}

/**
 * Runs the desk's jobs on node-cron, once per period across any number of instances.
 *
 * Every run goes through runClaimed (claim.ts): an advisory lock plus a (job, period) row written
 * in the run's own transaction. The period of a sweep (reminders, auto-close) is the minute it was
 * due; of a weekly job, the ISO week it reports on. At start, and then every catchUpSchedule, the
 * scheduler looks back for the latest time each job was due and runs that period if no instance
 * has: a digest due on Monday while everything was down goes out when an instance comes back (on
 * Tuesday, once), and a failed run is retried. Sweeps look at the state as of now, so reminders
 * that came due overnight go out at the next sweep.
 *
 * A weekly run due, or made up, during quiet hours is not claimed and queues nothing: a make-up at
 * the minute they end every day runs it then. Nor is a digest with nowhere to go: the catch-up
 * sends it once the ledger gives the leadership group a robot.
 */
export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly instance: string;
  private started = false;
  private weeklyMakeUp: Promise<JobOutcome[]> | undefined;
  /** The last week whose digest was found with nowhere to go: warned of once, not at every try. */
  private warnedNowhere: string | undefined;
  /** Each job's last attempt on this instance, for /healthz. */
  private readonly attempts = new Map<JobName, RunRecord>(JOB_NAMES.map((job) => [job, new RunRecord()]));

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly ledgers: LedgerCache,
    private readonly options: SchedulerOptions,
  ) {
    this.instance = options.instance ?? defaultInstance();
  }

  /** Schedules the enabled jobs and makes up what was missed; returns the make-up pass's outcomes. */
  async start(): Promise<JobOutcome[]> {
    if (this.started) return [];
    this.started = true;
    const cronLogger = {
      info: (message: string) => this.logger.debug({ cron: true }, message),
      warn: (message: string) => this.logger.warn({ cron: true }, message),
      error: (message: string | Error) => this.logger.error({ cron: true, err: message }, 'cron error'),
      debug: (message: string | Error) => this.logger.debug({ cron: true }, String(message)),
    };
    const schedule = (name: string, expression: string, run: () => Promise<unknown>) => {
      // run() logs its own failures; node-cron need not see them again.
      const task = createTask(expression, () => this.track(run().catch(() => undefined)), {
        name: `mulin-${name}`,
        timezone: this.options.timeZone,
        noOverlap: true,
        logger: cronLogger,
      });
      void task.start();
      this.tasks.push(task);
    };
    for (const job of this.enabledJobs()) {
      const expression = this.options.schedules[job] as string;
      schedule(job, expression, () => this.runJob(job));
    }
    const catchUp =
      this.options.catchUpSchedule === undefined ? DEFAULTS.catchUpSchedule : this.options.catchUpSchedule;
    if (catchUp) schedule('catch-up', catchUp, () => this.makeUpWeekly());
    const quiet = this.options.quietHours;
    if (quiet && this.enabledJobs().some(isWeekly)) {
      // Weekly runs put off by quiet hours go out when they end, with or without the catch-up.
      const expression = `${quiet.end % 60} ${Math.floor(quiet.end / 60)} * * *`;
      schedule('after-quiet-hours', expression, () => this.makeUpWeekly());
    }
    this.logger.info(
      { timezone: this.options.timeZone, schedules: this.options.schedules, instance: this.instance },
      'scheduler started',
    );
    return this.track(this.makeUp(this.clock.now()));
  }

  /** Stops scheduling and waits for runs in flight. */
  async stop(): Promise<void> {
    for (const task of this.tasks.splice(0)) await task.destroy();
    await Promise.allSettled([...this.inFlight]);
    this.started = false;
  }

  /**
   * For /healthz: whether this instance schedules jobs, and each job's last attempt here; with
   * `lastRuns` (read by latestRuns), each job's latest run on any instance.
   */
  health(lastRuns: Partial<Record<JobName, LastRun>> = {}): SchedulerHealth {
    const state = this.enabledJobs().length === 0 ? 'off' : this.started ? 'running' : 'stopped';
    return schedulerHealth(state, this.instance, this.options.schedules, this.attempts, lastRuns);
  }

  /** Runs a job as its schedule would at `now`: the sweep of that minute, or the digest of the last full week. */
  async runJob(job: JobName, now: Date = this.clock.now()): Promise<JobOutcome> {
    return this.run(job, this.periodAt(job, now), now);
  }

  /**
   * For each job, finds the latest time it was due at or before `now` and runs that period unless
   * it already ran. Weekly runs due longer ago than makeUpWithinMinutes are left alone.
   */
  async makeUp(now: Date, jobs: readonly JobName[] = JOB_NAMES): Promise<JobOutcome[]> {
    const outcomes: JobOutcome[] = [];
    for (const job of this.enabledJobs().filter((j) => jobs.includes(j))) {
      const due = previousFire(this.options.schedules[job] as string, this.options.timeZone, now);
      if (!due || (isWeekly(job) && !this.withinMakeUpWindow(due, now))) continue;
      try {
        outcomes.push(await this.run(job, this.periodAt(job, due), now));
      } catch {
        // Logged by run(); one job failing does not keep the others from being made up.
      }
    }
    return outcomes;
  }

  /**
   * Whether a weekly run due at `due` may still be made up. A window that closes during quiet
   * hours stays open until they end, as the run put off by them is made up then: compared by the
   * minute, so the make-up at that minute's tick still finds it open.
   */
  private withinMakeUpWindow(due: Date, now: Date): boolean {
    const window = (this.options.makeUpWithinMinutes ?? DEFAULTS.makeUpWithinMinutes) * 60_000;
    const closes = quietEnd(new Date(due.getTime() + window), this.options.quietHours, this.options.timeZone);
    return Math.floor(now.getTime() / 60_000) <= Math.floor(closes.getTime() / 60_000);
  }

  /** The weekly make-up; the catch-up and the end of quiet hours may tick together, and share one. */
  private makeUpWeekly(): Promise<JobOutcome[]> {
    this.weeklyMakeUp ??= this.makeUp(this.clock.now(), WEEKLY).finally(() => {
      this.weeklyMakeUp = undefined;
    });
    return this.weeklyMakeUp;
  }

  /** The period a run at this instant is for. */
  periodAt(job: JobName, at: Date): string {
    if (isWeekly(job)) return formatIsoWeek(lastFullWeekBefore(at, this.options.timeZone));
    return `${at.toISOString().slice(0, 16)}Z`;
  }

  private enabledJobs(): JobName[] {
    return JOB_NAMES.filter((job) => this.options.schedules[job]);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  private async run(job: JobName, period: string, now: Date): Promise<JobOutcome> {
    const log = this.logger.child({ job, period });
    try {
      const outcome =
        isWeekly(job) && isQuiet(now, this.options.quietHours, this.options.timeZone)
          ? await this.putOffForQuietHours(job, period)
          : await this.runNow(job, period, now);
      this.attempts.get(job)?.succeeded(now, outcome.status, {
        period,
        ...(outcome.status === 'skipped' ? { reason: outcome.reason } : {}),
      });
      if (outcome.status === 'ran') {
        log.info(outcome.summary, `${job} ran`);
        if (Number(outcome.summary.queued ?? 0) > 0) this.options.onQueued?.();
      } else {
        log.debug({ reason: outcome.reason }, `${job} skipped`);
      }
      return outcome;
    } catch (error) {
      this.attempts.get(job)?.failed(now, error, { period });
      log.error(
        { err: error },
        isWeekly(job)
          ? `${job} failed; it is retried at the next catch-up`
          : `${job} failed; the next run covers it`,
      );
      throw error;
    }
  }

  private async runNow(job: JobName, period: string, now: Date): Promise<JobOutcome> {
    let digest: { ledger: Ledger; digest: PreparedDigest } | undefined;
    if (job === 'weekly-digest') {
      if (await this.alreadyRan(job, period)) return { job, period, status: 'skipped', reason: 'done' };
      digest = await this.digestBeforeClaim(period);
      if (!digest.digest.destination) return this.nowhereToSend(period);
    }
    return runClaimed(this.dataSource, { job, period, instance: this.instance, now }, (tx) =>
      this.work(job, period, tx, now, digest),
    );
  }

  /** Whether some instance has run this period (the claim itself is what guards a race). */
  private async alreadyRan(job: JobName, period: string): Promise<boolean> {
    const done = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM scheduled_run WHERE job = $1 AND period = $2`,
      [job, period],
    );
    return done.length > 0;
  }

  /**
   * A weekly run is not queued in quiet hours, not even held: the outbox sends a group's messages
   * in order, so everything after it to that group would wait too. Made up when they end.
   */
  private async putOffForQuietHours(job: JobName, period: string): Promise<JobOutcome> {
    const done = await this.alreadyRan(job, period);
    return { job, period, status: 'skipped', reason: done ? 'done' : 'quiet' };
  }

  /**
   * With no leadership robot and no self-built app the digest is neither queued nor its week
   * claimed: claimed, it would never go out, even after the street set the group up later that
   * week. Each catch-up tries again until the make-up window closes.
   */
  private nowhereToSend(period: string): JobOutcome {
    if (this.warnedNowhere !== period) {
      this.warnedNowhere = period;
      this.logger.warn(
        { period },
        'weekly digest has nowhere to go: set leadership.webhook_key in the ledger (or configure the self-built app); ' +
          `it is sent at the next catch-up after that, or later with \`mulin digest --week ${period} --send\``,
      );
    }
    return { job: 'weekly-digest', period, status: 'skipped', reason: 'nowhere' };
  }

  private get settings(): SweepSettings {
    return {
      timeZone: this.options.timeZone,
      quietHours: this.options.quietHours,
      privateNotices: this.options.privateNotices,
      pageLinks: this.options.pageLinks,
    };
  }

  /**
   * The week's digest, built before its claim: outside a transaction its reads run on several
   * connections at once. If two instances race, both build it and the claim lets one queue it.
   */
  private async digestBeforeClaim(period: string): Promise<{ ledger: Ledger; digest: PreparedDigest }> {
    const ledger = await this.ledgers.current(this.dataSource);
    return { ledger, digest: await prepareDigest(this.dataSource, ledger, weekOf(period), this.settings) };
  }

  private async work(
    job: JobName,
    period: string,
    tx: EntityManager,
    now: Date,
    prepared?: { ledger: Ledger; digest: PreparedDigest },
  ): Promise<JobSummary> {
    const ledger = prepared?.ledger ?? (await this.ledgers.current(tx));
    const settings = this.settings;
    switch (job) {
      case 'reminders': {
        const result = await sweepReminders(tx, ledger, now, settings, this.logger);
        await this.pruneSweepRuns(tx, now);
        return { ...result, queued: result.reminded + result.escalated + result.streetReminded };
      }
      case 'auto-close': {
        const result = await autoClose(tx, now, this.options.autoCloseAfterMinutes);
        return { closed: result.closed };
      }
      case 'weekly-digest':
        return queueDigest(tx, ledger, weekOf(period), now, settings, prepared?.digest);
      case 'building-notes':
        return queueBuildingNotes(tx, ledger, weekOf(period), now, settings);
    }
  }

  private async pruneSweepRuns(tx: EntityManager, now: Date): Promise<void> {
    await tx.query(`DELETE FROM scheduled_run WHERE job IN ('reminders', 'auto-close') AND ran_at < $1`, [
      new Date(now.getTime() - SWEEP_RUNS_KEPT_MS),
    ]);
  }
}

function weekOf(period: string) {
  const week = parseIsoWeek(period);
  if (!week) throw new Error(`not an ISO week: ${period}`);
  return week;
}
