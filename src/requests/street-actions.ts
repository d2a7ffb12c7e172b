import type { DataSource, EntityManager } from 'typeorm';
import type { Ledger } from '../ledger/ledger';
import { deliver } from './deliver';
import { reassign } from './hand-over';
import { findCandidate, handoverCandidates } from './handover-candidates';
import type { OutgoingMessage } from './outgoing';
import type { PageLinks } from './page-links';
import {
  addEvent,
  findEventByFormKey,
  findRequestByNo,
  type EventRow,
  type RequestRow,
} from './request-store';
import { reassignNotices, urgeNotices } from './street-notices';
import { closedReason } from './transitions';

/**
 * The actor the street office's pages record when the person signed in is not one of the ledger's
 * street admins: a name typed at sign-in (kept in the event's data, STAFF_NAME_KEY) or, for a
 * session from before sign-ins named anyone, no one. WeCom userids have no colon, so this is
 * never someone's id.
 */
export const STREET_OFFICE = 'street:office';
/** The event data's key for the name typed at sign-in, beside the STREET_OFFICE actor. */
export const STAFF_NAME_KEY = 'by';

/**
 * Who acts from the pages, as they said at sign-in (one shared token: taken on trust): a street
 * admin of the ledger (`userId`), a typed `name`, or neither (a session from before names).
 */
export interface StreetStaff {
  readonly userId: string | null;
  readonly name: string | null;
}

/** How an action's event names who did it: the admin's userid, else the office and the typed name. */
export function streetActor(staff: StreetStaff): { actorId: string; data: Record<string, string> } {
  if (staff.userId !== null) return { actorId: staff.userId, data: {} };
  return { actorId: STREET_OFFICE, data: staff.name ? { [STAFF_NAME_KEY]: staff.name } : {} };
}

/** Event types only the street office's pages write. */
export const URGED = 'urged';
/** Internal: shown on the pages, never in the chat (commands/show.ts leaves it out). */
export const STAFF_NOTE = 'staff_note';

/** A 督办 note goes into a group notice: a line, not a letter. */
export const URGE_NOTE_MAX = 100;
export const STAFF_NOTE_MAX = 500;

export type StreetAction =
  | { readonly kind: 'urge'; readonly note: string }
  | { readonly kind: 'reassign'; readonly to: string }
  | { readonly kind: 'note'; readonly note: string };

export interface StreetActionSettings {
  readonly ledger: Ledger;
  readonly now: Date;
  /** Whether private notices can go out through the self-built app. */
  readonly privateNotices: boolean;
  /** Links to the request's page in private lines to street admins (MULIN_PUBLIC_URL); none if unset. */
  readonly pageLinks?: PageLinks | undefined;
  /** Who is acting: the event's actor. */
  readonly staff: StreetStaff;
  /** Called in the action's transaction once its event is written (the audit log's entry). */
  readonly record?: (tx: EntityManager, event: EventRow) => Promise<void>;
}

export type StreetActionOutcome =
  /** Written now, with `queued` outbox rows. */
  | { readonly kind: 'done'; readonly event: EventRow; readonly queued: number }
  /** The same form was sent before (a double click, a retried POST): nothing new was written or sent. */
  | { readonly kind: 'repeat'; readonly event: EventRow }
  | { readonly kind: 'refused'; readonly problem: string }
  | { readonly kind: 'not_found' };

/**
 * Characters as a form's maxlength counts them (UTF-16 units: a Chinese character is one): what
 * the browser lets through is never refused here.
 */
export function charCount(text: string): number {
  return text.length;
}

/**
 * Runs one street office action on request `no`, once per form (`formKey`, unique on its event):
 * the request is locked as the chat's commands lock it, so a 转派 typed at the same moment is
 * applied before or after, never lost; the form's key is looked up under that lock, so a second
 * copy of the form finds the first one's event and changes nothing. The event and the notices'
 * outbox rows are written in one transaction, under dedupe keys made from the form's key.
 */
