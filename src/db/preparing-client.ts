import { createHash } from 'node:crypto';
import { Client } from 'pg';

/**
 * How many statements one connection keeps prepared. Mulin's statements come from a fixed set of
 * texts (a few dozen); the bound only guards against a text that varies with its input, such as
 * a generated IN list, filling the server's memory. Past it, statements are sent unnamed.
 */
const MAX_PREPARED = 256;

/**
 * A node-postgres client that sends every statement with parameters as a named prepared
 * statement, so PostgreSQL parses and analyses each text once per connection and, after a few
 * runs, reuses its plan. node-postgres sends statements unnamed unless told a name, and TypeORM
 * has no way to tell it one; parsing and planning were a third of PostgreSQL's CPU per callback
 * (docs/benchmarks.md). The name is derived from the text, so a text always gets the same name.
 *
 * Used through the pool option `Client`. Not for PgBouncer in transaction mode (before 1.21),
 * which cannot keep a prepared statement on a server connection: DATABASE_PREPARE=off.
 */
export class PreparingClient extends Client {
  private readonly prepared = new Set<string>();

  // node-postgres overloads query() many ways; only (text, values[]) is rewritten, as TypeORM calls it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const [text, values] = args as [unknown, unknown];
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0 && args.length === 2) {
      const name = this.nameFor(text);
      if (name) {
        return super.query({ name, text, values }).catch((error: unknown) => {
          // Several connections may fail on the same generation at once: it is renamed once.
          if (isStalePlan(error) && (renamed.get(text) ?? 0) === generationIn(name)) {
            renamed.set(text, generationIn(name) + 1);
          }
          throw error;
        });
      }
    }
    // eslint-disable-next-line @typescript-eslint/no-unsafe-argument
    return (super.query as (...a: unknown[]) => unknown)(...args);
  }

  private nameFor(text: string): string | undefined {
    // A statement whose result columns changed under it (a migration adding a column to a table it
    // reads with *, by a newer instance in a rolling deploy) fails once with "cached plan must not
    // change result type"; the failed call's transaction is lost, and later calls, on every
    // connection of the process, prepare it afresh under a new name.
    const name = `${statementName(text)}_${renamed.get(text) ?? 0}`;
    if (this.prepared.has(name)) return name;
    if (this.prepared.size >= MAX_PREPARED) return undefined;
    this.prepared.add(name);
    return name;
  }
}

/**
 * Texts whose prepared statement went stale, by how many times: shared by every connection, so
 * one failure renames the statement on all of them (each would otherwise fail once).
 */
const renamed = new Map<string, number>();

/** The generation a statement's name ends with. */
function generationIn(name: string): number {
  return Number(name.slice(name.lastIndexOf('_') + 1));
}

/** Names already derived, shared by every connection: a hash per statement showed in profiles. */
const names = new Map<string, string>();

function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `mulin_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    // Bounded like each connection's set: texts that vary with their input are not kept.
    if (names.size < MAX_PREPARED * 4) names.set(text, name);
  }
  return name;
}

/** PostgreSQL's answer to running a prepared statement whose result columns have changed since. */
function isStalePlan(error: unknown): boolean {
  // By the routine that raised it: the message is translated where lc_messages is not English.
  const e = error as { code?: unknown; routine?: unknown } | null;
  return e?.code === '0A000' && e.routine === 'RevalidateCachedQuery';
}

/**
 * Whether this error (or the driver error TypeORM wrapped) is a prepared statement gone stale:
 * the next call prepares it afresh, so the work is worth doing again, not recording as failed.
 */
export function isStalePreparedStatement(error: unknown): boolean {
  const wrapped = error as { driverError?: unknown } | null;
  return isStalePlan(error) || isStalePlan(wrapped?.driverError);
}
