import type { EntityManager } from 'typeorm';
import type { Ledger } from '../ledger/ledger';
import { deliver } from '../scheduler/deliver';
import { GRID_LEVEL, STREET_LEVEL } from './escalate-request';
import { Outgoing } from './outgoing';
import { addEvent, REQUEST_COLUMNS, toRequest, updateRequest, type RequestRow } from './request-store';
import { routeRequest } from './routing';

/**
 * When a new ledger no longer lists someone (a volunteer head who moved away), the requests they
 * were still handling go to whoever the ledger now names for them, with a notice @-ing the new
 * handler: left with the old one, reminders would keep @-ing someone who is gone, and the new head
 * could not take the request on until it was escalated, a day or more later. Runs in the import's
 * transaction, so a ledger and its hand-overs are applied together or not at all.
 */
export async function handOverFromDeparted(
  tx: EntityManager,
  ledger: Ledger,
  departed: readonly string[],
  now: Date,
  privateNotices: boolean,
): Promise<number> {
  if (departed.length === 0) return 0;
  const rows = await tx.query<Record<string, unknown>[]>(
    `SELECT ${REQUEST_COLUMNS} FROM request
     WHERE status IN ('open', 'acknowledged') AND assignee_id = ANY($1::text[])
     ORDER BY no FOR UPDATE`,
    [departed],
  );
  let handedOver = 0;
  for (const request of rows.map(toRequest)) {
    const from = request.assigneeId;
    const to = successor(ledger, request);
    if (!from || !to || departed.includes(to)) continue;
    await updateRequest(tx, request.id, { assigneeId: to, updatedAt: now });
    const reason = `原处理人${ledger.nameOf(from)}已不在台账`;
    await addEvent(tx, request.id, {
      type: 'assigned',
      actorId: null,
      at: now,
      note: reason,
      data: { from, to },
    });
    const out = new Outgoing();
    const building = request.buildingId ? ledger.placeOfBuilding(request.buildingId)?.building : undefined;
    out.add({
      // A building without a group robot: tell the new handler privately instead.
      audience:
        building?.webhook_key || !privateNotices
          ? { to: 'building', buildingId: request.buildingId ?? '' }
          : { to: 'people', userIds: [to] },
      format: 'text',
      content: `#${request.no} ${reason}，改由${ledger.nameOf(to)}处理，请接单：接单 ${request.no}`,
      mentions: [to],
      requestId: request.id,
      purpose: 'assignment',
    });
    await deliver(tx, out.messages, {
      ledger,
      privateNotices,
      now,
      dedupeKey: `hand-over:${request.id}:${ledger.version}`,
    });
    handedOver++;
  }
  return handedOver;
}

/** Who the ledger now names for a request at its level: its place's head, or those above. */
function successor(ledger: Ledger, request: RequestRow): string | null {
  if (request.escalationLevel >= STREET_LEVEL) return ledger.document.street.admins[0] ?? null;
  const compound = request.compoundId ? ledger.compound(request.compoundId) : undefined;
  const gridWorker = compound?.grid_workers[0] ?? null;
  if (request.escalationLevel >= GRID_LEVEL) return gridWorker;
  const place = request.buildingId ? ledger.placeOfBuilding(request.buildingId) : undefined;
  if (!place) return gridWorker;
  return routeRequest(ledger, place, request.unitNo ?? undefined, request.text, request.priority === 'urgent')
    .assigneeId;
}
