import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A PostgreSQL server of the run's own, in a temporary directory on its own port, so the chaos
 * case can stop, crash and restart it without touching the machine's shared server (which the
 * test suite and CI use). PostgreSQL refuses to run as root: as root, its commands run as the
 * `postgres` user through runuser.
 */
const BIN = process.env.MULIN_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export class PrivatePostgres {
  readonly dir: string;
  readonly dataDir: string;
  readonly logFile: string;

  constructor(readonly port: number) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'mulin-chaos-pg-'));
    this.dataDir = path.join(this.dir, 'data');
    this.logFile = path.join(this.dir, 'postgres.log');
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private async pg(tool: string, args: string[]): Promise<void> {
    const asRoot = process.getuid?.() === 0;
    const [command, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', path.join(BIN, tool), ...args]]
      : [path.join(BIN, tool), args];
    await run(command, argv, { timeout: 60_000 });
  }

  async init(): Promise<void> {
    if (process.getuid?.() === 0) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      chownSync(this.dir, Number(stdout.trim()), Number(gid.trim()));
    }
    await this.pg('initdb', [
      '-D',
      this.dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    await this.start();
  }

  /** Starts and waits until it accepts connections; loopback only, its socket in the run's directory. */
  async start(): Promise<void> {
    await this.pg('pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      this.logFile,
      '-w',
      '-t',
      '60',
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c log_min_messages=warning`,
      'start',
    ]);
  }

  /** fast: clean shutdown, clients disconnected; immediate: a crash, recovered from WAL at the next start. */
  async stop(mode: 'fast' | 'immediate'): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
  }

  log(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
  }

  /** Stops the server if it runs and removes its directory. */
  async destroy(): Promise<void> {
    if (existsSync(path.join(this.dataDir, 'postmaster.pid')))
      await this.stop('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
