import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { WecomSimulator } from '../../src/wecom/simulator';
import { BOT_SECRETS, APP_SECRETS } from '../../tests/helpers/wecom-payloads';
import type { RunContext } from './context';
import { prepareDatabase } from './desk-db';
import type { PostTarget } from './http-load';
import { withScratchDatabase } from './postgres';

export const ROOT = path.resolve(__dirname, '..', '..');

/** Secrets the harnesses give the service; the log scan looks for each of them. */
export const ADMIN_TOKEN = 'benchAdminToken-7c1d9e2f4a6b';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Where a fresh build goes when dist/ is stale: outside git, ESLint and Prettier, yet under node_modules. */
const BUILD_DIR = path.join('node_modules', '.cache', 'mulin-bench');

/**
 * The compiled service, as `npm start` runs it: dist/ when it is newer than every source file
 * (CI builds it in `npm ci`), otherwise a build of the current sources into BUILD_DIR, so a
 * benchmark never measures stale code.
 */
export function serviceEntry(log: (line: string) => void = () => undefined): string {
  // MULIN_BENCH_ENTRY measures another build (e.g. one from before a change), for before/after figures.
  const given = process.env.MULIN_BENCH_ENTRY;
  if (given) return path.resolve(given);
  const sources = Math.max(
    newestMtime(path.join(ROOT, 'src')),
    statSync(path.join(ROOT, 'package.json')).mtimeMs,
  );
  for (const outDir of ['dist', BUILD_DIR]) {
    const entry = path.join(ROOT, outDir, 'src', 'main.js');
    if (existsSync(entry) && statSync(entry).mtimeMs >= sources) return entry;
  }
  log(`building the service into ${BUILD_DIR} (dist/ is older than src/)`);
  try {
    execFileSync(
      path.join(ROOT, 'node_modules', '.bin', 'tsc'),
      ['-p', 'tsconfig.build.json', '--outDir', BUILD_DIR],
      { cwd: ROOT, stdio: 'pipe' },
    );
  } catch (error) {
    // tsc still emits on type errors (another change in progress); the build is usable.
    const out = (error as { stdout?: Buffer }).stdout?.toString() ?? '';
    log(`tsc reported errors; using its output anyway:\n${out.split('\n').slice(0, 5).join('\n')}`);
  }
  return path.join(ROOT, BUILD_DIR, 'src', 'main.js');
}

export interface ServiceOptions {
  readonly port: number;
  /** Unset: the embedded database under dataDir. */
  readonly databaseUrl?: string;
  readonly dataDir?: string;
  readonly apiBase: string;
  /** stdout and stderr go here (appended), for the readiness check and the log scan. */
  readonly logFile: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly entry: string;
}

/** The environment an operator would set for a robot-and-app deployment against the simulator. */
export function serviceEnv(o: ServiceOptions): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    PORT: String(o.port),
    // Loopback only: the service runs with the test secrets and admin token written in the repo.
    HOST: '127.0.0.1',
    MULIN_TRIAL: 'off',
    LOG_LEVEL: 'info',
    WECOM_BOT_TOKEN: BOT_SECRETS.token,
    WECOM_BOT_AES_KEY: BOT_SECRETS.aesKey,
    WECOM_CORP_ID: APP_SECRETS.receiveId,
    WECOM_CALLBACK_TOKEN: APP_SECRETS.token,
    WECOM_CALLBACK_AES_KEY: APP_SECRETS.aesKey,
    WECOM_API_BASE: o.apiBase,
    MULIN_ADMIN_TOKEN: ADMIN_TOKEN,
    ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}),
    ...(o.dataDir ? { MULIN_DATA_DIR: o.dataDir } : {}),
    ...o.env,
    // MULIN_BENCH_SERVICE_ENV="LOG_LEVEL=warn,…" overrides the service's environment, for experiments.
    ...Object.fromEntries(
      (process.env.MULIN_BENCH_SERVICE_ENV ?? '')
        .split(',')
        .filter((pair) => pair.includes('='))
        .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
    ),
  };
}

/** One service process (node dist/src/main.js), started, observed and stopped by a harness. */
export class ServiceProcess {
  private child: ChildProcess | null = null;
  private exit: Promise<number | null> = Promise.resolve(null);
  private logOffset = 0;
  spawnedAt = 0;

