import { summarizeError } from './errors';

/** The last attempt of some recurring work in this process, as /healthz shows it. */
export interface LastAttempt {
  readonly at: Date;
  /** What the work says of itself ('ran', 'skipped', 'ok'…), or 'failed'. */
  readonly outcome: string;
  /** For a failure: the error's name and code only; its message, which may carry data, is in the log. */
  readonly error?: string;
  readonly [detail: string]: unknown;
}

export interface RunSnapshot {
  readonly lastAttempt?: LastAttempt;
  /** Attempts that failed in a row, up to now: 0 once one succeeds. */
  readonly failures: number;
}

/**
 * What became of the last attempt of a loop or job in this process, and how many failed in a
 * row: an operator's "is it running, and is it failing", read from memory so /healthz asks the
 * database nothing for it.
 */
export class RunRecord {
  private last: LastAttempt | undefined;
  private failures = 0;

  succeeded(at: Date, outcome: string, detail: Readonly<Record<string, unknown>> = {}): void {
    this.last = { ...detail, at, outcome };
    this.failures = 0;
  }

  failed(at: Date, error: unknown, detail: Readonly<Record<string, unknown>> = {}): void {
    this.last = { ...detail, at, outcome: 'failed', error: errorLabel(error) };
    this.failures++;
  }

  snapshot(): RunSnapshot {
    return { ...(this.last ? { lastAttempt: this.last } : {}), failures: this.failures };
  }
}

/** "QueryFailedError 42P01": enough to tell a database outage from a bug, with nothing from the data. */
function errorLabel(error: unknown): string {
  const summary = summarizeError(error);
  if (!summary) return typeof error;
  return typeof summary.code === 'string' ? `${String(summary.name)} ${summary.code}` : String(summary.name);
}
