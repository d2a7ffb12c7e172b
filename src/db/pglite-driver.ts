import { EventEmitter } from 'node:events';
import { type Extension, PGlite, types, type PGliteOptions } from '@electric-sql/pglite';

/**
 * Lets TypeORM's postgres driver run on an embedded PGlite database.
 *
 * PGlite is one database session. typeorm-pglite hands that session to every caller at once, so
 * two concurrent transactions interleave in it (one's ROLLBACK undoes the other's work), and it
 * keeps one PGlite per process. This adapter owns its PGlite and behaves like a pool of size one:
 * a caller holds the session from connect() until it releases it, so transactions stay isolated.
 */

type Row = Record<string, unknown>;
interface PgLikeResult {
  rows: Row[];
  rowCount: number;
  command: string | undefined;
  fields: { name: string; dataTypeID: number }[];
}

// TypeORM passes booleans in several spellings; PGlite would otherwise reject some of them.
const serializeBool = (value: unknown): string =>
  value === true || value === 'true' || value === 1
    ? 'TRUE'
    : value === false || value === 'false' || value === 0
      ? 'FALSE'
      : String(value);

export const PGLITE_TYPE_OPTIONS: Pick<PGliteOptions, 'parsers' | 'serializers'> = {
  // node-postgres returns int8 as a string; do the same so entity code sees one type.
  parsers: { [types.INT8]: (value: string) => value },
  serializers: { [types.BOOL]: serializeBool },
};

/** A FIFO lock: one holder of the session at a time. */
class SessionLock {
  private held = false;
  private readonly waiting: (() => void)[] = [];

  acquire(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        this.held = true;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.release();
        });
      };
      if (this.held) this.waiting.push(grant);
      else grant();
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held = false;
  }
}

class PgliteClient extends EventEmitter {
  constructor(private readonly db: PGlite) {
    super();
  }

  async query(sql: string, params?: unknown[]): Promise<PgLikeResult> {
    if (params && params.length > 0) {
      const r = await this.db.query<Row>(sql, params);
      return {
        rows: r.rows,
        rowCount: r.affectedRows ?? r.rows.length,
        command: commandOf(sql),
        fields: r.fields,
      };
    }
    // exec runs several statements (migrations may send them together); TypeORM wants the last result.
    const results = await this.db.exec(sql);
    const last = results[results.length - 1];
    return {
      rows: last?.rows ?? [],
      rowCount: last?.affectedRows ?? last?.rows.length ?? 0,
      command: commandOf(sql),
      fields: last?.fields ?? [],
    };
  }
}

function commandOf(sql: string): string | undefined {
  return /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase();
}

/**
 * Returns the `driver` option for a TypeORM postgres DataSource backed by this PGlite;
 * `onClosed` runs once the database is closed (it releases the data directory).
 */
export function pgliteDriver(db: PGlite, onClosed?: () => void): unknown {
  const lock = new SessionLock();
  const client = new PgliteClient(db);
  class Pool extends EventEmitter {
    connect(
      callback: (err: unknown, client: PgliteClient | null, release: (err?: unknown) => void) => void,
    ): void {
      if (db.closed) {
        callback(new Error('embedded database is closed'), null, () => undefined);
        return;
      }
      void lock.acquire().then((release) => {
        callback(null, client, () => release());
      });
    }

    end(callback: (err: unknown) => void): void {
      db.close().then(
        () => {
          onClosed?.();
          callback(null);
        },
        (err: unknown) => callback(err),
      );
    }
  }
  return { Pool };
}

/**
 * PostgreSQL's default 128 MB of shared buffers is most of an idle embedded service's memory (the
 * WASM heap is touched as the buffers fill) and far more than one street's data needs: at 16 MB the
 * idle process stays well under 300 MB (docs/benchmarks.md). Set on the command line, as PGlite's
 * `postgresqlconf` option would replace the data directory's whole postgresql.conf.
 */
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

/**
 * pg_trgm, for the index that serves 搜索 (migration 1764301700000). Required rather than imported:
 * it is a subpath of the package's exports, which the project's TypeScript resolution does not read.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pg_trgm } = require('@electric-sql/pglite/contrib/pg_trgm') as { pg_trgm: Extension };

/** Starts opening an embedded database; queries wait until it is ready. */
export function openPglite(dataDir: string | undefined): PGlite {
  return new PGlite({
    ...(dataDir ? { dataDir } : {}),
    startParams: START_PARAMS,
    extensions: { pg_trgm },
    ...PGLITE_TYPE_OPTIONS,
  });
}
