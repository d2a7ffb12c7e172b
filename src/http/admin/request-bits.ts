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

/** As the overdue filter in requests/request-search.ts decides it. */
export function isOverdue(r: RequestRow, now: Date): boolean {
  const t = now.getTime();
  if (r.status === 'open' && r.ackDueAt !== null && r.ackDueAt.getTime() < t) return true;
  return (
    (r.status === 'open' || r.status === 'acknowledged') &&
    r.resolveDueAt !== null &&
    r.resolveDueAt.getTime() < t
  );
}

/** The status and the flags that make a request stand out (urgent, overdue, escalated, council). */
export function badges(r: RequestRow, now: Date): Html {
  const flags: Html[] = [];
  if (r.priority === 'urgent') flags.push(html`<span class="badge warn">紧急</span>`);
  if (isOverdue(r, now)) flags.push(html`<span class="badge warn">超时</span>`);
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
              <td data-label="编号"><a href="/admin/requests/${r.no}">#${r.no}</a></td>
              <td data-label="分类">${categoryOf(view.ledger, r)}</td>
              <td data-label="内容"><a href="/admin/requests/${r.no}">${excerpt(r)}</a></td>
              <td data-label="位置">${whereOf(view.ledger, r)}</td>
              <td data-label="状态">${badges(r, view.now)}</td>
              <td data-label="处理人">${view.name(r.assigneeId) ?? r.assigneeId ?? '—'}</td>
              <td data-label="提交时间">${view.when(r.createdAt)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
