import type { DataSource, EntityManager } from 'typeorm';
import type { InboundMessageRecord } from '../db/entities';
import { AppError, summarizeError } from '../shared/errors';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import type { InboundMessage } from '../wecom';
import { isStalePreparedStatement } from '../db/preparing-client';
import { insertInboundBatch, insertInboundOnce } from './inbound-store';

/**
 * What a handler does once its transaction has committed, such as writing its log lines: work that
 * is rolled back and done again (a failed batch, handled again one message at a time) must not
 * have been reported the first time.
 */
export type AfterCommit = () => void;

/**
 * What happens to a newly stored message. It runs inside the transaction that stored the
 * message, so its effects (requests, events, outgoing messages) commit together with it.
 */
export interface InboundHandler {
  handle(message: InboundMessageRecord, tx: EntityManager): Promise<AfterCommit | undefined>;
  /**
   * Several stored messages, in order, in the one transaction that stored them; the same effects
   * as handle() on each in turn. Without it, handle() is called on each.
   */
  handleBatch?(
    messages: readonly InboundMessageRecord[],
    tx: EntityManager,
  ): Promise<AfterCommit | undefined>;
}

export interface IntakeOptions {
  /** The most messages stored and handled in one transaction. */
  readonly maxBatch?: number;
  /**
   * Transactions open at once. Messages arriving while they run wait, and go together in the
   * next one (group commit): a transaction's round trips and its commit are shared by its batch.
   */
  readonly maxConcurrent?: number;
  /** Told the size of every batch that committed (for the metrics). */
  readonly onBatch?: (messages: number) => void;
  /**
   * The most messages waiting for a transaction. Past it a new message is refused with 503 (WeCom
   * sends it again later) rather than queued: it bounds the memory a flood can take.
   */
  readonly maxWaiting?: number;
}

interface Waiting {
  readonly message: InboundMessage;
  readonly resolve: (outcome: AcceptOutcome) => void;
  readonly reject: (error: unknown) => void;
}

export const ignoreInbound: InboundHandler = { handle: () => Promise.resolve(undefined) };

export type AcceptOutcome = 'stored' | 'duplicate';

export class Intake {
  private readonly waiting: Waiting[] = [];
  /** The outcome of each message waiting or being stored, by channel and dedupe key. */
  private readonly pending = new Map<string, Promise<AcceptOutcome>>();
  private running = 0;
  private refusedSinceWarning = 0;
  private lastRefusalWarning = 0;
  private readonly maxBatch: number;
  private readonly maxConcurrent: number;
  private readonly maxWaiting: number;
  private readonly onBatch: (messages: number) => void;

  constructor(
    private readonly dataSource: DataSource,
    private readonly handler: InboundHandler,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** Runs after new messages and their effects have been committed. */
    private readonly onStored: (stored: readonly InboundMessage[]) => void = () => undefined,
    options: IntakeOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 32;
    this.maxConcurrent = options.maxConcurrent ?? 2;
    this.maxWaiting = options.maxWaiting ?? 20_000;
    this.onBatch = options.onBatch ?? (() => undefined);
  }

  /**
   * Stores the message once and runs the handler on it; resolves when both are committed. A
   * handler failure is recorded on the message (status "failed") and does not fail the delivery:
   * retrying would not help, and the message is kept for an operator. A database failure throws
   * AppError('database_unavailable'), so WeCom retries.
   *
   * Messages that arrive together are stored and handled in one transaction. If that transaction
   * fails for any reason but a lost connection, each of its messages is accepted again on its own,
   * so one bad message cannot hold back the others, and the outcome is what accepting it alone
   * would have been.
   */
  accept(message: InboundMessage): Promise<AcceptOutcome> {
    // WeCom sends a message again when it got no 200 within 5 s. While the first delivery is still
    // waiting or being stored, the repeat shares its outcome instead of queueing a second copy:
    // under a backlog, repeats would otherwise triple the work just when there is least capacity.
    const key = `${message.channel}\n${message.dedupeKey}`;
    const same = this.pending.get(key);
    if (same) return same.then((): AcceptOutcome => 'duplicate');
    if (this.waiting.length >= this.maxWaiting) {
      this.noteRefusal();
      return Promise.reject(
        new AppError(
          'overloaded',
          `${this.waiting.length} messages are waiting to be stored; refused for now`,
        ),
      );
    }
    const outcome = new Promise<AcceptOutcome>((resolve, reject) => {
      this.waiting.push({ message, resolve, reject });
      this.startBatches();
    });
    this.pending.set(key, outcome);
    const forget = () => this.pending.delete(key);
    outcome.then(forget, forget);
    return outcome;
  }

  /**
   * One warning per 10 s while messages are refused, not one per message: a flood is when the
   * process can least afford thousands of log lines a second (each refusal is counted in
   * mulin_callbacks_total{outcome="overloaded"} all the same).
   */
  private noteRefusal(): void {
    this.refusedSinceWarning++;
    const now = Date.now();
    if (now - this.lastRefusalWarning < 10_000) return;
    this.logger.warn(
      { refused: this.refusedSinceWarning, waiting: this.waiting.length },
      'intake full: new messages refused with 503 until the database catches up; check its load',
    );
    this.lastRefusalWarning = now;
    this.refusedSinceWarning = 0;
  }

