import type { EntityManager } from 'typeorm';
import { planDeliveries } from '../intake/deliveries';
import type { Ledger } from '../ledger/ledger';
import { enqueue } from '../outbox/enqueue';
import type { Audience, OutgoingMessage } from './outgoing';
import type { RequestRow } from './request-store';

export interface DeliverOptions {
  readonly ledger: Ledger;
  /** Whether private notices can go out through the self-built app. */
  readonly privateNotices: boolean;
  readonly now: Date;
  /**
   * Each delivery is queued under `${dedupeKey}:${i}` (the outbox adds each person's userid to a
   * private notice's): the caller's own record (a scheduler claim, an import's transaction)
   * already makes it happen once, and the outbox's unique dedupe key refuses a second copy even
   * if something went around it.
   */
  readonly dedupeKey: string;
}

/** Counted in outbox rows: a private notice to several people is a row for each. */
export interface DeliverResult {
  readonly queued: number;
  /** Already queued under the same key before: not queued again. */
  readonly duplicates: number;
  readonly undeliverable: number;
}

/**
 * Where messages that answer no chat message go, as {@link deliver} sends them: what a form can
 * say before it is sent (street-notices.ts).
 */
export function planNotices(
  messages: readonly OutgoingMessage[],
  ledger: Ledger,
  privateNotices: boolean,
): ReturnType<typeof planDeliveries> {
  // There is no message being answered, so nothing goes "here".
  return planDeliveries(messages, { place: undefined, replyUrl: null, senderId: '' }, ledger, privateNotices);
}

/**
 * Queues messages that answer no chat message (the scheduler's reminders, escalations and weekly
 * runs; a ledger import's hand-overs) in the caller's transaction, routed like the desk's.
 */
export async function deliver(
  tx: EntityManager,
  messages: readonly OutgoingMessage[],
  options: DeliverOptions,
): Promise<DeliverResult> {
  const { deliveries, undeliverable } = planNotices(messages, options.ledger, options.privateNotices);
  let queued = 0;
  let duplicates = 0;
  for (const [i, delivery] of deliveries.entries()) {
    const rows = await enqueue(tx, { ...delivery, dedupeKey: `${options.dedupeKey}:${i}` }, options.now);
    for (const row of rows) {
      if (row.created) queued++;
      else duplicates++;
    }
  }
  return { queued, duplicates, undeliverable: undeliverable.length };
}

/**
 * Where a notice @-ing someone about a request goes when there is no chat to answer in: the
 * request's building group, where its heads are; privately to that person when the group has no
 * robot to post with (and nowhere at all when the self-built app is not set up either).
 */
export function buildingNoticeAudience(
  ledger: Ledger,
  request: Pick<RequestRow, 'buildingId'>,
  person: string | null,
): Audience {
  const building = request.buildingId ? ledger.placeOfBuilding(request.buildingId)?.building : undefined;
  return building?.webhook_key || !person
    ? { to: 'building', buildingId: request.buildingId ?? '' }
    : { to: 'people', userIds: [person] };
}
