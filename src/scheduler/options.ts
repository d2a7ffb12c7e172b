import { hostname } from 'node:os';
import type { Config } from '../config';
import { type PageLinks, pageLinksFor } from '../requests/page-links';
import type { JobName } from './claim';
import { DEFAULT_QUIET_HOURS, type QuietHours } from './quiet-hours';

export interface SchedulerOptions {
  /** IANA zone the schedules, quiet hours and weeks are read in. */
  readonly timeZone: string;
  /** A node-cron expression per job, read in timeZone; null turns the job off. */
  readonly schedules: Readonly<Record<JobName, string | null>>;
  /** Non-urgent reminders wait while these last; null never waits. */
  readonly quietHours: QuietHours | null;
  /** Resolved requests not rated for this long are closed as confirmed. */
  readonly autoCloseAfterMinutes: number;
  /** Whether private notices can go out through the self-built app. */
  readonly privateNotices: boolean;
  /** Links to the street office pages in the street's notices and the digest (MULIN_PUBLIC_URL). */
  readonly pageLinks?: PageLinks | undefined;
  /**
   * A weekly run (digest, building notes) missed while every instance was down is made up when it
   * was due at most this long ago; older ones are left to the operator (`mulin digest --send`).
   */
  readonly makeUpWithinMinutes?: number;
  /** How often to look for weekly runs that failed or were missed (null: only at start). */
  readonly catchUpSchedule?: string | null;
  /** Recorded on each claimed run, for operators: which instance did it. */
  readonly instance?: string;
  /** Called after a run queued messages, e.g. the outbox worker's wakeUp. */
  readonly onQueued?: () => void;
}

export const DEFAULT_SCHEDULES: Readonly<Record<JobName, string>> = {
  reminders: '*/10 * * * *',
  'auto-close': '0 * * * *',
  'weekly-digest': '0 9 * * 1',
  'building-notes': '30 9 * * 1',
};

export const DEFAULTS = {
  makeUpWithinMinutes: 72 * 60,
  catchUpSchedule: '*/10 * * * *',
  autoCloseAfterMinutes: 72 * 60,
  quietHours: DEFAULT_QUIET_HOURS,
} as const;

export function defaultInstance(): string {
  return `${hostname()}:${process.pid}`;
}

/** The scheduler's options from the environment's configuration (the MULIN_* schedule variables). */
export function schedulerOptionsFrom(
  config: Config,
  extra: Pick<SchedulerOptions, 'onQueued' | 'instance'> = {},
): SchedulerOptions {
  const s = config.schedule;
  return {
    timeZone: config.timezone,
    schedules: {
      reminders: s.reminders,
      'auto-close': s.autoClose,
      'weekly-digest': s.weeklyDigest,
      'building-notes': s.buildingNotes,
    },
    quietHours: s.quietHours,
    autoCloseAfterMinutes: s.autoCloseAfterMinutes,
    privateNotices: config.wecom.appApi !== null,
    pageLinks: pageLinksFor(config.publicUrl),
    ...extra,
  };
}
