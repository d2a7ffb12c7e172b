import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';
import { holdDataDir } from './embedded-lock';
import { entities } from './entities';
import { migrations } from './migrations';
import { openPglite, pgliteDriver } from './pglite-driver';
import { PreparingClient } from './preparing-client';

export interface DatabaseSettings {
  /** A postgres:// URL; unset means the embedded database. */
  readonly databaseUrl: string | undefined;
  /** Named prepared statements on PostgreSQL (off for PgBouncer in transaction mode); default on. */
  readonly prepareStatements?: boolean;
  /** Where the embedded database keeps its files; ignored on PostgreSQL. "memory" keeps nothing. */
  readonly dataDir: string;
  /** How long a statement may take before the pool gives up on it; default 10 s. Not migrations'. */
  readonly queryTimeoutMs?: number;
}

const DEFAULT_QUERY_TIMEOUT_MS = 10_000;

const common = {
  type: 'postgres' as const,
  entities,
  migrations,
  migrationsTableName: 'mulin_migrations',
  migrationsTransactionMode: 'each' as const,
  // The schema is owned by migrations only.
  synchronize: false,
};

/**
 * Options for PostgreSQL: fail fast when the server is gone so callers can answer 503. A
 * `queryTimeoutMs` of 0 waits for every statement as long as it takes.
 */
export function postgresOptions(
  url: string,
  prepareStatements = true,
  queryTimeoutMs = DEFAULT_QUERY_TIMEOUT_MS,
): PostgresDataSourceOptions {
  return {
    ...common,
    url,
    connectTimeoutMS: 3000,
    poolSize: 10,
    applicationName: 'mulin',
    // PostgreSQL's JIT (on by default) compiles any query its planner prices high, which the weekly
    // figures over a large street are: compiling took ten times longer than running them
    // (docs/benchmarks.md). Mulin's queries are all short; none gains from it.
    extra: {
      ...(queryTimeoutMs > 0 ? { query_timeout: queryTimeoutMs } : {}),
      idleTimeoutMillis: 30000,
      options: '-c jit=off',
      ...(prepareStatements ? { Client: PreparingClient } : {}),
    },
  };
}

export function embeddedDataDir(dataDir: string): string | undefined {
  return dataDir === 'memory' ? undefined : path.resolve(dataDir, 'pglite');
}

/** Builds (but does not open) the DataSource for these settings. */
export function createDataSource(settings: DatabaseSettings): DataSource {
  if (settings.databaseUrl)
    return new DataSource(
      postgresOptions(settings.databaseUrl, settings.prepareStatements, settings.queryTimeoutMs),
    );
  const dir = embeddedDataDir(settings.dataDir);
  if (dir) mkdirSync(dir, { recursive: true });
  const release = dir ? holdDataDir(dir) : undefined;
  const db = openPglite(dir);
  return new DataSource({ ...common, driver: pgliteDriver(db, release) });
}

/** Opens the database and brings its schema up to date. */
export async function openDatabase(settings: DatabaseSettings): Promise<DataSource> {
  if (settings.databaseUrl) {
    await migratePostgres(settings.databaseUrl);
    const dataSource = createDataSource(settings);
    await dataSource.initialize();
    return dataSource;
  }
  const dataSource = createDataSource(settings);
  await dataSource.initialize();
  try {
    await migrate(dataSource);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}

/**
 * Migrates on a pool of its own with no query timeout: a migration that rebuilds an index or
 * backfills a column over years of requests can take longer than the service's statements may,
 * and one cut off by the timeout would stop the service from starting at all. Unprepared, since
 * each migration's statements run once.
 */
async function migratePostgres(url: string): Promise<void> {
  const migrator = new DataSource({ ...postgresOptions(url, false, 0), poolSize: 2 });
  await migrator.initialize();
  try {
    await withMigrationLock(migrator, () => migrate(migrator));
  } finally {
    await migrator.destroy();
  }
}

async function migrate(dataSource: DataSource): Promise<void> {
  await dataSource.runMigrations({ transaction: 'each' });
}

/** An advisory lock class of Mulin's own (the scheduler's is 0x4d4c), key 0: the schema. */
export const MIGRATION_LOCK_CLASS = 0x4d4d;
const LOCK_POLL_MS = 100;

/**
 * Runs `work` while this instance holds the schema's advisory lock. Instances started together
 * on one database would otherwise each create the migrations table and apply the same migration,
 * and all but one fail to start. The lock is a transaction's, held by a transaction kept open on
 * a connection of its own while `work` runs on others: it ends with that transaction, or with the
 * connection if the process dies, and behind PgBouncer in transaction mode the open transaction
 * keeps its server connection, where a session lock and its unlock could land on two. It is
 * polled for rather than waited on, so a wait for another instance's migrations is never one
 * long statement.
 */
async function withMigrationLock(dataSource: DataSource, work: () => Promise<void>): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.startTransaction();
    for (;;) {
      const [row] = (await runner.query(`SELECT pg_try_advisory_xact_lock($1::int, 0) AS locked`, [
        MIGRATION_LOCK_CLASS,
      ])) as { locked: boolean }[];
      if (row?.locked) break;
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
    await work();
  } finally {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    await runner.release();
  }
}
