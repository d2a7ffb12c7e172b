import type Router from 'koa-router';
import { type AuditRow, latestAudit } from '../../audit';
import { categoryName, STATUS_NAMES } from '../../requests/format';
import { REQUEST_STATUSES, type RequestStatus } from '../../requests/request-store';
import { AppError } from '../../shared/errors';
import type { AppState } from '../app-state';
import { type AdminDeps, respondPage, viewContext } from './admin-context';
import { html, type Html, queryString } from './html';
import { MAX_PAGE } from './list-filter';
import { pager } from './list-pager';
import { auditActorName } from './page-actor';
import type { ViewContext } from './request-bits';

/** Entries per page: short lines, so more than the requests list's. */
export const AUDIT_PAGE_SIZE = 50;

const ACTION_NAMES: Record<string, string> = {
  sign_in: '登录',
  sign_in_failed: '登录失败',
  export_csv: '导出 CSV',
  urge: '督办',
  reassign: '转派',
  note: '内部备注',
};

const FAILURE_REASONS: Record<string, string> = { wrong_token: '口令不对' };

/** ?page=N and nothing else: a misspelt parameter is a broken link, said so. */
function pageOf(query: Record<string, unknown>): number {
  const { page, ...rest } = query;
  if (Object.keys(rest).length > 0) throw new AppError('bad_request', 'audit page: unknown query parameters');
  if (page === undefined || page === '') return 1;
  const n = typeof page === 'string' && /^\d{1,5}$/.test(page) ? Number(page) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE)
    throw new AppError('bad_request', 'audit page: bad page');
  return n;
}

/**
 * GET /admin/audit (操作记录): who signed in (and who failed to), who exported the requests, and
 * who did what to which request from its page, newest first. Read-only: the log is append-only.
 */
export function addAuditRoute(router: Router<AppState>, deps: AdminDeps): void {
  router.get('/audit', async (ctx) => {
    const page = pageOf(ctx.query);
    const { rows, total } = await latestAudit(deps.dataSource, {
      limit: AUDIT_PAGE_SIZE,
      offset: (page - 1) * AUDIT_PAGE_SIZE,
    });
    const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
    if (page > pages) {
      ctx.status = 303;
      ctx.redirect(`/admin/audit${queryString({ page: pages === 1 ? undefined : pages })}`);
      return;
    }
    const view = await viewContext(
      deps,
      rows.flatMap((r) => [r.actorId, idIn(r.detail, 'to'), idIn(filtersOf(r), 'assignee')]),
    );
    respondPage(
      ctx,
      deps,
      '操作记录',
      'audit',
      html`<h1>操作记录 <span class="muted small">共 ${total} 条</span></h1>
        <p class="muted small">
          登录（包括失败的）、导出诉求和在诉求页上的督办、转派、内部备注都记在这里，最新的在前，不能修改或删除。
        </p>
        ${auditTable(rows, view)}
        ${pager(page, pages, (to) => `/admin/audit${queryString({ page: to === 1 ? undefined : to })}`)}`,
    );
  });
}

function auditTable(rows: readonly AuditRow[], view: ViewContext): Html {
  if (rows.length === 0) return html`<p class="card muted">还没有记录</p>`;
  return html`<div class="table-wrap">
    <table class="cards audit">
      <thead>
        <tr>
          <th>时间</th>
          <th>人员</th>
          <th>操作</th>
          <th>详情</th>
          <th>来自</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (r) =>
            html`<tr>
              <td class="nw" data-label="时间">${view.when(r.at)}</td>
              <td data-label="人员">${auditActorName(r.actorId, r.actorName)}</td>
              <td class="nw" data-label="操作">${actionName(r.action)}</td>
              <td data-label="详情">${details(r, view) || '—'}</td>
              <td data-label="来自">${r.address ?? '—'}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

/** A failed sign-in stands out: it may be someone guessing. */
function actionName(action: string): Html | string {
  const name = ACTION_NAMES[action] ?? action;
  return action === 'sign_in_failed' ? html`<span class="badge open">${name}</span>` : name;
}

function idIn(record: Readonly<Record<string, unknown>>, key: string): string | null {
  const value = record[key];
  return typeof value === 'string' ? value : null;
}

function filtersOf(r: AuditRow): Readonly<Record<string, unknown>> {
  const filters = r.detail.filters;
  return typeof filters === 'object' && filters !== null ? (filters as Record<string, unknown>) : {};
}

function details(r: AuditRow, view: ViewContext): Html | string {
  const request =
    r.requestNo === null ? '' : html`<a href="/admin/requests/${r.requestNo}">#${r.requestNo}</a>`;
  switch (r.action) {
    case 'sign_in_failed': {
      const reason = typeof r.detail.reason === 'string' ? r.detail.reason : '';
      return FAILURE_REASONS[reason] ?? '';
    }
    case 'export_csv':
      return exportDetails(r, view);
    case 'reassign': {
      const to = idIn(r.detail, 'to');
      return html`${request}${to ? ` 转派给${view.name(to) ?? to}` : ''}`;
    }
    case 'urge':
    case 'note':
      return request;
    default:
      return '';
  }
}

const FLAG_NAMES: Record<string, string> = { overdue: '超时', escalated: '已上报', council: '议事会议题' };

/** 12 条 · 状态：待接单，小区：江湾小区，搜索：漏水 — with a link to the same list. */
function exportDetails(r: AuditRow, view: ViewContext): Html {
  const filters = filtersOf(r);
  const { ledger } = view;
  const text = (key: string) => (typeof filters[key] === 'string' ? filters[key] : null);
  const parts: string[] = [];
  const status = text('status');
  if (status) {
    const known = (REQUEST_STATUSES as readonly string[]).includes(status);
    parts.push(
      `状态：${status === 'active' ? '进行中' : known ? STATUS_NAMES[status as RequestStatus] : status}`,
    );
  }
  const compound = text('compound');
  if (compound) parts.push(`小区：${ledger.compound(compound)?.name ?? compound}`);
  const building = text('building');
  if (building) parts.push(`楼栋：${ledger.buildingNames(building)?.building ?? building}`);
  const category = text('category');
  if (category) parts.push(`分类：${categoryName(ledger.categories, category)}`);
  const assignee = text('assignee');
  if (assignee) parts.push(`处理人：${view.name(assignee) ?? assignee}`);
  if (typeof filters.reporter_of === 'number') parts.push(`与 #${filters.reporter_of} 同一报事人`);
  for (const [flag, name] of Object.entries(FLAG_NAMES)) if (filters[flag] === true) parts.push(name);
  const q = text('q');
  if (q) parts.push(`搜索：${q}`);
  const rows = typeof r.detail.rows === 'number' ? r.detail.rows : 0;
  const params = Object.fromEntries(
    Object.entries(filters).filter((entry): entry is [string, string | number | boolean] =>
      ['string', 'number', 'boolean'].includes(typeof entry[1]),
    ),
  );
  return html`${rows} 条 · ${parts.length > 0 ? parts.join('，') : '全部诉求'}
    <a class="small" href="/admin/requests${queryString(params)}">查看</a>`;
}
