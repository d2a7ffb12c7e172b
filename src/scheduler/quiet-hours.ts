import { addDays, localParts, zonedInstant } from '../digest/calendar';

/** A nightly window in local time, minutes after midnight; start after end wraps past midnight. */
export interface QuietHours {
  readonly start: number;
  readonly end: number;
}

export const DEFAULT_QUIET_HOURS: QuietHours = { start: 21 * 60, end: 8 * 60 };

function minuteOfDay(at: Date, timeZone: string): number {
  const p = localParts(at, timeZone);
  return p.hour * 60 + p.minute;
}

function contains(q: QuietHours, minute: number): boolean {
  return q.start < q.end ? minute >= q.start && minute < q.end : minute >= q.start || minute < q.end;
}

/** Whether non-urgent reminders are held at this instant. */
export function isQuiet(at: Date, quiet: QuietHours | null, timeZone: string): boolean {
  return quiet !== null && contains(quiet, minuteOfDay(at, timeZone));
}

/** When the quiet window holding this instant ends; the instant itself outside quiet hours. */
export function quietEnd(at: Date, quiet: QuietHours | null, timeZone: string): Date {
  if (!quiet || !isQuiet(at, quiet, timeZone)) return at;
  const p = localParts(at, timeZone);
  const minute = p.hour * 60 + p.minute;
  // Before midnight in a window that wraps, the morning is tomorrow's.
  const day = quiet.start > quiet.end && minute >= quiet.start ? addDays(p, 1) : p;
  return zonedInstant({ ...day, hour: Math.floor(quiet.end / 60), minute: quiet.end % 60 }, timeZone);
}

/** 21:00–08:00 */
export function formatQuietHours(quiet: QuietHours | null): string {
  if (!quiet) return 'off';
  const hm = (m: number) =>
    `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return `${hm(quiet.start)}–${hm(quiet.end)}`;
}