export async function actOnRequest(
  dataSource: DataSource,
  no: number,
  formKey: string,
  action: StreetAction,
  settings: StreetActionSettings,
): Promise<StreetActionOutcome> {
  return dataSource.transaction(async (tx): Promise<StreetActionOutcome> => {
    const request = await findRequestByNo(tx, no, true);
    if (!request) return { kind: 'not_found' };
    const earlier = await findEventByFormKey(tx, formKey);
    if (earlier) {
      return earlier.requestId === request.id
        ? { kind: 'repeat', event: earlier }
        : { kind: 'refused', problem: '这个表单已经用过了，请刷新页面后重新操作' };
    }
    const problem = refusal(action, request, settings.ledger);
    if (problem) return { kind: 'refused', problem };
    const queued = await apply(tx, request, action, formKey, settings);
    const event = await findEventByFormKey(tx, formKey);
    if (!event) throw new Error(`street action on #${no} wrote no event`);
    await settings.record?.(tx, event);
    return { kind: 'done', event, queued };
  });
}

/** Why the action cannot be done to this request as it is now; null when it can. */
function refusal(action: StreetAction, request: RequestRow, ledger: Ledger): string | null {
  const no = request.no;
  const closed = closedReason(request.status);
  switch (action.kind) {
    case 'urge':
      if (closed) return `#${no} ${closed}，不用再督办`;
      if (charCount(action.note) > URGE_NOTE_MAX) {
        return `说明最多 ${URGE_NOTE_MAX} 个字，现在有 ${charCount(action.note)} 个字，请写短一些`;
      }
      return null;
    case 'reassign': {
      if (closed) return `#${no} ${closed}，不能再转派`;
      if (!action.to) return '请选择转派给谁';
      const person = ledger.person(action.to);
      if (!person) return '台账里没有这位，请从名单里选择';
      if (!findCandidate(handoverCandidates(ledger, request), person.id)) {
        return `${person.name}不在这条诉求的转派名单里（本小区的楼长、单元长、网格员、志愿队和街道），请从名单里选择`;
      }
      if (person.id === request.assigneeId) return `#${no} 本来就由${person.name}处理`;
      return null;
    }
    case 'note':
      if (!action.note) return '请写上备注内容';
      if (charCount(action.note) > STAFF_NOTE_MAX) {
        return `备注最多 ${STAFF_NOTE_MAX} 个字，现在有 ${charCount(action.note)} 个字，请写短一些`;
      }
      return null;
  }
}

async function apply(
  tx: EntityManager,
  request: RequestRow,
  action: StreetAction,
  formKey: string,
  settings: StreetActionSettings,
): Promise<number> {
  const { ledger, now, privateNotices } = settings;
  const notices = { privateNotices, links: settings.pageLinks };
  const actor = streetActor(settings.staff);
  const send = async (messages: readonly OutgoingMessage[]) => {
    const result = await deliver(tx, messages, {
      ledger,
      privateNotices,
      now,
      dedupeKey: `street:${formKey}`,
    });
    return { queued: result.queued, notified: result.queued + result.duplicates > 0 };
  };
  switch (action.kind) {
    case 'urge': {
      const sent = await send(urgeNotices(ledger, request, action.note, notices));
      await addEvent(tx, request.id, {
        type: URGED,
        actorId: actor.actorId,
        at: now,
        note: action.note || null,
        data: { to: request.assigneeId, notified: sent.notified, ...actor.data },
        formKey,
      });
      return sent.queued;
    }
    case 'reassign': {
      const sent = await send(reassignNotices(ledger, request, action.to, notices));
      await reassign(tx, request, {
        to: action.to,
        actorId: actor.actorId,
        now,
        note: null,
        formKey,
        notified: sent.notified,
        data: actor.data,
      });
      return sent.queued;
    }
    case 'note':
      await addEvent(tx, request.id, {
        type: STAFF_NOTE,
        actorId: actor.actorId,
        at: now,
        note: action.note,
        data: actor.data,
        formKey,
      });
      return 0;
  }
}
