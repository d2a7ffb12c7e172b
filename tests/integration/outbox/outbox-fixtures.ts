import type { DataSource } from 'typeorm';
import {
  enqueue,
  OutboxWorker,
  type OutboxItem,
  type OutboxSender,
  type OutboxWorkerOptions,
} from '../../../src/outbox';
import { fixedClock } from '../../../src/shared/clock';
import { silentLogger, type Logger } from '../../../src/shared/logger';
export { capturingLogger } from '../../helpers/capturing-logger';
import { WecomClient, type OutgoingBody, type SendOutcome } from '../../../src/wecom/client';
import { WecomSimulator } from '../../../src/wecom/simulator';
import { openTestDatabase, truncate, type TestDatabase } from '../../helpers/database';

export const NOW = new Date('2026-11-28T02:00:00Z');
export const APP = { corpId: 'ww0123456789abcdef', corpSecret: 'app-secret-not-real', agentId: 1000005 };

/** Options that make rounds deterministic: no jitter, short backoff, one-minute lease. */
export const TEST_OPTIONS: OutboxWorkerOptions = {
  batchSize: 10,
  pollIntervalMs: 20,
  maxAttempts: 3,
  leaseMs: 60_000,
  backoffBaseMs: 1000,
  random: () => 0,
};

export const later = (ms: number, from: Date = NOW): Date => new Date(from.getTime() + ms);

/** Commits the items in one transaction, as a request change would; returns the rows' ids. */
export async function enqueueAll(
  dataSource: DataSource,
  items: OutboxItem[],
  now: Date = NOW,
): Promise<string[]> {
  return dataSource.transaction(async (tx) => {
    const ids: string[] = [];
    for (const item of items) ids.push(...(await enqueue(tx, item, now)).map((row) => row.id));
    return ids;
  });
}

/** Runs the workers' rounds side by side until none of them finds anything due. */
export async function drain(workers: OutboxWorker[], maxRounds = 500): Promise<number> {
  let total = 0;
  for (let round = 0; round < maxRounds; round++) {
    const handled = await Promise.all(workers.map((w) => w.runOnce()));
    const sum = handled.reduce((a, b) => a + b, 0);
    if (sum === 0) return total;
    total += sum;
  }
  throw new Error(`the outbox did not drain in ${maxRounds} rounds`);
}

export interface RowView {
  id: string;
  status: string;
  attempts: number;
  parts_sent: number;
  rate_key: string | null;
  destination: Record<string, unknown>;
  last_error: string | null;
  next_attempt_at: Date;
  claim_token: string | null;
}

export function rows(dataSource: DataSource): Promise<RowView[]> {
  return dataSource.query(
    `SELECT id, status, attempts, parts_sent, rate_key, destination, last_error, next_attempt_at, claim_token
     FROM outbox ORDER BY id`,
  );
}

/**
 * Wraps a sender so that each send first (or after the real send) reaches a gate: `reached`
 * resolves when a send gets there, and the send then waits until `open()`, or forever. Stands in
 * for a worker process that stalls or dies mid-send.
 */
export function gatedSender(real: OutboxSender, when: 'before_send' | 'after_send') {
  let signal: () => void = () => undefined;
  const reached = new Promise<void>((resolve) => {
    signal = resolve;
  });
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const wrap =
    <A extends unknown[]>(send: (...args: A) => Promise<SendOutcome>) =>
    async (...args: A): Promise<SendOutcome> => {
      if (when === 'before_send') {
        signal();
        await gate;
        return send(...args);
      }
      const outcome = await send(...args);
      signal();
      await gate;
      return outcome;
    };
  const sender: OutboxSender = {
    sendToWebhook: wrap((key: string, body: OutgoingBody) => real.sendToWebhook(key, body)),
    replyViaResponseUrl: wrap((url: string, body: OutgoingBody) => real.replyViaResponseUrl(url, body)),
    sendAppMessage: wrap((ids: readonly string[], body: OutgoingBody) => real.sendAppMessage(ids, body)),
  };
  return { sender, reached, open: () => release() };
}

export const KEY = 'wh-building-3';
export const OTHER_KEY = 'wh-building-5';

/** What a worker test runs on; the simulator, client and clock are fresh for each test. */
export interface WorkerBench {
  readonly clock: ReturnType<typeof fixedClock>;
  readonly dataSource: DataSource;
  readonly sim: WecomSimulator;
  readonly client: WecomClient;
  readonly worker: (options?: OutboxWorkerOptions, sender?: OutboxSender, logger?: Logger) => OutboxWorker;
}

/**
 * A database for the file, and before each test an empty outbox, the clock at NOW and a simulator
 * that knows KEY and OTHER_KEY. Registers jest hooks: call it once, at the top of a test file.
 */
export function useWorkerBench(): WorkerBench {
  const clock = fixedClock(NOW);
  let db: TestDatabase | undefined;
  let sim: WecomSimulator | undefined;
  let client: WecomClient | undefined;
  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useWorkerBench: used outside a test');
    return value;
  };
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db?.close());
  beforeEach(async () => {
    await truncate(need(db).dataSource, 'outbox', 'outbox_rate');
    clock.set(NOW);
    sim = new WecomSimulator({ clock, apps: [APP] });
    sim.registerWebhookKey(KEY);
    sim.registerWebhookKey(OTHER_KEY);
    await sim.start();
    client = new WecomClient({ apiBase: sim.url, app: APP, clock, timeoutMs: 2000 });
  });
  afterEach(() => sim?.stop());
  return {
    clock,
    get dataSource() {
      return need(db).dataSource;
    },
    get sim() {
      return need(sim);
    },
    get client() {
      return need(client);
    },
    worker: (options = {}, sender, logger = silentLogger) =>
      new OutboxWorker(need(db).dataSource, sender ?? need(client), clock, logger, {
        ...TEST_OPTIONS,
        ...options,
      }),
  };
}

/** A text notice to a group. */
export const text = (content: string, webhookKey = KEY): OutboxItem => ({
  purpose: 'notice',
  destination: { type: 'group_webhook', webhookKey },
  body: { kind: 'text', content },
});
