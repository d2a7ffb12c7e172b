import { age } from '../../digest';
import type { Ledger } from '../../ledger/ledger';
import { categoryName, maskPhones, placeOf, shorten, STATUS_NAMES } from '../../requests/format';
import type { RequestRow } from '../../requests/request-store';
import { html, type Html } from './html';
import { escalationName } from './labels';

/** What every rendering of a request needs: names, the street's clock and its calendar. */
export interface ViewContext {
  readonly ledger: Ledger;
  readonly now: Date;
  /** 2026-11-28 09:05 in the street's zone. */
  readonly when: (at: Date | null) => string;
  readonly name: (id: string | null) => string | null;
}

/** The deadline an overdue request missed: to acknowledge, or to resolve. */
export interface MissedDeadline {
  readonly kind: 'ack' | 'resolve';
  readonly at: Date;
}

/**
 * As the overdue filter in requests/request-search.ts decides it (and its missedDeadlineSql, the
 * 超时最久 order): still open past the acknowledge deadline, else open or in hand past the resolve
 * deadline; the one missed first.
 */
export function missedDeadline(r: RequestRow, now: Date): MissedDeadline | null {
  const t = now.getTime();
  const ack = r.status === 'open' && r.ackDueAt !== null && r.ackDueAt.getTime() < t ? r.ackDueAt : null;
  const resolve =
    (r.status === 'open' || r.status === 'acknowledged') &&
    r.resolveDueAt !== null &&
    r.resolveDueAt.getTime() < t
      ? r.resolveDueAt
      : null;
  if (ack && (!resolve || ack.getTime() <= resolve.getTime())) return { kind: 'ack', at: ack };
  return resolve ? { kind: 'resolve', at: resolve } : null;
}

export function isOverdue(r: RequestRow, now: Date): boolean {
  return missedDeadline(r, now) !== null;
}

/** 超时未接单 3天, 超时未办结 5小时, 超时未接单 20分钟: which deadline, and how long ago. */
export function overdueLabel(missed: MissedDeadline, now: Date): string {
  const minutes = Math.floor((now.getTime() - missed.at.getTime()) / 60_000);
  const late = minutes < 60 ? `${Math.max(minutes, 1)}分钟` : age(missed.at, now);
  return `超时未${missed.kind === 'ack' ? '接单' : '办结'} ${late}`;
}

/** The status and the flags that make a request stand out (urgent, overdue, escalated, council). */
export function badges(r: RequestRow, now: Date): Html {
  const flags: Html[] = [];
  if (r.priority === 'urgent') flags.push(html`<span class="badge warn">紧急</span>`);
  const missed = missedDeadline(r, now);
  if (missed) flags.push(html`<span class="badge warn">${overdueLabel(missed, now)}</span>`);
  if (r.escalationLevel > 0) {
    flags.push(html`<span class="badge info">${escalationName(r.escalationLevel)}</span>`);
  }
  if (r.council) flags.push(html`<span class="badge info">议事</span>`);
  return html`<span class="badges"
    ><span class="badge ${r.status}">${STATUS_NAMES[r.status]}</span>${flags}</span
  >`;
}

/** 江湾小区 5号楼 2单元301室 */
export function whereOf(ledger: Ledger, r: RequestRow): string {
  const names = ledger.buildingNames(r.buildingId);
  const compound =
    names?.compound ?? (r.compoundId === null ? '' : (ledger.compound(r.compoundId)?.name ?? r.compoundId));
  const building = names?.building ?? r.buildingId ?? '';
  return [compound, `${building}${placeOf(r)}`].filter(Boolean).join(' ');
}

/** A building's page link; plain text for a building no longer in the ledger, which has no page. */
export function buildingLink(ledger: Ledger, buildingId: string, text: string): Html | string {
  return ledger.placeOfBuilding(buildingId)
    ? html`<a href="/admin/ledger/buildings/${buildingId}">${text}</a>`
    : text;
}

export function categoryOf(ledger: Ledger, r: RequestRow): string {
  return categoryName(ledger.categories, r.category);
}

/** A resident's words as staff may see them: phone numbers masked, shortened for lists. */
export function excerpt(r: RequestRow, max = 40): string {
  return shorten(maskPhones(r.text), max);
}

/** One table of requests; turns into cards on a phone. */
export function requestTable(rows: readonly RequestRow[], view: ViewContext, empty: string): Html {
  if (rows.length === 0) return html`<div class="card muted">${empty}</div>`;
  return html`<div class="table-wrap">
    <table class="cards">
      <thead>
        <tr>
          <th>编号</th>
          <th>分类</th>
          <th>内容</th>
          <th>位置</th>
          <th>状态</th>
          <th>处理人</th>
          <th>提交时间</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (r) =>
            html`<tr>
              <td class="nw" data-label="编号"><a href="/admin/requests/${r.no}">#${r.no}</a></td>
              <td class="nw" data-label="分类">${categoryOf(view.ledger, r)}</td>
              <td data-label="内容"><a href="/admin/requests/${r.no}">${excerpt(r)}</a></td>
              <td class="place" data-label="位置">${whereOf(view.ledger, r)}</td>
              <td data-label="状态">${badges(r, view.now)}</td>
              <td class="nw" data-label="处理人">${view.name(r.assigneeId) ?? r.assigneeId ?? '—'}</td>
              <td class="nw" data-label="提交时间">${view.when(r.createdAt)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
