import type { DataSource } from 'typeorm';
import type { Clock } from '../shared/clock';
import { PollingLoop } from '../shared/polling-loop';
import { withDefaults } from '../shared/with-defaults';
import type { Logger } from '../shared/logger';
import { claimDue, type Claim } from './claim';
import { deliverNextPart, type OutboxSender } from './delivery';
import type { OutboxRow } from './outbox-types';
import { APP_MESSAGES_PER_HOUR } from './rate-limit';
import { decide, settleMany, type SettleItem, type Settlement, type SettlePolicy } from './settle';

export interface OutboxWorkerOptions {
  /** Rows claimed per round. */
  readonly batchSize?: number;
  /**
   * Due rows looked at per round (at least batchSize): rows waiting behind an earlier row of their
   * key are parked as they are found, so a larger scan works through a fresh backlog in fewer rounds.
   */
  readonly scanLimit?: number;
  /** How long to sleep when nothing was due (wakeUp() cuts it short). */
  readonly pollIntervalMs?: number;
  /**
   * The least time between the end of a round and a round started by wakeUp(): a wakeUp() while
   * the worker idles starts a round at once, but under a stream of commits rounds are this far
   * apart, so the commits meanwhile share one round instead of each starting its own.
   */
  readonly wakeDelayMs?: number;
  /**
   * How long the sends of a round that finished are held for the ones still out, so that they are
   * recorded together (one statement). A slow send does not hold the others longer than this.
   */
  readonly settleDelayMs?: number;
  /**
   * How often the running loop checks that no key is stuck with its first pending row parked
   * (it cannot happen through this worker; rows parked by hand or by another version could).
   */
  readonly sweepIntervalMs?: number;
  /** Tries of one part before a retryable failure makes the row dead. */
  readonly maxAttempts?: number;
  /** Sends per webhook key per minute, across every worker on the database. */
  readonly ratePerMinute?: number;
  /**
   * Private notices to one person per hour (a sliding hour and a second), across every worker on
   * the database: WeCom drops app messages past 1,000 an hour to one member. At least 1.
   */
  readonly appMessagesPerHour?: number;
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
  scanLimit: 100,
  pollIntervalMs: 2000,
  wakeDelayMs: 10,
  settleDelayMs: 20,
  sweepIntervalMs: 60_000,
  maxAttempts: 8,
  ratePerMinute: 20,
  appMessagesPerHour: APP_MESSAGES_PER_HOUR,
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
  private readonly loop: PollingLoop;
  private lastSweep = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly dataSource: DataSource,
    private readonly client: OutboxSender,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: OutboxWorkerOptions = {},
  ) {
    this.settings = withDefaults(DEFAULTS, options);
    this.loop = new PollingLoop({
      round: async () => {
        await this.sweepIfDue();
        return this.round();
      },
      pollIntervalMs: this.settings.pollIntervalMs,
      wakeDelayMs: this.settings.wakeDelayMs,
      onError: (error) =>
        this.logger.warn(
          { err: error },
          'outbox round failed; retrying after the poll interval (is the database up?)',
        ),
    });
  }

  /** Starts the polling loop; a no-op when it is running. */
  start(): void {
    this.loop.start();
  }

  /** Stops the loop after the batch in flight is sent and recorded. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /**
   * Asks for a round soon: call it after committing outbox rows so they go out without waiting for
   * the poll. Calls while a round runs, or within wakeDelayMs of its end, lead to one round.
   */
  wakeUp(): void {
    this.loop.wakeUp();
  }

  /** One round: claims due rows and sends one part of each. Returns how many rows it handled. */
  async runOnce(): Promise<number> {
    return (await this.round()).handled;
  }

  /**
   * Unparks the first pending row of any key whose first pending row is parked, which would keep
   * the key from sending. The worker's own claims and settles never leave a key so; this covers
   * rows parked by hand or by another version. Reads every pending keyed row: the loop runs it
   * once per sweepIntervalMs. Returns how many rows it unparked.
   */
  async unparkStranded(): Promise<number> {
    const result = await this.dataSource.query<[unknown[], number]>(
      `UPDATE outbox o SET parked = false
       FROM (SELECT DISTINCT ON (rate_key) id, parked FROM outbox
             WHERE status = 'pending' AND rate_key IS NOT NULL ORDER BY rate_key, id) h
       WHERE o.id = h.id AND h.parked AND o.parked AND o.status = 'pending'`,
    );
    return result[1];
  }

  private async round(): Promise<{ handled: number; more: boolean }> {
    const s = this.settings;
    const claim = await claimDue(this.dataSource, this.clock.now(), s);
    let followUp = false;
    if (claim.rows.length > 0) {
      const batch = new SettleBatch(this.dataSource, claim.rows.length, s.settleDelayMs);
      await Promise.all(claim.rows.map((row) => this.process(claim, row, batch)));
      // A next part, a fallback, or a key's next row unparked and due now: another round at once.
      const now = this.clock.now().getTime();
      followUp = batch.followUp || batch.nextDue.some((due) => due.getTime() <= now);
    }
    // A full batch or a full scan may have left due rows unread.
    const more =
      followUp || claim.rows.length >= s.batchSize || claim.examined >= Math.max(s.batchSize, s.scanLimit);
    return { handled: claim.rows.length, more };
  }

  private async sweepIfDue(): Promise<void> {
    const now = this.clock.now().getTime();
    if (now - this.lastSweep < this.settings.sweepIntervalMs && now >= this.lastSweep) return;
    this.lastSweep = now;
    const unparked = await this.unparkStranded();
    if (unparked > 0)
      this.logger.warn({ unparked }, 'outbox rows were parked behind rows already settled; unparked them');
  }

  private async process(claim: Claim, row: OutboxRow, batch: SettleBatch): Promise<void> {
    const log = this.logger.child({
      outboxId: row.id,
      purpose: row.purpose,
      destination: row.destination.type,
    });
    let settlement: Settlement;
    try {
      settlement = await this.attempt(row);
    } catch (error) {
      batch.skip();
      throw error;
    }
    try {
      const held = await batch.record({
        rowId: row.id,
        claimToken: claim.token,
        settlement,
        now: this.clock.now(),
      });
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

/**
 * The settlements of one round, recorded together: once every send of the round has ended, or
 * delayMs after the first one that is waiting, whichever comes first.
 */
class SettleBatch {
  private waiting: { item: SettleItem; resolve: (held: boolean) => void; reject: (e: unknown) => void }[] =
    [];
  private timer: NodeJS.Timeout | null = null;
  /** A recorded next part or fallback: due at once. */
  followUp = false;
  /** When the rows the settles unparked are due. */
  readonly nextDue: Date[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private outstanding: number,
    private readonly delayMs: number,
  ) {}

  /** Resolves with whether the claim still held the row when it was recorded. */
  record(item: SettleItem): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.ended();
    });
  }

  /** A row of the round that will not be recorded. */
  skip(): void {
    this.ended();
  }

  private ended(): void {
    this.outstanding--;
    if (this.outstanding <= 0) this.flush();
    else if (!this.timer && this.waiting.length > 0)
      this.timer = setTimeout(() => this.flush(), this.delayMs);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.waiting.splice(0);
    if (batch.length === 0) return;
    settleMany(
      this.dataSource,
      batch.map((b) => b.item),
    ).then(
      (settled) => {
        this.nextDue.push(...settled.nextDue);
        for (const b of batch) {
          const held = settled.held.has(b.item.rowId);
          const kind = b.item.settlement.kind;
          if (held && (kind === 'next_part' || kind === 'fallback')) this.followUp = true;
          b.resolve(held);
        }
      },
      (error: unknown) => {
        for (const b of batch) b.reject(error);
      },
    );
  }
}
