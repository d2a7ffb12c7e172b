import type { EntityManager } from 'typeorm';
import { heldPhotosOf, insertHold, takeHolds, type HeldPhotos } from './held-photos-store';
import { attachPhotosToRequest, awaitFilingsInFlight, type AttachedPhotos } from './later-photos-store';
import { activeRequestsBy } from './repeat-posts';
import {
  addEvent,
  insertRequest,
  nextRequestNo,
  releaseRequestNos,
  type NewEvent,
  type NewRequest,
  type RequestRow,
} from './request-store';

/**
 * Where a new request and its events go: straight into the transaction, or buffered and written
 * with a batch's other requests in a few statements (src/intake/desk-writes.ts).
 */
export interface RequestWrites {
  nextNo(): Promise<number>;
  /** Gives back the number nextNo() has just returned, for a post that filed nothing after all. */
  unuseNo(no: number): Promise<void>;
  /**
   * The reporter's requests created since `since` and still open or being handled, this
   * transaction's own included. Called after nextNo(): taking a number locks the request counter
   * until commit, and every transaction that files requests takes it, so a request another
   * transaction or instance filed meanwhile has committed by then and is seen here.
   */
  activeRequestsBy(reporterId: string, since: Date): Promise<readonly RequestRow[]>;
  insertRequest(fields: NewRequest): Promise<RequestRow>;
  addEvent(requestId: string, event: NewEvent): Promise<void>;
  /**
   * Waits until requests other transactions are filing have committed, for a look at recent
   * requests that takes no request number itself (later-photos.ts).
   */
  settleFilings(): Promise<void>;
  /**
   * Attaches a stored message's photos to a request unless that takes it past its cap; returns
   * how many it did (later-photos-store.ts).
   */
  attachPhotos(requestId: string, inboundId: string, now: Date): Promise<AttachedPhotos>;
  /**
   * The sender's photos held for their next post since `since`, in any chat, oldest first
   * (held-photos.ts). Like activeRequestsBy, read after nextNo() or settleFilings(), so holds
   * other transactions made have committed.
   */
  heldPhotosBy(senderId: string, since: Date): Promise<readonly HeldPhotos[]>;
  /** Holds a message's photos for its sender's next post; drops their holds older than `expired`. */
  holdPhotos(hold: HeldPhotos, expired: Date): Promise<void>;
  /** Attaches held photos to a request, up to its cap, and deletes the holds (held-photos-store.ts). */
  takeHeldPhotos(requestId: string, holds: readonly HeldPhotos[], now: Date): Promise<AttachedPhotos>;
}

/** Writes each row as it comes, in the caller's transaction. */
export function directRequestWrites(tx: EntityManager): RequestWrites {
  return {
    nextNo: () => nextRequestNo(tx),
    unuseNo: () => releaseRequestNos(tx, 1),
    activeRequestsBy: async (reporterId, since) =>
      (await activeRequestsBy(tx, [reporterId], since)).get(reporterId) ?? [],
    insertRequest: (fields) => insertRequest(tx, fields),
    addEvent: (requestId, event) => addEvent(tx, requestId, event),
    settleFilings: () => awaitFilingsInFlight(tx),
    attachPhotos: (requestId, inboundId, now) => attachPhotosToRequest(tx, requestId, inboundId, now),
    heldPhotosBy: async (senderId, since) => (await heldPhotosOf(tx, [senderId], since)).get(senderId) ?? [],
    holdPhotos: (hold, expired) => insertHold(tx, hold, expired),
    takeHeldPhotos: (requestId, holds, now) => takeHolds(tx, requestId, holds, now),
  };
}
