import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { postgresCpuSeconds, postgresStillServes, reapedChildrenCpuSeconds } from './cpu';

const run = promisify(execFile);

/**
 * Scratch databases on the machine's PostgreSQL (never its own databases: each run creates and
 * drops its own), and pgbench as the baseline. The server is taken from BENCH_DATABASE_URL, else
 * DATABASE_URL, else the local server CI uses.
 */
export function serverUrl(): string {
  return (
    process.env.BENCH_DATABASE_URL ??
    process.env.DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres'
  );
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface ScratchDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createScratchDatabase(prefix: string, base = serverUrl()): Promise<ScratchDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(3).toString('hex')}`;
  await adminQuery(base, `CREATE DATABASE ${name}`);
  return {
    name,
    url: withDatabase(base, name),
    drop: () => adminQuery(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** Runs `run` on a scratch database created for it, and drops the database afterwards. */
export async function withScratchDatabase<T>(
  prefix: string,
  run: (db: ScratchDatabase) => Promise<T>,
): Promise<T> {
  const db = await createScratchDatabase(prefix);
  try {
    return await run(db);
  } finally {
    await db.drop();
  }
}

/** Runs a query on a fresh connection and returns its rows. */
export async function queryRows<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query(sql, params);
    return result.rows as T[];
  } finally {
    await client.end();
  }
}

export async function serverVersion(url = serverUrl()): Promise<string> {
  const [row] = await queryRows<{ server_version: string }>(url, 'SHOW server_version');
  return row?.server_version ?? 'unknown';
}

export interface PgbenchResult {
  readonly tps: number;
  readonly latencyAvgMs: number;
  readonly p99Ms: number;
  readonly transactions: number;
  /** CPU seconds the run took: the pgbench process's own, and PostgreSQL's (all its processes). */
  readonly cpu: { readonly pgbench: number; readonly postgres: number };
}

/** A pgbench script and its weight among the run's scripts (pgbench's `-f file@weight`). */
export interface PgbenchScript {
  readonly name: string;
  readonly text: string;
  readonly weight?: number;
}

/**
 * pgbench with one single-row INSERT per transaction (autocommit, so each one commits and waits
 * for its WAL flush, as Mulin's callback transaction does), at the given number of clients.
 */
export async function pgbenchInsert(url: string, clients: number, seconds: number): Promise<PgbenchResult> {
  await adminQuery(
    url,
    `CREATE TABLE IF NOT EXISTS bench_insert (id bigserial PRIMARY KEY, v text NOT NULL)`,
  );
  return pgbench(url, {
    clients,
    seconds,
    scripts: [{ name: 'insert', text: `INSERT INTO bench_insert (v) VALUES ('callback');\n` }],
  });
}

export interface PgbenchRun {
  readonly clients: number;
  readonly seconds: number;
  readonly scripts: readonly PgbenchScript[];
  /** pgbench's -M: `simple` sends the text each time, `prepared` parses and plans once per client. */
  readonly protocol?: 'simple' | 'prepared';
}

/**
 * Runs pgbench on `url` (no vacuum, no tables of its own), with the CPU it and PostgreSQL spent
 * and the p99 from its per-transaction logs.
 */
export async function pgbench(url: string, options: PgbenchRun): Promise<PgbenchResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mulin-pgbench-'));
  try {
    const scriptArgs = options.scripts.flatMap((script) => {
      const file = path.join(dir, `${script.name}.sql`);
      writeFileSync(file, script.text);
      return ['-f', script.weight === undefined ? file : `${file}@${script.weight}`];
    });
    const u = new URL(url);
    const args = [
      '-n',
      '-c',
      String(options.clients),
      '-j',
      String(Math.min(options.clients, 2)),
      '-T',
      String(options.seconds),
      '-M',
      options.protocol ?? 'simple',
      ...scriptArgs,
      '-l',
      '--log-prefix',
      path.join(dir, 'log'),
      '-h',
      // A Unix socket's directory is percent-encoded in the URL (postgres://user@%2Fvar%2Frun%2Fpostgresql/db).
      decodeURIComponent(u.hostname),
      '-p',
      u.port || '5432',
      '-U',
      decodeURIComponent(u.username || 'postgres'),
      u.pathname.slice(1),
    ];
    const pgbenchCpu0 = reapedChildrenCpuSeconds();
    const postgresCpu0 = postgresCpuSeconds();
    const { stdout } = await run('pgbench', args, { maxBuffer: 16 * 1024 * 1024 });
    // pgbench has exited and been waited for, so its CPU is in this process's children's time
    // (the harness starts no other child meanwhile). Its backends may still be on their way out.
    const pgbenchCpu = reapedChildrenCpuSeconds() - pgbenchCpu0;
    await backendsGone(u.pathname.slice(1), 2000);
    const postgresCpu = postgresCpuSeconds() - postgresCpu0;
    const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1]);
    const latency = Number(/latency average = ([\d.]+) ms/.exec(stdout)?.[1]);
    const transactions = Number(/number of transactions actually processed: (\d+)/.exec(stdout)?.[1]);
    const failed = Number(/number of failed transactions: (\d+)/.exec(stdout)?.[1] ?? 0);
    if (!(transactions > 0) || failed > 0) {
      throw new Error(`pgbench: ${transactions} transactions, ${failed} failed:\n${stdout}`);
    }
    const p99 = p99FromLogs(dir);
    return {
      tps,
      latencyAvgMs: latency,
      p99Ms: p99,
      transactions,
      cpu: { pgbench: pgbenchCpu, postgres: postgresCpu },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Waits until the backends that served `database` have exited and been reaped (or the time runs
 * out): only then is their CPU in postgresCpuSeconds(), added to the postmaster's children's time.
 */
async function backendsGone(database: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (postgresStillServes(database) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** pgbench's per-transaction logs: the third field is the latency in microseconds. */
function p99FromLogs(dir: string): number {
  const latencies: number[] = [];
  for (const file of readdirSync(dir).filter((f) => f.startsWith('log'))) {
    for (const line of readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      const us = Number(line.split(' ')[2]);
      if (Number.isFinite(us) && line !== '') latencies.push(us / 1000);
    }
  }
  latencies.sort((a, b) => a - b);
  return latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.99) - 1)] ?? Number.NaN;
}
