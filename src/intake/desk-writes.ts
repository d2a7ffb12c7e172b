import type { EntityManager } from 'typeorm';
import { runInserts } from '../db/json-insert';
import { outboxInsert } from '../outbox';
import {
  eventsInsert,
  newRequestRow,
  releaseRequestNos,
  reserveRequests,
  reserveRequestsReadingLedgerVersion,
  type NewEvent,
  type NewRequest,
  type RequestRow,
  requestRowsInsert,
} from '../requests/request-store';
import {
  attachPhotosToRequest,
  awaitFilingsInFlight,
  type AttachedPhotos,
} from '../requests/later-photos-store';
import {
  insertHold,
  postersRecent,
  takeHolds,
  type HeldPhotos,
  type PostersRecent,
} from '../requests/held-photos-store';
import { directRequestWrites, type RequestWrites } from '../requests/request-writes';
import type { Clock } from '../shared/clock';
import type { Delivery } from './deliveries';

/** Everything the desk writes while handling messages: requests, their events, and replies. */
export interface DeskWrites extends RequestWrites {
  enqueue(deliveries: readonly Delivery[]): Promise<void>;
  /** Writes out whatever is buffered, so that the transaction's next queries see it. */
  flush(): Promise<void>;
}

/** One message at a time: every write goes straight into the transaction. */
export function directDeskWrites(tx: EntityManager, clock: Clock): DeskWrites {
  const writes = directRequestWrites(tx);
  // Once: the counter stays held until commit.
  let settled: Promise<void> | undefined;
  return {
    ...writes,
    settleFilings: () => (settled ??= writes.settleFilings()),
    enqueue: (deliveries) => runInserts(tx, [outboxInsert(deliveries, clock.now())]),
    flush: () => Promise.resolve(),
  };
}

/**
 * A batch of messages in one transaction: request numbers and ids are reserved for the whole batch
 * in one round trip, and the batch's requests, events and replies are written in one statement
 * whatever its size. Round trips, not rows, are what a callback costs (docs/benchmarks.md).
 */
export class BatchDeskWrites implements DeskWrites {
  private nextFreeNo = 0;
  private reservedNos = 0;
  /** Whether this transaction holds the request counter's row (it took numbers, or waited for it). */
  private holdsCounter = false;
  private readonly reservedIds: string[] = [];
  private requests: RequestRow[] = [];
  private events: (NewEvent & { requestId: string })[] = [];
  private deliveries: Delivery[] = [];
  /** Who posts in this batch: their recent requests are read together, at the first look. */
  private posters: readonly string[] = [];
  /** Their active recent requests and held photos as read since the last flush, and from when. */
  private recent: { since: Date; read: PostersRecent } | undefined;

  constructor(
    private readonly tx: EntityManager,
    private readonly clock: Clock,
  ) {}

  /**
   * The batch's first round trip: takes numbers and ids for the requests it is expected to create,
   * and returns the newest ledger version. Returns the version only: a batch that turns out to
   * need more numbers takes them with reserve().
   */
  async open(expectedRequests: number): Promise<number> {
    const { reserved, ledgerVersion } = await reserveRequestsReadingLedgerVersion(this.tx, expectedRequests);
    this.took(expectedRequests, reserved);
    return ledgerVersion;
  }

  /** Takes numbers and ids for more requests than the batch expected. */
  async reserve(count: number): Promise<void> {
    if (count <= 0) return;
    this.took(count, await reserveRequests(this.tx, count));
  }

  private took(count: number, reserved: { firstNo: number; ids: string[] }): void {
    if (count <= 0) return;
    this.holdsCounter = true;
    // The counter row is locked by this transaction, so a new reservation continues the last one.
    if (this.reservedNos === 0) this.nextFreeNo = reserved.firstNo;
    this.reservedNos += count;
    this.reservedIds.push(...reserved.ids);
  }

  /** Numbers reserved and not yet used. */
  get unusedReservations(): number {
    return this.reservedNos;
  }

  async nextNo(): Promise<number> {
    if (this.reservedNos === 0) await this.reserve(1);
    this.reservedNos--;
    return this.nextFreeNo++;
  }

