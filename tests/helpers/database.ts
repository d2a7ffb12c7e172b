import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../src/db/data-source';

/**
 * A fresh, migrated database per test file: a new PostgreSQL database when DATABASE_URL is set
 * (CI runs the suite both ways), otherwise an in-memory embedded one.
 */
export interface TestDatabase {
  readonly dataSource: DataSource;
  readonly kind: 'postgres' | 'embedded';
  /** The URL of this test's own database (PostgreSQL only). */
  readonly url: string | undefined;
  close(): Promise<void>;
}

export const usingPostgres = Boolean(process.env.DATABASE_URL);

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates an empty PostgreSQL database next to DATABASE_URL's and returns its URL. */
export async function createScratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error('createScratchDatabase needs DATABASE_URL');
  const name = `mulin_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: withDatabase(base, name),
    async drop() {
      const c = new Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function openTestDatabase(): Promise<TestDatabase> {
  if (!usingPostgres) {
    const dataSource = await openDatabase({ databaseUrl: undefined, dataDir: 'memory' });
    return { dataSource, kind: 'embedded', url: undefined, close: () => dataSource.destroy() };
  }
  const scratch = await createScratchDatabase();
  const dataSource = await openDatabase({ databaseUrl: scratch.url, dataDir: 'unused' });
  return {
    dataSource,
    kind: 'postgres',
    url: scratch.url,
    async close() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await scratch.drop();
    },
  };
}

/** Empties the given tables between tests. */
export async function truncate(dataSource: DataSource, ...tables: string[]): Promise<void> {
  await dataSource.query(`TRUNCATE ${tables.join(', ')} RESTART IDENTITY CASCADE`);
}

/**
 * Undoes the newest migrations down to and including `name`, so that a test can write rows as the
 * schema before it had them and then run the upgrade. Named rather than counted: a count would
 * undo the wrong ones as soon as a later migration is added.
 */
export async function undoMigrationsThrough(dataSource: DataSource, name: string): Promise<void> {
  for (;;) {
    const [last] = await dataSource.query<{ name: string }[]>(
      `SELECT name FROM mulin_migrations ORDER BY id DESC LIMIT 1`,
    );
    if (!last) throw new Error(`migration ${name} is not applied`);
    await dataSource.undoLastMigration({ transaction: 'each' });
    if (last.name === name) return;
  }
}
