import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

/**
 * Evaluates `expression` in a child process, with `m` the source module at `modulePath` (relative
 * to the repository) and `input` the given string, and returns its JSON result; throws when it has
 * not returned by the deadline. For tests of how long reading a hostile input takes: a test cannot
 * time out code that holds its own event loop, so a quadratic regex would run on for minutes and
 * then pass. Pick inputs and deadline so that the slow and the fast code are over a thousand times
 * apart.
 */
export function callInChild(
  modulePath: string,
  expression: string,
  input: string,
  deadlineMs = 20_000,
): unknown {
  const script = `
    const m = require(${JSON.stringify(modulePath)});
    let input = '';
    process.stdin.setEncoding('utf8').on('data', (chunk) => (input += chunk));
    process.stdin.on('end', () => process.stdout.write(JSON.stringify(${expression})));
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: ROOT,
    input,
    encoding: 'utf8',
    timeout: deadlineMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.signal) throw new Error(`${expression} had not returned after ${deadlineMs} ms`);
  if (child.status !== 0) throw new Error(child.stderr);
  return JSON.parse(child.stdout) as unknown;
}
