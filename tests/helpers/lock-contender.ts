import { openSync, closeSync } from 'node:fs';
import { DataDirInUseError, holdDataDir } from '../../src/db/embedded-lock';

/**
 * One of several processes that try to take the same embedded-database lock at the same instant,
 * for tests of what the lock does under contention. Arguments: pairs of a FIFO and a data
 * directory, one pair a round. Each round it blocks opening the FIFO for reading, so that every
 * contender wakes at once when the test opens it for writing, then tries the lock and prints
 * `<round> held` or `<round> refused <pid>`. It keeps what it won (and so stays a live holder)
 * until its stdin closes.
 */
const args = process.argv.slice(2);
const releases: (() => void)[] = [];
for (let round = 0; round * 2 < args.length; round++) {
  const [fifo, dataDir] = [args[round * 2] ?? '', args[round * 2 + 1] ?? ''];
  process.stdout.write(`${round} ready\n`);
  closeSync(openSync(fifo, 'r'));
  try {
    releases.push(holdDataDir(dataDir));
    process.stdout.write(`${round} held\n`);
  } catch (error) {
    const pid = error instanceof DataDirInUseError ? /process (\d+)/.exec(error.message)?.[1] : undefined;
    process.stdout.write(pid ? `${round} refused ${pid}\n` : `${round} failed ${String(error)}\n`);
  }
}
process.stdin.resume();
process.stdin.on('end', () => {
  for (const release of releases) release();
  process.exit(0);
});
