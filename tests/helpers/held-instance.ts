import type { InboundHandler } from '../../src/intake';
import type { TestDatabase } from './database';
import { DeskHarness } from './desk-harness';
import { testEnv } from './test-service';

/** A second instance of the desk whose transactions wait, uncommitted, until released. */
export interface HeldInstance {
  readonly desk: DeskHarness;
  /** Resolves once the instance has handled a message and holds its transaction open. */
  readonly holding: Promise<void>;
  /** Lets every held transaction commit. */
  release(): void;
  stop(): Promise<void>;
}

/** Handlers that do their work and then hold their transaction open until release(). */
export interface TransactionHold {
  /** `inner`, holding each transaction open after handling its messages. */
  readonly wrap: (inner: InboundHandler) => InboundHandler;
  /** Resolves once a wrapped handler has handled a message and holds its transaction open. */
  readonly holding: Promise<void>;
  /** Lets every held transaction commit. */
  readonly release: () => void;
}

/** Work in flight, done and not yet committed: for tests of what another instance sees meanwhile. */
export function transactionHold(): TransactionHold {
  let release: () => void = () => undefined;
  let holds: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const holding = new Promise<void>((resolve) => {
    holds = resolve;
  });
  const hold = async <T>(done: T): Promise<T> => {
    holds();
    await released;
    return done;
  };
  return {
    wrap: (inner) => ({
      handle: async (m, tx) => hold(await inner.handle(m, tx)),
      handleBatch: async (ms, tx) => hold(inner.handleBatch ? await inner.handleBatch(ms, tx) : undefined),
    }),
    holding,
    release: () => release(),
  };
}

/**
 * Another instance on the same database, its clock agreeing with `like`'s, whose desk holds each
 * transaction open after handling it until release(): work in flight on another instance, for
 * tests of what two instances do at the same moment.
 */
export async function startHeldInstance(db: TestDatabase, like: DeskHarness): Promise<HeldInstance> {
  const hold = transactionHold();
  const desk = new DeskHarness(db.dataSource, testEnv(), hold.wrap);
  await desk.start();
  desk.clock.set(like.clock.now());
  return {
    desk,
    holding: hold.holding,
    release: hold.release,
    stop: async () => {
      hold.release();
      await desk.stop();
    },
  };
}

/**
 * Returns once a transaction waits for a lock another holds: on PostgreSQL, one instance waiting
 * for the other to commit. The embedded database runs one transaction at a time, so there the
 * second waits for the first whatever it does.
 */
export async function waitingForAnother(db: TestDatabase): Promise<void> {
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
  if (db.kind !== 'postgres') return settle().then(() => undefined);
  for (let i = 0; i < 500; i++) {
    const [row] = await db.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (row?.n) return;
    await settle();
  }
  throw new Error('no transaction waited for another');
}
