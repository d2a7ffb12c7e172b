import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of processes from /proc, to say where a benchmark's two cores went: the service, the
 * PostgreSQL backends, the harness itself.
 */
const TICKS_PER_S = 100;

function statOf(pid: number | string): { comm: string; seconds: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm is in parentheses and may contain spaces; the fields after it are space-separated.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return { comm, seconds: (utime + stime) / TICKS_PER_S };
  } catch {
    return null;
  }
}

export function cpuSecondsOf(pid: number | undefined): number {
  return pid === undefined ? Number.NaN : (statOf(pid)?.seconds ?? Number.NaN);
}

/** Every postgres process on the machine (the server's backends and its helpers). */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = statOf(entry);
    if (s?.comm === 'postgres') total += s.seconds;
  }
  return total;
}

export function harnessCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** CPU seconds used between two snapshots, per process group. */
export interface CpuSnapshot {
  readonly service: number;
  readonly postgres: number;
  readonly harness: number;
}

export function cpuSnapshot(servicePids: readonly (number | undefined)[]): CpuSnapshot {
  return {
    service: servicePids.reduce<number>((sum, pid) => sum + cpuSecondsOf(pid), 0),
    postgres: postgresCpuSeconds(),
    harness: harnessCpuSeconds(),
  };
}

export function cpuUsed(before: CpuSnapshot, after: CpuSnapshot): CpuSnapshot {
  return {
    service: after.service - before.service,
    postgres: after.postgres - before.postgres,
    harness: after.harness - before.harness,
  };
}
