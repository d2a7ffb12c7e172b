export interface PollingLoopOptions {
  /**
   * One round of work. `more` asks for the next round at once (a full batch may have left work
   * behind); otherwise the loop sleeps until the poll interval ends or wakeUp() is called.
   */
  readonly round: () => Promise<{ readonly more: boolean }>;
  /** How long to sleep when a round found nothing more to do. */
  readonly pollIntervalMs: number;
  /**
   * The least time between the end of a round and a round started by wakeUp(): a wakeUp() while
   * the loop idles starts a round at once, but under a stream of wake-ups rounds are this far
   * apart, so the work arriving meanwhile shares one round instead of each starting its own.
   */
  readonly wakeDelayMs?: number;
  /** Told of a round that threw; the loop waits out a poll interval, which wakeUp() does not cut short. */
  readonly onError: (error: unknown) => void;
}

/**
 * Runs rounds of work in a loop until stopped: at once while there is more, after a poll interval
 * when there is not, sooner when woken. The outbox worker and the photo keeper are each one.
 */
export class PollingLoop {
  private loop: Promise<void> | null = null;
  private stopping = false;
  private woken = false;
  /** Ends the current sleep at once (stop). */
  private wake: (() => void) | null = null;
  /** Ends the current sleep after wakeDelayMs (wakeUp). */
  private hurry: (() => void) | null = null;
  /** performance.now() when the last round ended. */
  private lastRoundEnd = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: PollingLoopOptions) {}

  /** Starts the loop; a no-op when it is running. */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Stops the loop once the round in flight has ended. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.loop = null;
  }

  /**
   * Asks for a round soon. Calls while a round runs, or within wakeDelayMs of its end, lead to
   * one round.
   */
  wakeUp(): void {
    this.woken = true;
    this.hurry?.();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      this.woken = false;
      let more = false;
      try {
        more = (await this.options.round()).more;
      } catch (error) {
        this.lastRoundEnd = performance.now();
        this.options.onError(error);
        await this.sleep(this.options.pollIntervalMs, false);
        continue;
      }
      this.lastRoundEnd = performance.now();
      if (more || this.flags().stopping) continue;
      // Woken while the round ran: gather that burst briefly, then go again. Woken while asleep:
      // go at once, unless the last round ended less than wakeDelayMs ago.
      await this.sleep(this.flags().woken ? (this.options.wakeDelayMs ?? 0) : this.options.pollIntervalMs);
    }
  }

  /** Read through a method: both flags change while a round is awaited. */
  private flags(): { woken: boolean; stopping: boolean } {
    return { woken: this.woken, stopping: this.stopping };
  }

  /** Sleeps ms; stop() ends it at once, and wakeUp() after wakeDelayMs when `wakeable`. */
  private sleep(ms: number, wakeable = true): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopping) {
        resolve();
        return;
      }
      let hurried = false;
      const done = (): void => {
        clearTimeout(timer);
        this.wake = null;
        this.hurry = null;
        resolve();
      };
      let timer = setTimeout(done, ms);
      this.wake = done;
      this.hurry = () => {
        if (hurried || !wakeable) return;
        hurried = true;
        clearTimeout(timer);
        const sinceRound = performance.now() - this.lastRoundEnd;
        timer = setTimeout(done, Math.max(0, Math.min(ms, (this.options.wakeDelayMs ?? 0) - sinceRound)));
      };
    });
  }
}
