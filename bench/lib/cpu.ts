import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of processes from /proc, to say where a benchmark's two cores went: the service, the
 * PostgreSQL backends, the harness itself.
 */
const TICKS_PER_S = 100;

interface ProcessCpu {
  readonly comm: string;
  /** The process's own CPU (utime + stime). */
  readonly seconds: number;
  /** Its exited children's CPU, added by the kernel as it reaps each of them (cutime + cstime). */
  readonly reapedChildrenSeconds: number;
}

function statOf(pid: number | string): ProcessCpu | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm is in parentheses and may contain spaces; the fields after it are space-separated.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // utime, stime, cutime and cstime: fields 14 to 17 of proc(5), in clock ticks.
    const seconds = (first: number) => (Number(fields[first]) + Number(fields[first + 1])) / TICKS_PER_S;
    return { comm, seconds: seconds(11), reapedChildrenSeconds: seconds(13) };
  } catch {
    return null;
  }
}

export function cpuSecondsOf(pid: number | undefined): number {
  return pid === undefined ? Number.NaN : (statOf(pid)?.seconds ?? Number.NaN);
}

/**
 * Every postgres process on the machine (the server's backends and its helpers), those that exited
 * included: a backend that ends (pgbench's connections at its end, an autovacuum worker) drops out
 * of the live processes, but the postmaster reaps it and the kernel adds its CPU to the
 * postmaster's children's time, so the total never goes back and a difference counts them all.
 */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = statOf(entry);
    if (s?.comm === 'postgres') total += s.seconds + s.reapedChildrenSeconds;
  }
  return total;
}

/**
 * Whether a postgres process still serves `database` (its title, update_process_title being on by
 * default, names the database) or is exiting and not yet reaped (a process on its way out, a zombie
 * included, has an empty command line): until none is, the CPU of the database's backends is not
 * all in postgresCpuSeconds().
 */
export function postgresStillServes(database: string): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || statOf(entry)?.comm !== 'postgres') continue;
    try {
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (title === '' || title.includes(` ${database} `)) return true;
    } catch {
      // reaped meanwhile
    }
  }
  return false;
}

/**
 * CPU of this process's children that have exited and been waited for (Node waits for each child
 * as it exits, before its 'exit' event): the kernel's wait4 figures, read from /proc/self/stat.
 * A difference around one child's run is that child's CPU, provided no other child ends meanwhile.
 */
export function reapedChildrenCpuSeconds(): number {
  return statOf('self')?.reapedChildrenSeconds ?? Number.NaN;
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
