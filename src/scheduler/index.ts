/**
 * The scheduler: reminders and escalation, auto-close, the weekly digest and the buildings' weekly
 * notes, on node-cron, each run once per period across instances (claim.ts), with missed runs made
 * up at start (scheduler.ts). The composition root creates one Scheduler and starts it after the
 * outbox worker; the CLI calls digestCommand and remindCommand.
 */
export { Scheduler } from './scheduler';
export { schedulerOptionsFrom, DEFAULT_SCHEDULES, type SchedulerOptions } from './options';
export { JOB_NAMES, runClaimed, type JobName, type JobOutcome, type JobSummary } from './claim';
export { digestCommand, remindCommand, parseInstant, CLI_USAGE, type CliSettings } from './cli-commands';
export { DEFAULT_QUIET_HOURS, isQuiet, quietEnd, formatQuietHours, type QuietHours } from './quiet-hours';
export { previousFire } from './cron-times';
export { latestRuns, type SchedulerHealth, type JobHealth, type LastRun } from './health';
export {
  sweepReminders,
  clockLength,
  type Stage,
  type SweepResult,
  type SweepSettings,
} from './reminder-sweep';
export { remindersSent, type SentReminder } from './reminder-log';
export { autoClose } from './auto-close';
export { queueDigest, queueBuildingNotes, digestParts, digestDestination } from './weekly-jobs';
