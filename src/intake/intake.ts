import type { DataSource, EntityManager } from 'typeorm';
import type { InboundMessageRecord } from '../db/entities';
import { AppError, summarizeError } from '../shared/errors';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import type { InboundMessage } from '../wecom';
import { insertInboundOnce } from './inbound-store';

/**
 * What happens to a newly stored message. It runs inside the transaction that stored the
 * message, so its effects (requests, events, outgoing messages) commit together with it.
 */
export interface InboundHandler {
  handle(message: InboundMessageRecord, tx: EntityManager): Promise<void>;
}

export const ignoreInbound: InboundHandler = { handle: () => Promise.resolve() };

export type AcceptOutcome = 'stored' | 'duplicate';

export class Intake {
  constructor(
    private readonly dataSource: DataSource,
    private readonly handler: InboundHandler,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** Runs after a new message and its effects have been committed. */
    private readonly onStored: () => void = () => undefined,
  ) {}

  /**
   * Stores the message once and runs the handler on it. A handler failure is recorded on the
   * message (status "failed") and does not fail the delivery: retrying would not help, and the
   * message is kept for an operator. A database failure throws AppError('database_unavailable'),
   * so WeCom retries.
   */
  async accept(message: InboundMessage): Promise<AcceptOutcome> {
    const log = this.logger.child({ channel: message.channel, msgid: message.msgId, chatid: message.chatId });
    try {
      const outcome = await this.dataSource.transaction(async (tx): Promise<AcceptOutcome> => {
        const stored = await insertInboundOnce(tx, message);
        if (!stored) return 'duplicate';
        await this.process(stored, tx, log);
        return 'stored';
      });
      if (outcome === 'stored') this.onStored();
      return outcome;
    } catch (error) {
      throw new AppError(
        'database_unavailable',
        'could not store the message: check that the database is up',
        {
          cause: error,
        },
      );
    }
  }

  private async process(stored: InboundMessageRecord, tx: EntityManager, log: Logger): Promise<void> {
    let failure: string | null = null;
    try {
      // A nested transaction is a savepoint: a failing handler rolls back its own work only.
      await tx.transaction((inner) => this.handler.handle(stored, inner));
    } catch (error) {
      if (isConnectionLoss(error)) throw error;
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
  }
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
