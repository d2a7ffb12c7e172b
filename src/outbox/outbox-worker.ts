import type { DataSource } from 'typeorm';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import { claimDue, type Claim } from './claim';
import { deliverNextPart, type OutboxSender } from './delivery';
import type { OutboxRow } from './outbox-types';
import { decide, settle, type Settlement, type SettlePolicy } from './settle';

export interface OutboxWorkerOptions {
  /** Rows claimed per round. */
  readonly batchSize?: number;
  /** How long to sleep when nothing was due (wakeUp() cuts it short). */
  readonly pollIntervalMs?: number;
  /** Tries of one part before a retryable failure makes the row dead. */
  readonly maxAttempts?: number;
  /** Sends per webhook key per minute, across every worker on the database. */
  readonly ratePerMinute?: number;
  /**
   * How long a claimed row is reserved for its worker. A worker that dies mid-send leaves the row
   * to be sent again after this; it must exceed the longest send (token fetch, send and the one
   * retry after a token refresh: three 10 s calls), or a slow send is duplicated.
   */
  readonly leaseMs?: number;
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  /** A response_url is valid 1 hour; past this age it is not tried (the fallback is used). */
  readonly responseUrlMaxAgeMs?: number;
  /** Jitter source, in [0, 1); tests pin it. */
  readonly random?: () => number;
}

const DEFAULTS = {
  batchSize: 20,
  pollIntervalMs: 2000,
  maxAttempts: 8,
  ratePerMinute: 20,
  leaseMs: 120_000,
  backoffBaseMs: 5000,
  backoffMaxMs: 30 * 60_000,
  responseUrlMaxAgeMs: 55 * 60_000,
  random: Math.random,
} satisfies Required<OutboxWorkerOptions>;

/**
 * Sends the outbox: claims due rows with a lease, sends each one's next part, records the outcome.
 * Any number of workers, in one process or many, may run on one database. Delivery is at least
 * once: see src/outbox/index.ts for when a message can go out twice.
 */
export class OutboxWorker {
  private readonly settings: Required<OutboxWorkerOptions>;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private woken = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly client: OutboxSender,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: OutboxWorkerOptions = {},
  ) {
    // An option passed as undefined (an unset setting) keeps its default.
    const given = Object.entries(options).filter(([, value]) => value !== undefined);
    this.settings = { ...DEFAULTS, ...(Object.fromEntries(given) as OutboxWorkerOptions) };
  }

  /** Starts the polling loop; a no-op when it is running. */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Stops the loop after the batch in flight is sent and recorded. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.loop = null;
  }

  /** Asks for a round now: call it after committing outbox rows so they go out without waiting for the poll. */
  wakeUp(): void {
    this.woken = true;
    this.wake?.();
  }

  /** One round: claims due rows and sends one part of each. Returns how many rows it handled. */
  async runOnce(): Promise<number> {
    const s = this.settings;
    const claim = await claimDue(this.dataSource, this.clock.now(), s);
    await Promise.all(claim.rows.map((row) => this.process(claim, row)));
    return claim.rows.length;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      this.woken = false;
      let handled = 0;
      try {
        handled = await this.runOnce();
      } catch (error) {
        this.logger.warn(
          { err: error },
          'outbox round failed; retrying after the poll interval (is the database up?)',
        );
      }
      // Rows that were handled may have further parts due at once; otherwise wait for work.
      if (handled === 0 && this.idle()) await this.sleep(this.settings.pollIntervalMs);
    }
  }

  /** Read through a method: both flags change while runOnce() is awaited. */
  private idle(): boolean {
    return !this.woken && !this.stopping;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async process(claim: Claim, row: OutboxRow): Promise<void> {
    const log = this.logger.child({
      outboxId: row.id,
      purpose: row.purpose,
      destination: row.destination.type,
    });
    const settlement = await this.attempt(row);
    try {
      const held = await settle(this.dataSource, row.id, claim.token, settlement, this.clock.now());
      if (!held)
        log.warn('outbox row was taken over by another worker after its lease ran out; it may be sent twice');
      else this.report(log, row, settlement);
    } catch (error) {
      // The send happened but is not recorded: the row is sent again once its lease runs out.
      log.error({ err: error }, 'could not record an outbox send; it will be retried after the lease');
    }
  }

  private async attempt(row: OutboxRow): Promise<Settlement> {
    const now = this.clock.now();
    const d = row.destination;
    if (
      d.type === 'response_url' &&
      now.getTime() - row.created_at.getTime() > this.settings.responseUrlMaxAgeMs
    ) {
      const failure = { ok: false as const, retry: false, reason: 'response_url too old to use' };
      return decide(row, { kind: 'failed', failure }, now, this.policy());
    }
    const delivery = await deliverNextPart(this.client, row);
    return decide(row, delivery, this.clock.now(), this.policy());
  }

  private policy(): SettlePolicy {
    const s = this.settings;
    return { maxAttempts: s.maxAttempts, baseMs: s.backoffBaseMs, maxMs: s.backoffMaxMs, random: s.random };
  }

  /** Outcomes at warn carry no content and no key: the reason is written to say what to check. */
  private report(log: Logger, row: OutboxRow, s: Settlement): void {
    switch (s.kind) {
      case 'failed':
        log.warn({ attempts: row.attempts, reason: s.error }, 'outbox message failed permanently');
        return;
      case 'dead':
        log.warn(
          { attempts: row.attempts, reason: s.error },
          'outbox message gave up after its last attempt',
        );
        return;
      case 'fallback':
        log.info({ reason: s.error }, 'response_url unusable; the message goes to the group webhook instead');
        return;
      case 'retry':
        log.debug({ attempts: row.attempts, reason: s.error, at: s.at }, 'outbox send failed; will retry');
        return;
      case 'sent':
      case 'next_part':
        log.debug({ partsSent: s.partsSent }, 'outbox part sent');
        return;
    }
  }
}