  unuseNo(no: number): Promise<void> {
    if (no !== this.nextFreeNo - 1) throw new Error(`#${no} is not the last number taken`);
    this.nextFreeNo--;
    this.reservedNos++;
    return Promise.resolve();
  }

  /** Tells the batch whose posts it holds, so that one read finds all their recent requests. */
  expectPostsFrom(reporterIds: readonly string[]): void {
    this.posters = [...new Set(reporterIds)];
  }

  /**
   * One read for every poster of the batch, of their requests and held photos together, until a
   * flush (a command may have withdrawn one of their requests) or a hold.
   */
  private async postersRecent(reporterId: string, since: Date): Promise<PostersRecent> {
    if (!this.recent || this.recent.since > since || !this.recent.read.requests.has(reporterId)) {
      const reporters = [...new Set([reporterId, ...this.posters])];
      this.recent = { since, read: await postersRecent(this.tx, reporters, since) };
    }
    return this.recent.read;
  }

  /** As read for every poster at once (postersRecent), plus the batch's own requests not yet written. */
  async activeRequestsBy(reporterId: string, since: Date): Promise<readonly RequestRow[]> {
    const read = (await this.postersRecent(reporterId, since)).requests.get(reporterId) ?? [];
    const unwritten = this.requests.filter((r) => r.reporterId === reporterId && r.createdAt >= since);
    return [...read.filter((r) => r.createdAt >= since), ...unwritten];
  }

  async heldPhotosBy(senderId: string, since: Date): Promise<readonly HeldPhotos[]> {
    const read = (await this.postersRecent(senderId, since)).holds.get(senderId) ?? [];
    return read.filter((h) => h.heldAt >= since);
  }

  /** Straight into the transaction: the batch's next post reads it back. */
  async holdPhotos(hold: HeldPhotos, expired: Date): Promise<void> {
    await insertHold(this.tx, hold, expired);
    this.recent = undefined;
  }

  /** After what is buffered, the request being this batch's own. */
  async takeHeldPhotos(requestId: string, holds: readonly HeldPhotos[], now: Date): Promise<AttachedPhotos> {
    await this.flush();
    return takeHolds(this.tx, requestId, holds, now);
  }

  async insertRequest(fields: NewRequest): Promise<RequestRow> {
    if (this.reservedIds.length === 0) await this.reserve(1);
    const id = this.reservedIds.shift();
    if (id === undefined) throw new Error('no request id reserved');
    const row = newRequestRow(id, fields);
    this.requests.push(row);
    return row;
  }

  addEvent(requestId: string, event: NewEvent): Promise<void> {
    this.events.push({ ...event, requestId });
    return Promise.resolve();
  }

  /** Once per batch, and not at all when the batch took numbers: it holds the counter already. */
  async settleFilings(): Promise<void> {
    if (this.holdsCounter) return;
    await awaitFilingsInFlight(this.tx);
    this.holdsCounter = true;
  }

  /** Straight into the transaction, after what is buffered: the request may be this batch's own. */
  async attachPhotos(requestId: string, inboundId: string, now: Date): Promise<AttachedPhotos> {
    await this.flush();
    return attachPhotosToRequest(this.tx, requestId, inboundId, now);
  }

  enqueue(deliveries: readonly Delivery[]): Promise<void> {
    this.deliveries.push(...deliveries);
    return Promise.resolve();
  }

  async flush(): Promise<void> {
    const requests = this.requests;
    const events = this.events;
    const deliveries = this.deliveries;
    this.requests = [];
    this.events = [];
    this.deliveries = [];
    this.recent = undefined;
    await runInserts(this.tx, [
      requestRowsInsert(requests),
      eventsInsert(events),
      outboxInsert(deliveries, this.clock.now()),
    ]);
  }

  /** Flushes, and hands back the numbers reserved but not used, so numbers stay gapless. */
  async finish(): Promise<void> {
    await this.flush();
    if (this.reservedNos > 0) await releaseRequestNos(this.tx, this.reservedNos);
    this.reservedNos = 0;
  }
}
