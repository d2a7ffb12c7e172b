import type { EntityManager } from 'typeorm';
import type { Ledger } from '../ledger/ledger';
import { maskPhones, requestDetail } from './format';
import type { Audience, Outgoing } from './outgoing';
import { allStreetAdmins, appTextRef, markdownRef, type PageLinks } from './page-links';
import { addEvent, updateRequest, type RequestRow } from './request-store';

/** Escalation levels: 1 the compound's grid worker, 2 the street office. */
export const GRID_LEVEL = 1;
export const STREET_LEVEL = 2;

export interface EscalationContext {
  readonly tx: EntityManager;
  readonly ledger: Ledger;
  readonly now: Date;
  readonly out: Outgoing;
  /** Links to the request's page in the street's notices; none when MULIN_PUBLIC_URL is unset. */
  readonly pageLinks?: PageLinks | undefined;
}

export interface Escalation {
  /** The level asked for; 1 without a grid worker in the compound goes to the street instead. */
  readonly level: number;
  /** Who escalated; null when the scheduler did, because a clock ran out. */
  readonly actorId: string | null;
  readonly reason: string;
  /** Where the short public notice goes: the chat a command came from, or the request's building group. */
  readonly notice: Audience;
}

/** What the street's notices say of a request. */
export type StreetNoticeRequest = Pick<
  RequestRow,
  'id' | 'no' | 'category' | 'priority' | 'compoundId' | 'buildingId' | 'unitNo' | 'room' | 'text'
>;

/**
 * `#12 报修 江湾小区3号楼2单元 楼道灯不亮…`: a request in one line, for those above the building (the
 * grid worker, the street), who look after more than one compound. ref: how #12 is written, a link
 * to its page in the street's notices.
 */
export function escalationSummary(
  ledger: Ledger,
  request: StreetNoticeRequest,
  ref = `#${request.no}`,
): string {
  return `${ref} ${requestDetail(ledger, request, { compound: true, max: 40 })}`;
}

/**
 * `报修 3号楼2单元 楼道灯不亮`: the second line of a notice in a building group (a reminder, an
 * escalation), under the line saying what happened to #12 (that line alone is what confirms a
 * command typed in another chat: see planDeliveries). The group knows its compound, and a phone
 * shows a short line whole.
 */
export function noticeDetail(ledger: Ledger, request: RequestRow): string {
  return requestDetail(ledger, request, { compound: false, max: 16 });
}

/** The name under which an escalation is signed. */
function signature(ledger: Ledger, actorId: string | null): string {
  return actorId ? ledger.nameOf(actorId) : '睦邻自动上报';
}

/**
 * Raises a request one step, the same way whether a person or the scheduler does it. Level 1
 * hands it to the compound's first grid worker; level 2 puts it before the street office. Writes
 * the change and its 'escalated' event in the caller's transaction and describes the messages on
 * ctx.out. Returns the level reached.
 */
export async function escalateRequest(
  ctx: EscalationContext,
  request: RequestRow,
  escalation: Escalation,
): Promise<number> {
  const { ledger, now, tx, out } = ctx;
  const reason = maskPhones(escalation.reason);
  const compound = request.compoundId ? ledger.compound(request.compoundId) : undefined;
  const gridWorker = compound?.grid_workers[0] ?? null;
  const detail = noticeDetail(ledger, request);

  if (escalation.level === GRID_LEVEL && gridWorker) {
    // A grid worker cannot sign in to the pages, unless they are a street admin too.
    const links = allStreetAdmins(ledger, [gridWorker]) ? ctx.pageLinks : undefined;
    const summary = escalationSummary(ledger, request, appTextRef(request.no, links));
    await updateRequest(tx, request.id, {
      escalationLevel: GRID_LEVEL,
      assigneeId: gridWorker,
      updatedAt: now,
    });
    await addEvent(tx, request.id, {
      type: 'escalated',
      actorId: escalation.actorId,
      at: now,
      note: escalation.reason,
      data: { level: GRID_LEVEL, from: request.assigneeId, to: gridWorker },
    });
    out.add({
      audience: escalation.notice,
      format: 'text',
      content: `#${request.no} 已上报网格员 ${ledger.nameOf(gridWorker)}：${reason}\n${detail}`,
      mentions: [gridWorker],
      requestId: request.id,
      purpose: 'escalation',
    });
    out.add({
      audience: { to: 'people', userIds: [gridWorker] },
      format: 'text',
      content: `上报 ${summary}\n原因：${reason}（${signature(ledger, escalation.actorId)}）`,
      mentions: [],
      requestId: request.id,
      purpose: 'escalation',
    });
    return GRID_LEVEL;
  }

  await updateRequest(tx, request.id, { escalationLevel: STREET_LEVEL, updatedAt: now });
  await addEvent(tx, request.id, {
    type: 'escalated',
    actorId: escalation.actorId,
    at: now,
    note: escalation.reason,
    data: { level: STREET_LEVEL },
  });
  out.add({
    audience: escalation.notice,
    format: 'text',
    content: `#${request.no} 已上报街道：${reason}\n${detail}`,
    mentions: [],
    requestId: request.id,
    purpose: 'escalation',
  });
  tellStreet(ledger, out, request, ctx.pageLinks, {
    leadership: (card) =>
      `**上报街道** ${card}\n> 原因：${reason}\n> 上报人：${signature(ledger, escalation.actorId)}`,
    admins: (line) => `上报街道 ${line}\n原因：${reason}`,
  });
  return STREET_LEVEL;
}

/**
 * Puts a request before the street office, where its escalations reach it: a markdown card in the
 * leadership group and a private line to each street admin. Each is written around the request's
 * summary (escalationSummary), whose #12 links to the request's page when the pages have an
 * address: `[#12](…)` in the card, `<a href="…">#12</a>` in the app's text message.
 */
export function tellStreet(
  ledger: Ledger,
  out: Outgoing,
  request: StreetNoticeRequest,
  links: PageLinks | undefined,
  notice: { readonly leadership: (summary: string) => string; readonly admins: (summary: string) => string },
): void {
  out.add({
    audience: { to: 'leadership' },
    format: 'markdown',
    content: notice.leadership(escalationSummary(ledger, request, markdownRef(request.no, links))),
    mentions: [],
    requestId: request.id,
    purpose: 'escalation',
  });
  out.add({
    audience: { to: 'people', userIds: ledger.document.street.admins },
    format: 'text',
    content: notice.admins(escalationSummary(ledger, request, appTextRef(request.no, links))),
    mentions: [],
    requestId: request.id,
    purpose: 'escalation',
  });
}
