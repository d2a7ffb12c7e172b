import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../../src/db/data-source';
import { spawnService } from '../../helpers/service-process';

/**
 * The embedded database is one process's: PGlite keeps its pages in that process's memory. A
 * second process opening the same directory (`mulin ledger import` while the service runs) used
 * to report success and have its writes lost when the service next wrote its own pages back.
 */
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'mulin-lock-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const settings = () => ({ databaseUrl: undefined, dataDir });

async function cli(...args: string[]): Promise<{ code: number | null; output: string }> {
  const proc = spawnService({ MULIN_DATA_DIR: dataDir }, 'src/cli.ts', args);
  const code = await proc.exited;
  return { code, output: proc.output() };
}

it('refuses a second process on a directory in use, changing nothing, and lets it in once closed', async () => {
  const first: DataSource = await openDatabase(settings());
  let closed = false;
  try {
    const refused = await cli('ledger', 'import', 'examples/ledger.yaml');
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/in use by process \d+/);
    expect(refused.output).toContain('DATABASE_URL');
    expect(await first.query(`SELECT count(*)::int AS n FROM ledger_version`)).toEqual([{ n: 0 }]);
    await first.destroy();
    closed = true;
    const imported = await cli('ledger', 'import', 'examples/ledger.yaml');
    expect(imported.output).toContain('Ledger imported as version 1');
    expect(imported.code).toBe(0);
  } finally {
    if (!closed) await first.destroy();
  }
}, 120_000);

it('refuses a second open in the same process too', async () => {
  const first = await openDatabase(settings());
  try {
    await expect(openDatabase(settings())).rejects.toThrow(/in use by process/);
  } finally {
    await first.destroy();
  }
  const again = await openDatabase(settings());
  await again.destroy();
}, 60_000);

it('takes over the lock of a process that died without closing', async () => {
  const dead = spawnSync(process.execPath, ['-e', '']).pid;
  writeFileSync(path.join(dataDir, 'pglite.lock'), `${dead}\n`);
  const opened = await openDatabase(settings());
  await opened.destroy();
}, 60_000);

it('takes over a lock whose pid now belongs to another process, and keeps one whose holder runs', async () => {
  // A live process that is not the holder: its pid with another start time, as after the holder
  // died and the pid was handed out again (a restarted container).
  const other = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    const pid = other.pid ?? 0;
    const started = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[19];
    expect(started).toMatch(/^\d+$/);
    writeFileSync(path.join(dataDir, 'pglite.lock'), `${pid} ${Number(started) - 1}\n`);
    const opened = await openDatabase(settings());
    await opened.destroy();

    writeFileSync(path.join(dataDir, 'pglite.lock'), `${pid} ${started}\n`);
    await expect(openDatabase(settings())).rejects.toThrow(`in use by process ${pid}`);
  } finally {
    other.kill();
  }
}, 60_000);