  constructor(readonly options: ServiceOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** A method, not a getter: TypeScript would keep a getter's value narrowed across awaits. */
  running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  /** Spawns the process and resolves once it logs "ready", with the ms from spawn to ready. */
  async start(timeoutMs = 60_000): Promise<number> {
    if (this.running()) throw new Error('already running');
    this.logOffset = existsSync(this.options.logFile) ? statSync(this.options.logFile).size : 0;
    const fd = openSync(this.options.logFile, 'a');
    this.spawnedAt = Date.now();
    // MULIN_BENCH_CPU_PROF=DIR writes a V8 CPU profile of each service process there at its exit.
    const profile = process.env.MULIN_BENCH_CPU_PROF;
    // MULIN_BENCH_NODE_ARGS adds node options (e.g. --heapsnapshot-signal=SIGUSR2), for experiments.
    const nodeArgs = [
      ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
      ...(process.env.MULIN_BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== ''),
    ];
    const child = spawn(process.execPath, [...nodeArgs, this.options.entry], {
      cwd: ROOT,
      env: serviceEnv(this.options),
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    this.child = child;
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // pino's own timestamp of the "ready" line, when logged, so polling adds nothing to the figure;
      // at quieter log levels, the first healthy answer.
      const logged = this.readyTime();
      if (logged !== null) return logged - this.spawnedAt;
      if (await this.healthy()) return (this.readyTime() ?? Date.now()) - this.spawnedAt;
      if (!this.running())
        throw new Error(`the service exited before it was ready:\n${this.newLog().slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`the service was not ready within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** GET /healthz answers 200 (the database is reachable). */
  async healthy(): Promise<boolean> {
    try {
      const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(3000) });
      await res.arrayBuffer();
      return res.status === 200;
    } catch {
      return false;
    }
  }

  /** The log written since the last start. */
  newLog(): string {
    if (!existsSync(this.options.logFile)) return '';
    return readFileSync(this.options.logFile).subarray(this.logOffset).toString('utf8');
  }

  private readyTime(): number | null {
    for (const line of this.newLog().split('\n')) {
      if (!line.includes('"msg":"ready"')) continue;
      try {
        return (JSON.parse(line) as { time: number }).time;
      } catch {
        return null;
      }
    }
    return null;
  }

  /** Resident set size in MB, from /proc. */
  rssMb(): number {
    if (!this.child?.pid) return Number.NaN;
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
    return kb / 1024;
  }

  kill(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it has not exited within graceMs; resolves with the exit code. */
  async stop(graceMs = 15_000): Promise<number | null> {
    if (!this.child) return null;
    if (!this.running()) return this.exit;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    const code = await this.exit;
    clearTimeout(timer);
    return code;
  }

  async killHard(): Promise<void> {
    if (!this.running()) return;
    this.child?.kill('SIGKILL');
    await this.exit;
  }
}

/**
 * A port per harness role (slot 0–99). Below Linux's ephemeral range (32768–60999): outgoing
 * connections take their local ports there, and listening on a port one of them holds fails with
 * EADDRINUSE (seen in a smoke run: a kept-alive connection had taken the service's port).
 */
export function portFor(slot: number): number {
  if (!Number.isInteger(slot) || slot < 0 || slot >= 100)
    throw new RangeError(`port slot ${slot} out of 0–99`);
  return 10000 + (process.pid % 100) * 100 + slot;
}

/** What a benchmark against one service process is handed: the service runs and is ready. */
export interface BenchService {
  readonly service: ServiceProcess;
  /** The WeCom the service sends to, accepting any webhook key. */
  readonly simulator: WecomSimulator;
  readonly databaseUrl: string;
  /** Where to send callbacks to the service. */
  readonly target: PostTarget;
}

export interface BenchServiceOptions {
  /** Names the log file (NAME-service.log) and the scratch database (mulin_bench_NAME). */
  readonly name: string;
  /** The service's port slot (see portFor). */
  readonly slot: number;
  /**
   * A database the caller has prepared and drops itself; unset: a scratch database, prepared with
   * the street's ledger for this run and dropped after it.
   */
  readonly databaseUrl?: string;
}

/**
 * Runs `run` against a ready service process, with the WeCom simulator and a database, and stops
 * and removes all of them afterwards, whether `run` succeeds or throws.
 */
export async function withBenchService<T>(
  ctx: RunContext,
  options: BenchServiceOptions,
  run: (bench: BenchService) => Promise<T>,
): Promise<T> {
  if (options.databaseUrl !== undefined) return withServiceOn(ctx, options, options.databaseUrl, run);
  return withScratchDatabase(`mulin_bench_${options.name.replace(/\W/g, '_')}`, async (db) => {
    await prepareDatabase(db.url, ctx.ledger);
    return withServiceOn(ctx, options, db.url, run);
  });
}

async function withServiceOn<T>(
  ctx: RunContext,
  options: BenchServiceOptions,
  databaseUrl: string,
  run: (bench: BenchService) => Promise<T>,
): Promise<T> {
  const simulator = new WecomSimulator({ acceptAnyWebhookKey: true });
  await simulator.start();
  const service = new ServiceProcess({
    port: portFor(options.slot),
    databaseUrl,
    apiBase: simulator.url,
    logFile: path.join(ctx.workDir, `${options.name}-service.log`),
    entry: ctx.entry,
  });
  try {
    await service.start();
    return await run({
      service,
      simulator,
      databaseUrl,
      target: { host: '127.0.0.1', port: service.options.port },
    });
  } finally {
    await service.stop();
    await simulator.stop();
  }
}
