import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { holdDataDir, takeoverClaimOf } from '../../../src/db/embedded-lock';

/**
 * Processes started together right after a crash (the service and a `mulin` command, or several
 * restarts at once) all find the same stale lock. Taking it over used to be two steps, removing it
 * and writing one's own: a second process could remove the lock the first had just written and
 * write its own, and both would go on to open the database.
 */
const ROOT = path.resolve(__dirname, '..', '..', '..');
const CONTENDERS = 8;
const ROUNDS = 5;

interface Contender {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
}

function startContender(args: string[]): Contender {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/lock-contender.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH },
  });
  const lines: string[] = [];
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr.on('data', (chunk: Buffer) => lines.push(`stderr ${chunk.toString('utf8')}`));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

async function until(check: () => boolean, what: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let dir: string;
let contenders: Contender[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mulin-takeover-'));
});
afterEach(async () => {
  for (const c of contenders) c.child.kill();
  await Promise.all(contenders.map((c) => c.exited));
  contenders = [];
  rmSync(dir, { recursive: true, force: true });
});

it('lets exactly one of many processes that find the same stale lock at once take it over', async () => {
  const dead = spawnSync(process.execPath, ['-e', '']).pid;
  const args: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const fifo = path.join(dir, `go-${round}`);
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const dataDir = path.join(dir, `pglite-${round}`);
    writeFileSync(`${dataDir}.lock`, `${dead} 12345\n`);
    args.push(fifo, dataDir);
  }
  contenders = Array.from({ length: CONTENDERS }, () => startContender(args));
  const said = (c: Contender, round: number, what: RegExp) =>
    c.lines.some((l) => l.startsWith(`${round} `) && what.test(l.slice(`${round} `.length)));
  const output = () => contenders.map((c) => `${c.child.pid}: ${c.lines.join(' | ')}`).join('\n');

  for (let round = 0; round < ROUNDS; round++) {
    await until(() => contenders.every((c) => said(c, round, /^ready$/)), output);
    // Every contender is now blocked opening the FIFO; opening it for writing wakes them all.
    const go = await open(path.join(dir, `go-${round}`), 'w');
    try {
      await until(() => contenders.every((c) => said(c, round, /^(held|refused|failed)/)), output);
    } finally {
      await go.close();
    }
    const winners = contenders.filter((c) => said(c, round, /^held$/));
    expect({ round, winners: winners.map((c) => c.child.pid) }).toEqual({
      round,
      winners: [expect.any(Number)],
    });
    const winner = String(winners[0]?.child.pid);
    for (const c of contenders.filter((other) => !winners.includes(other)))
      expect(c.lines).toContain(`${round} refused ${winner}`);
  }

  for (const c of contenders) c.child.stdin.end();
  expect(await Promise.all(contenders.map((c) => c.exited))).toEqual(contenders.map(() => 0));
  // The winners released their locks on the way out, and no takeover left anything behind.
  expect(readdirSync(dir).sort()).toEqual(args.filter((_, i) => i % 2 === 0).map((f) => path.basename(f)));
}, 120_000);

it('takes over a stale lock whose takeover was cut short by its taker dying', () => {
  const [holder, taker] = [0, 1].map(() => spawnSync(process.execPath, ['-e', '']).pid);
  const dataDir = path.join(dir, 'pglite');
  writeFileSync(`${dataDir}.lock`, `${holder} 12345\n`);
  writeFileSync(takeoverClaimOf(`${dataDir}.lock`, `${holder} 12345\n`), `${taker} 12346\n`);

  const release = holdDataDir(dataDir);
  expect(readFileSync(`${dataDir}.lock`, 'utf8')).toMatch(new RegExp(`^${process.pid} `));
  expect(readdirSync(dir)).toEqual(['pglite.lock']);
  release();
  expect(readdirSync(dir)).toEqual([]);
});

it('waits for a live process taking over a stale lock, then names it', () => {
  const taker = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const dataDir = path.join(dir, 'pglite');
    writeFileSync(`${dataDir}.lock`, `${dead} 12345\n`);
    writeFileSync(takeoverClaimOf(`${dataDir}.lock`, `${dead} 12345\n`), `${taker.pid}\n`);

    const started = Date.now();
    expect(() => holdDataDir(dataDir)).toThrow(`in use by process ${taker.pid}`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_000);
    expect(readFileSync(`${dataDir}.lock`, 'utf8')).toBe(`${dead} 12345\n`);
  } finally {
    taker.kill();
  }
}, 30_000);
