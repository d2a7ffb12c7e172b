import type { DataSource } from 'typeorm';
import type { Clock } from '../shared/clock';
import { PollingLoop } from '../shared/polling-loop';
import { withDefaults } from '../shared/with-defaults';
import { summarizeError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { RunRecord, type RunSnapshot } from '../shared/run-record';
import { decryptMedia, MediaDecryptError } from '../wecom';
import { imageTypeOf } from './image-type';
import { httpMediaFetch, MediaTooLargeError, type MediaFetchFn } from './media-fetch';
import { claimDuePhotos, settlePhoto, type ClaimedPhoto, type PhotoOutcome } from './photo-store';

/** WeCom pads a file to a multiple of 32 bytes before encrypting it (PKCS#7, 1 to 32 bytes). */
const MEDIA_PADDING_BYTES = 32;

export interface PhotoKeeperOptions {
  /** The robot's EncodingAESKey (WECOM_BOT_AES_KEY): its files are encrypted with it. */
  readonly encodingAesKey: string;
  readonly fetch?: MediaFetchFn;
  /** Photos fetched at once per round. */
  readonly batchSize?: number;
  readonly pollIntervalMs?: number;
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
  /** Must exceed timeoutMs, or a slow fetch could be taken over and fetched twice. */
  readonly leaseMs?: number;
  /** How long WeCom's links work after the message (PROTOCOL.md §3.3: 5 minutes). */
  readonly linkLifetimeMs?: number;
  /** Waits before the 1st, 2nd, 3rd… retry; the last repeats. */
  readonly retryDelaysMs?: readonly number[];
}

const DEFAULTS = {
  fetch: httpMediaFetch,
  batchSize: 4,
  pollIntervalMs: 1000,
  timeoutMs: 10_000,
  maxBytes: 10 * 1024 * 1024,
  leaseMs: 60_000,
  linkLifetimeMs: 5 * 60_000,
  retryDelaysMs: [5000, 15_000, 45_000],
} satisfies Omit<Required<PhotoKeeperOptions>, 'encodingAesKey'>;

/** What /healthz shows of this instance's keeper. */
export interface PhotoKeeperHealth extends RunSnapshot {
  readonly state: 'running' | 'stopped';
  /** Whether its last round failed (it could not claim photos: the database?). */
  readonly failing: boolean;
  /** The photos this keeper tried since the process started, by what became of them. */
  readonly sinceStart: { readonly kept: number; readonly retried: number; readonly failed: number };
}

/** A failure no retry can mend: the same link gives the same bytes. */
class Permanent extends Error {}

/**
 * Keeps the photos residents send: claims pending inbound_photo rows, downloads each link,
 * decrypts it with the robot's key, checks it is an image and stores the bytes, within the
 * 5 minutes WeCom's links live. Several keepers, in one process or many, may share a database.
 * Logs never carry a link or a key.
 */
export class PhotoKeeper {
  private readonly s: Required<PhotoKeeperOptions>;
  private readonly loop: PollingLoop;
  private running = false;
  private readonly rounds = new RunRecord();
  private readonly tried = { kept: 0, retried: 0, failed: 0 };

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: PhotoKeeperOptions,
  ) {
    this.s = withDefaults(DEFAULTS, options);
    this.loop = new PollingLoop({
      // A full batch may have left due photos behind.
      round: async () => ({ more: (await this.runOnce()) >= this.s.batchSize }),
      pollIntervalMs: this.s.pollIntervalMs,
      onError: (error) =>
        this.logger.warn(
          { cause: summarizeError(error) },
          'photo round failed; retrying after the poll interval (is the database up?)',
        ),
    });
  }

  start(): void {
    this.running = true;
    this.loop.start();
  }

  /** Stops after the fetches in flight are recorded. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop.stop();
  }

  /** For /healthz: from memory, without a query. */
  health(): PhotoKeeperHealth {
    const rounds = this.rounds.snapshot();
    return {
      state: this.running ? 'running' : 'stopped',
      failing: rounds.lastAttempt?.outcome === 'failed',
      ...rounds,
      sinceStart: { ...this.tried },
    };
  }

  /** A new message may have brought photos: look now rather than at the next poll. */
  wakeUp(): void {
    this.loop.wakeUp();
  }

  /** One round: claims due photos and tries each once. Returns how many it tried. */
  async runOnce(): Promise<number> {
    let photos: ClaimedPhoto[];
    try {
      photos = await claimDuePhotos(this.dataSource, this.clock.now(), this.s.leaseMs, this.s.batchSize);
    } catch (error) {
      this.rounds.failed(this.clock.now(), error);
      throw error;
    }
    await Promise.all(photos.map((p) => this.keep(p)));
    this.rounds.succeeded(this.clock.now(), 'ok', { photos: photos.length });
    return photos.length;
  }

  private async keep(photo: ClaimedPhoto): Promise<void> {
    const log = this.logger.child({ photoId: photo.id, attempt: photo.attempts });
    const outcome = await this.attempt(photo);
    try {
      const held = await settlePhoto(this.dataSource, photo, outcome, this.clock.now());
      if (!held) {
        log.warn('photo was taken over by another keeper after its lease ran out');
        return;
      }
      this.count(outcome);
      if (outcome.kind === 'failed') log.warn({ reason: outcome.error }, 'photo could not be kept');
      else if (outcome.kind === 'retry')
        log.info({ reason: outcome.error, at: outcome.at }, 'photo fetch failed; will retry');
      else log.debug({ contentType: outcome.contentType, bytes: outcome.bytes.length }, 'photo kept');
    } catch (error) {
      // Summarized: a failed query's parameters hold the photo's bytes.
      log.error(
        { cause: summarizeError(error) },
        'could not record a photo; it is tried again after its lease',
      );
    }
  }

  /** Counts a settled photo for /healthz's sinceStart. */
  private count(outcome: PhotoOutcome): void {
    if (outcome.kind === 'kept') this.tried.kept++;
    else if (outcome.kind === 'retry') this.tried.retried++;
    else this.tried.failed++;
  }

  private async attempt(photo: ClaimedPhoto): Promise<PhotoOutcome> {
    const deadline = photo.receivedAt.getTime() + this.s.linkLifetimeMs;
    if (this.clock.now().getTime() >= deadline) {
      return { kind: 'failed', error: 'link expired before the photo could be fetched' };
    }
    try {
      return await this.fetchAndDecrypt(photo.url);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (error instanceof Permanent) return { kind: 'failed', error: reason };
      const delays = this.s.retryDelaysMs;
      const wait = delays[Math.min(photo.attempts, delays.length) - 1] ?? 5000;
      const at = new Date(this.clock.now().getTime() + wait);
      if (at.getTime() >= deadline) return { kind: 'failed', error: `link expired; last try: ${reason}` };
      return { kind: 'retry', at, error: reason };
    }
  }

  private async fetchAndDecrypt(url: string): Promise<PhotoOutcome> {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
      throw new Permanent('not an http(s) link');
    let answer;
    try {
      answer = await this.s.fetch(url, {
        signal: AbortSignal.timeout(this.s.timeoutMs),
        // The encrypted file is the photo plus up to 32 bytes of padding.
        maxBytes: this.s.maxBytes + MEDIA_PADDING_BYTES,
      });
    } catch (error) {
      if (error instanceof MediaTooLargeError)
        throw new Permanent(`file larger than ${this.s.maxBytes / 1048576} MB`);
      throw error;
    }
    if (answer.status !== 200) throw new Error(`download answered HTTP ${answer.status}`);
    let bytes: Buffer;
    try {
      bytes = decryptMedia(this.s.encodingAesKey, answer.body);
    } catch (error) {
      if (error instanceof MediaDecryptError) throw new Permanent(`cannot decrypt: ${error.message}`);
      throw error;
    }
    if (bytes.length > this.s.maxBytes)
      throw new Permanent(`file larger than ${this.s.maxBytes / 1048576} MB`);
    const contentType = imageTypeOf(bytes);
    if (!contentType) throw new Permanent('not an image (JPEG, PNG, GIF or WebP)');
    return { kind: 'kept', bytes, contentType };
  }
}
