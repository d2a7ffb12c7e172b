import { createHash, randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';

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

/** The lock's holder still runs: its pid is alive and, where both are known, started when it did. */
function holderRuns(holder: { pid: number; started: string | null }): boolean {
  if (!isAlive(holder.pid)) return false;
  const startedNow = startTimeOf(holder.pid);
  return holder.started === null || startedNow === null || startedNow === holder.started;
}

/** Waits this long for another process's takeover of a stale lock to finish before giving up. */
const TAKEOVER_WAIT_MS = 5_000;

/** Writes `content` to a fresh file of this process's next to `file`, for linking or renaming. */
function writeScratch(file: string, content: string): string {
  const scratch = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(scratch, content, { flag: 'wx' });
  return scratch;
}

/**
 * Creates `file` holding `content`, or returns false if it exists. Linked in whole rather than
 * opened with O_EXCL and then written, so that no one ever reads it empty and judges it stale.
 */
function createWhole(file: string, content: string): boolean {
  const scratch = writeScratch(file, content);
  try {
    linkSync(scratch, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(scratch);
  }
}

/** Puts `content` in place of whatever `file` holds, in one step: it is never missing meanwhile. */
function replaceWhole(file: string, content: string): void {
  const scratch = writeScratch(file, content);
  try {
    renameSync(scratch, file);
  } catch (error) {
    unlinkSync(scratch);
    throw error;
  }
}

function contentOf(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function holderIn(content: string): { pid: number; started: string | null } | null {
  const [pidText, started] = content.trim().split(/\s+/);
  const pid = Number.parseInt(pidText ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? { pid, started: started || null } : null;
}

/** The file whose holder alone may replace `file` while it holds `staleContent`. */
export function takeoverClaimOf(file: string, staleContent: string): string {
  return `${file}.takeover-${createHash('sha256').update(staleContent).digest('hex').slice(0, 16)}`;
}

/** Held, or the pid of a live holder; not `settled` while that holder is taking over a stale lock. */
type Attempt = { held: true } | { held: false; pid: number; settled: boolean };

/**
 * One try at `file` for this process. A stale lock is replaced in one rename, so the file is never
 * missing for a third process to create meanwhile, and only by the process that holds the claim
 * on exactly that stale content: a file named after it, created whole, which is a lock in its own
 * right (its holder may die holding it, and it is taken over the same way). Whoever holds the claim
 * checks that the file still holds the stale content: any takeover that finished first has
 * replaced it, and none can start while the claim is held.
 */
function tryToHold(file: string, content: string): Attempt {
  for (;;) {
    if (createWhole(file, content)) return { held: true };
    const seen = contentOf(file);
    if (seen === null) continue; // Released or taken over just now: try again.
    const holder = holderIn(seen);
    if (holder !== null && holder.pid !== process.pid && holderRuns(holder))
      return { held: false, pid: holder.pid, settled: true };
    const claimFile = takeoverClaimOf(file, seen);
    const claim = tryToHold(claimFile, content);
    if (!claim.held) return { held: false, pid: claim.pid, settled: false };
    try {
      if (contentOf(file) !== seen) continue;
      replaceWhole(file, content);
      return { held: true };
    } finally {
      unlinkSync(claimFile);
    }
  }
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Takes the directory for this process, or throws DataDirInUseError; returns the release. */
export function holdDataDir(dataDir: string): () => void {
  const lockFile = `${dataDir}.lock`;
  if (heldHere.has(lockFile)) throw new DataDirInUseError(dataDir, lockFile, process.pid);
  const content = `${process.pid} ${startTimeOf(process.pid) ?? ''}\n`;
  const deadline = Date.now() + TAKEOVER_WAIT_MS;
  for (;;) {
    const result = tryToHold(lockFile, content);
    if (result.held) break;
    // Settled: a live holder. Otherwise another process is taking over a stale lock right now, and
    // will hold it in a moment (or die, leaving its claim stale for the next try).
    if (result.settled || Date.now() > deadline) throw new DataDirInUseError(dataDir, lockFile, result.pid);
    pause(10);
  }
  heldHere.add(lockFile);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    heldHere.delete(lockFile);
    if (contentOf(lockFile) === content) unlinkSync(lockFile);
  };
}