  private startBatches(): void {
    while (this.running < this.maxConcurrent && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      this.running++;
      void this.runBatch(batch).finally(() => {
        this.running--;
        this.startBatches();
      });
    }
  }

  private async runBatch(batch: readonly Waiting[]): Promise<void> {
    let stored: { outcomes: AcceptOutcome[]; afterCommit: AfterCommit[] };
    try {
      stored = await this.storeBatch(batch.map((w) => w.message));
    } catch (error) {
      if (isConnectionLoss(error)) {
        for (const w of batch) w.reject(unavailable(error));
        return;
      }
      if (batch.length > 1) {
        this.logger.warn(
          { cause: summarizeError(error), messages: batch.length },
          'a batch of messages failed; accepting them one at a time',
        );
      }
      for (const w of batch) await this.acceptAlone(w.message).then(w.resolve, w.reject);
      return;
    }
    // Committed: answer first, so nothing that follows can leave a delivery without its answer.
    batch.forEach((w, i) => {
      w.resolve(stored.outcomes[i] ?? 'duplicate');
    });
    this.afterCommit([
      ...stored.afterCommit,
      () => this.onBatch(batch.length),
      ...(stored.outcomes.includes('stored')
        ? [() => this.onStored(batch.filter((_, i) => stored.outcomes[i] === 'stored').map((w) => w.message))]
        : []),
    ]);
  }

  /** Runs what waits for a commit; a failure there is logged, it cannot undo the commit. */
  private afterCommit(work: readonly AfterCommit[]): void {
    for (const run of work) {
      try {
        run();
      } catch (error) {
        this.logger.error({ cause: summarizeError(error) }, 'after a commit, a follow-up failed');
      }
    }
  }

  private storeBatch(
    messages: readonly InboundMessage[],
  ): Promise<{ outcomes: AcceptOutcome[]; afterCommit: AfterCommit[] }> {
    return this.dataSource.transaction(async (tx) => {
      const stored = await insertInboundBatch(tx, messages, this.clock.now());
      const fresh = stored.filter((s): s is InboundMessageRecord => s !== null);
      const afterCommit: (AfterCommit | undefined)[] = [];
      if (fresh.length > 0) {
        if (this.handler.handleBatch) afterCommit.push(await this.handler.handleBatch(fresh, tx));
        else for (const m of fresh) afterCommit.push(await this.handler.handle(m, tx));
      }
      return {
        outcomes: stored.map((s): AcceptOutcome => (s ? 'stored' : 'duplicate')),
        afterCommit: afterCommit.filter((f): f is AfterCommit => typeof f === 'function'),
      };
    });
  }

  /** One message in its own transaction, its handler in a savepoint: a failure is recorded on it. */
  private async acceptAlone(message: InboundMessage): Promise<AcceptOutcome> {
    const log = this.logger.child({ channel: message.channel, msgid: message.msgId, chatid: message.chatId });
    try {
      const { outcome, committed } = await this.dataSource.transaction(async (tx) => {
        const stored = await insertInboundOnce(tx, message, this.clock.now());
        if (!stored) return { outcome: 'duplicate' as const, committed: undefined };
        return { outcome: 'stored' as const, committed: await this.process(stored, tx, log) };
      });
      this.afterCommit([
        ...(committed ? [committed] : []),
        ...(outcome === 'stored' ? [() => this.onStored([message])] : []),
      ]);
      return outcome;
    } catch (error) {
      throw unavailable(error);
    }
  }

  private async process(
    stored: InboundMessageRecord,
    tx: EntityManager,
    log: Logger,
  ): Promise<AfterCommit | undefined> {
    let failure: string | null = null;
    let committed: AfterCommit | undefined = undefined;
    try {
      // A nested transaction is a savepoint: a failing handler rolls back its own work only.
      committed = await tx.transaction((inner) => this.handler.handle(stored, inner));
    } catch (error) {
      // Worth a retry (WeCom sends the message again), not a message kept as failed: the database
      // went away, or a migration by a newer instance staled a prepared statement (renamed by now).
      if (isConnectionLoss(error) || isStalePreparedStatement(error)) throw error;
      failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      log.error(
        // Summarized: a failed query's parameters hold the resident's message.
        {
          cause: summarizeError(error),
          stack: error instanceof Error ? error.stack : undefined,
          inboundId: stored.id,
        },
        'handling a stored message failed; it is kept as failed',
      );
    }
    await tx.query(
      `UPDATE inbound_message SET status = $1, processed_at = $2, process_error = $3 WHERE id = $4`,
      [failure ? 'failed' : 'processed', this.clock.now(), failure, stored.id],
    );
    return committed;
  }
}

function unavailable(cause: unknown): AppError {
  return new AppError('database_unavailable', 'could not store the message: check that the database is up', {
    cause,
  });
}

/** Errors that mean the database went away, as opposed to a bug in a handler. */
export function isConnectionLoss(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const e = current as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    const code = typeof e.code === 'string' ? e.code : '';
    const message = typeof e.message === 'string' ? e.message : '';
    if (/^(08|57P0)/.test(code) || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code))
      return true;
    if (/Connection terminated|connection timeout|closed|not connected/i.test(message)) return true;
    current = e.driverError ?? e.cause;
  }
  return false;
}
