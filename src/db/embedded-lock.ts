import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';

/**
 * The embedded database belongs to one process at a time: PGlite keeps the database's pages in
 * its own memory and writes them back when it pleases, so a second process on the same directory
 * (`mulin ledger import` while the service runs) would see its writes reported as done and then
 * silently overwritten. Like PostgreSQL's postmaster.pid, a lock file next to the data names the
 * holder's process id and, on Linux, when that process started; a file left by a process that is
 * gone, by an earlier life of this pid (a restarted container), or by a process whose pid another
 * has since been given (its start time differs), is taken over.
 */
const heldHere = new Set<string>();

export class DataDirInUseError extends Error {
  constructor(dataDir: string, lockFile: string, pid: number) {
    super(
      `the embedded database in ${dataDir} is in use by process ${pid} (a running Mulin?). ` +
        `Stop it first, or set DATABASE_URL so several processes can share a PostgreSQL server. ` +
        `If process ${pid} is not Mulin, delete ${lockFile}.`,
    );
    this.name = 'DataDirInUseError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * When a process started, as the kernel counts it (clock ticks since boot, field 22 of
 * /proc/<pid>/stat), or null where there is no /proc. A pid and its start time name one process:
 * pids are reused, start times of live processes with the same pid are not.
 */
function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces; fields count from after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function holderOf(lockFile: string): { pid: number; started: string | null } | null {
  try {
    const [pidText, started] = readFileSync(lockFile, 'utf8').trim().split(/\s+/);
    const pid = Number.parseInt(pidText ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? { pid, started: started || null } : null;
  } catch {
    return null;
  }
}

/** The lock's holder still runs: its pid is alive and, where both are known, started when it did. */
function holderRuns(holder: { pid: number; started: string | null }): boolean {
  if (!isAlive(holder.pid)) return false;
  const startedNow = startTimeOf(holder.pid);
  return holder.started === null || startedNow === null || startedNow === holder.started;
}

/** Takes the directory for this process, or throws DataDirInUseError; returns the release. */
export function holdDataDir(dataDir: string): () => void {
  const lockFile = `${dataDir}.lock`;
  if (heldHere.has(lockFile)) throw new DataDirInUseError(dataDir, lockFile, process.pid);
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(lockFile, `${process.pid} ${startTimeOf(process.pid) ?? ''}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 2) throw error;
      const holder = holderOf(lockFile);
      if (holder !== null && holder.pid !== process.pid && holderRuns(holder))
        throw new DataDirInUseError(dataDir, lockFile, holder.pid);
      // Stale: its holder is gone. Removing it and writing ours are two steps: two processes that
      // both find the same stale lock at the same instant (started together right after a crash)
      // can both get through. `wx` stops only a process that finds the lock already renewed.
      try {
        unlinkSync(lockFile);
      } catch {
        // Already taken over by someone else: the next attempt finds out who.
      }
    }
  }
  heldHere.add(lockFile);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    heldHere.delete(lockFile);
    if (holderOf(lockFile)?.pid === process.pid) unlinkSync(lockFile);
  };
}
