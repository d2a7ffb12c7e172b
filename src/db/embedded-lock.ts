import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';

/**
 * The embedded database belongs to one process at a time: PGlite keeps the database's pages in
 * its own memory and writes them back when it pleases, so a second process on the same directory
 * (`mulin ledger import` while the service runs) would see its writes reported as done and then
 * silently overwritten. Like PostgreSQL's postmaster.pid, a lock file next to the data names the
 * holder's process id; a file left by a process that is gone, or by an earlier life of this pid
 * (a restarted container), is taken over.
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

function holderOf(lockFile: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(lockFile, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Takes the directory for this process, or throws DataDirInUseError; returns the release. */
export function holdDataDir(dataDir: string): () => void {
  const lockFile = `${dataDir}.lock`;
  if (heldHere.has(lockFile)) throw new DataDirInUseError(dataDir, lockFile, process.pid);
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 2) throw error;
      const pid = holderOf(lockFile);
      if (pid !== null && pid !== process.pid && isAlive(pid))
        throw new DataDirInUseError(dataDir, lockFile, pid);
      // Stale: its holder is gone. Another process may race us here; `wx` lets only one win.
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
    if (holderOf(lockFile) === process.pid) unlinkSync(lockFile);
  };
}
