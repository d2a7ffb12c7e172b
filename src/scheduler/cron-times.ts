import { createTask, parse, type ScheduledTask } from 'node-cron';
import { addDays, localParts, zonedInstant, type LocalDate } from '../digest/calendar';

const DESCENDING = (a: number, b: number) => b - a;

/**
 * The latest instant at or before `now` at which a cron expression fires in timeZone, looking back
 * at most lookbackDays; null when it did not fire in that span. node-cron only looks forward, and
 * a run missed while every instance was down is found by looking back from the start.
 *
 * Candidates are the expression's hours, minutes and seconds on each day, newest first; node-cron's
 * own matcher decides whether a candidate fires, so day-of-month, weekday and its extensions mean
 * exactly what they mean to the running job.
 */
export function previousFire(
  expression: string,
  timeZone: string,
  now: Date,
  lookbackDays = 35,
): Date | null {
  const fields = parse(expression);
  const hours = [...fields.hour].sort(DESCENDING);
  const minutes = [...fields.minute].sort(DESCENDING);
  const seconds = [...fields.second].sort(DESCENDING);
  const probe: ScheduledTask = createTask(expression, () => undefined, { timezone: timeZone });
  try {
    const local = localParts(now, timeZone);
    const today: LocalDate = local;
    for (let back = 0; back <= lookbackDays; back++) {
      const day = addDays(today, -back);
      for (const hour of hours) {
        // Today, skip what is still to come without building an instant for each candidate.
        if (back === 0 && hour > local.hour) continue;
        for (const minute of minutes) {
          if (back === 0 && hour === local.hour && minute > local.minute) continue;
          for (const second of seconds) {
            const at = zonedInstant({ ...day, hour, minute, second }, timeZone);
            if (at.getTime() <= now.getTime() && probe.match(at)) return at;
          }
        }
      }
    }
    return null;
  } finally {
    // createTask registers the task with node-cron; destroying it unregisters it.
    void probe.destroy();
  }
}
