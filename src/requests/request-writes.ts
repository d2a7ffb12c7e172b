import type { EntityManager } from 'typeorm';
import {
  addEvent,
  insertRequest,
  nextRequestNo,
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
  insertRequest(fields: NewRequest): Promise<RequestRow>;
  addEvent(requestId: string, event: NewEvent): Promise<void>;
}

/** Writes each row as it comes, in the caller's transaction. */
export function directRequestWrites(tx: EntityManager): RequestWrites {
  return {
    nextNo: () => nextRequestNo(tx),
    insertRequest: (fields) => insertRequest(tx, fields),
    addEvent: (requestId, event) => addEvent(tx, requestId, event),
  };
}
