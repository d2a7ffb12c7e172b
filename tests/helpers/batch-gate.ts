import type { InboundHandler } from '../../src/intake';
import type { TestDatabase } from './database';
import type { DeskHarness, Said } from './desk-harness';

/**
 * Wraps the desk so that its transactions can be held open: messages sent meanwhile pile up and
 * are then stored and handled together, in one batch, in the order they came. Records the
 * messages each batch handled, by msgid.
 */
export class BatchGate {
  /** The messages each transaction handled, by msgid, in the order the transactions began. */
  batches: string[][] = [];
  private gate: Promise<void> | undefined;

  /** For openDesk's `wrap`. */
  readonly wrap = (inner: InboundHandler): InboundHandler => ({
    handle: async (m, tx) => {
      this.batches.push([m.msgId ?? '']);
      await this.gate;
      return inner.handle(m, tx);
    },
    handleBatch: async (ms, tx) => {
      this.batches.push(ms.map((m) => m.msgId ?? ''));
      await this.gate;
      return inner.handleBatch ? inner.handleBatch(ms, tx) : undefined;
    },
  });

  reset(): void {
    this.gate = undefined;
    this.batches = [];
  }

  /**
   * Sends `sends` (each a message with its own msgid, sent in this order) so that the desk handles
   * them in one batch: two chat lines first take the intake's two transactions (the embedded
   * database runs one at a time: the second waits for it), held until the rest have come.
   * Returns what each of `sends` queued.
   */
  async inOneBatch(
    desk: DeskHarness,
    db: TestDatabase,
    sends: readonly (() => Promise<Said>)[],
  ): Promise<Said[]> {
    let release: () => void = () => undefined;
    this.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const settle = () => new Promise((resolve) => setTimeout(resolve, 150));
    const before = this.batches.length;
    const first = Promise.all([desk.say('chen.ay', '大家早上好'), desk.say('li.xl', '早')]);
    const held = before + (db.kind === 'postgres' ? 2 : 1);
    for (let i = 0; i < 100 && this.batches.length < held; i++) await settle();
    if (this.batches.length !== held) throw new Error('the first messages were not held');
    const said: Promise<Said>[] = [];
    for (const send of sends) {
      said.push(send());
      await settle();
    }
    release();
    await first;
    const results = await Promise.all(said);
    this.gate = undefined;
    return results;
  }
}
