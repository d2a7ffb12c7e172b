import type { EntityManager } from 'typeorm';
import { planDeliveries } from '../intake/deliveries';
import type { Ledger } from '../ledger/ledger';
import { enqueue } from '../outbox/enqueue';
import type { OutgoingMessage } from '../requests/outgoing';

export interface DeliverOptions {
  readonly ledger: Ledger;
  /** Whether private notices can go out through the self-built app. */
  readonly privateNotices: boolean;
  readonly now: Date;
  /**
   * Each delivery is queued under `${dedupeKey}:${i}`: the claim already makes a run happen once,
   * and the outbox's unique dedupe key refuses a second copy even if something went around it.
   */
  readonly dedupeKey: string;
}

export interface DeliverResult {
  readonly queued: number;
  /** Already queued under the same key before: not queued again. */
  readonly duplicates: number;
  readonly undeliverable: number;
}

/** Queues the scheduler's messages in the caller's transaction, routed like the desk's. */
export async function deliver(
  tx: EntityManager,
  messages: readonly OutgoingMessage[],
  options: DeliverOptions,
): Promise<DeliverResult> {
  const { deliveries, undeliverable } = planDeliveries(
    messages,
    // The scheduler never answers "here": there is no message it is answering.
    { place: undefined, replyUrl: null, senderId: '' },
    options.ledger,
    options.privateNotices,
  );
  let queued = 0;
  let duplicates = 0;
  for (const [i, delivery] of deliveries.entries()) {
    const result = await enqueue(tx, { ...delivery, dedupeKey: `${options.dedupeKey}:${i}` }, options.now);
    if (result.created) queued++;
    else duplicates++;
  }
  return { queued, duplicates, undeliverable: undeliverable.length };
}
