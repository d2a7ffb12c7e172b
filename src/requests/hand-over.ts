import type { EntityManager } from 'typeorm';
import type { Ledger } from '../ledger/ledger';
import { buildingNoticeAudience, deliver } from './deliver';
import { GRID_LEVEL, STREET_LEVEL } from './escalate-request';
import { Outgoing, type Audience, type OutgoingMessage } from './outgoing';
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
    const out = new Outgoing();
    const to = await handOver(tx, ledger, request, now, out, departed);
    if (!to) continue;
    await deliver(tx, addressed(out.messages, ledger, request, to, privateNotices), {
      ledger,
      privateNotices,
      now,
      dedupeKey: `hand-over:${request.id}:${ledger.version}`,
    });
    handedOver++;
  }
  return handedOver;
}

/**
 * Gives one request whose handler the ledger no longer names to its successor, writing the
 * change and its event, and describes the notice @-ing them on `out` (as a reply: a command's
 * caller sends it where the request's people are). Returns the successor, or null when the
 * ledger names no one else.
 */
export async function handOver(
  tx: EntityManager,
  ledger: Ledger,
  request: RequestRow,
  now: Date,
  out: Outgoing,
  departed: readonly string[] = [],
): Promise<string | null> {
  const from = request.assigneeId;
  const to = successor(ledger, request);
  if (!from || !to || to === from || departed.includes(to)) return null;
  await updateRequest(tx, request.id, { assigneeId: to, updatedAt: now });
  const reason = `原处理人${ledger.nameOf(from)}已不在台账`;
  await addEvent(tx, request.id, {
    type: 'assigned',
    actorId: null,
    at: now,
    note: reason,
    data: { from, to },
  });
  out.reply(
    `#${request.no} ${reason}，改由${ledger.nameOf(to)}处理，请接单：接单 ${request.no}`,
    [to],
    request.id,
    'assignment',
  );
  return to;
}

/**
 * 转派: hands a request to someone, writing the change and its 'assigned' event; the same whoever
 * does it, a handler typing 转派 in the chat or the street office on its pages. The new handler
 * then takes it on with 接单 (ack.ts's takenOnByAssignee reads this event).
 */
export async function reassign(
  tx: EntityManager,
  request: RequestRow,
  change: {
    readonly to: string;
    readonly actorId: string;
    readonly now: Date;
    readonly note: string | null;
    /** The street office's pages: the one-time key of the form, and whether anyone was told. */
    readonly formKey?: string;
    readonly notified?: boolean;
    /** More for the event's data: the name typed at sign-in (street-actions.ts). */
    readonly data?: Readonly<Record<string, string>>;
  },
): Promise<void> {
  await updateRequest(tx, request.id, { assigneeId: change.to, updatedAt: change.now });
  await addEvent(tx, request.id, {
    type: 'assigned',
    actorId: change.actorId,
    at: change.now,
    note: change.note,
    data: {
      from: request.assigneeId,
      to: change.to,
      ...(change.notified === undefined ? {} : { notified: change.notified }),
      ...change.data,
    },
    ...(change.formKey ? { formKey: change.formKey } : {}),
  });
}

/**
 * The notice @-ing the new handler after a 转派: `#12 已转派给李秀兰，请接单：接单 12`; `by` names who
 * did it when no one typed it in the group (`#12 已由街道转派给李秀兰…`); `ref` writes #12 (a link
 * to its page, in a private line to a street admin).
 */
export function reassignedLine(no: number, name: string, by?: string, ref = `#${no}`): string {
  return `${ref} 已${by ? `由${by}` : ''}转派给${name}，请接单：接单 ${no}`;
}

/**
 * Where an import's notice goes, with no chat to answer in: where a reminder about the request
 * would go (the building group, else privately to the new handler); the street's leadership group
 * for a request already with the street, whose admins are not in the building group (privately to
 * the new handler when the self-built app is set up).
 */
function addressed(
  messages: readonly OutgoingMessage[],
  ledger: Ledger,
  request: RequestRow,
  to: string,
  privateNotices: boolean,
): OutgoingMessage[] {
  const audience: Audience =
    request.escalationLevel >= STREET_LEVEL
      ? privateNotices
        ? { to: 'people', userIds: [to] }
        : { to: 'leadership' }
      : buildingNoticeAudience(ledger, request, to);
  return messages.map((m) => ({ ...m, audience }));
}

/** Who the ledger now names for a request at its level: its place's head, or those above. */
function successor(ledger: Ledger, request: RequestRow): string | null {
  if (request.escalationLevel >= STREET_LEVEL) return ledger.document.street.admins[0] ?? null;
  const compound = request.compoundId ? ledger.compound(request.compoundId) : undefined;
  const gridWorker = compound?.grid_workers[0] ?? null;
  if (request.escalationLevel >= GRID_LEVEL) return gridWorker;
  const place = request.buildingId ? ledger.placeOfBuilding(request.buildingId) : undefined;
  if (!place) return gridWorker;
  return routeRequest(ledger, place, request.unitNo ?? undefined, {
    text: request.text,
    urgent: request.priority === 'urgent',
    category: request.category,
  }).assigneeId;
}
