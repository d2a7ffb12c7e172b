import type { Context } from 'koa';
import type Router from 'koa-router';
import { photosOfMessages } from '../../photos';
import { countRequests, type RequestOrder, searchRequests } from '../../requests/request-search';
import { findRequestByNo, listEvents, REQUEST_STATUSES } from '../../requests/request-store';
import { STATUS_NAMES } from '../../requests/format';
import { remindersSent } from '../../scheduler/reminder-log';
import { AppError } from '../../shared/errors';
import type { AppState } from '../app-state';
import { type AdminDeps, respondPage, viewContext } from './admin-context';
import { html, type Html, queryString, trustedHtml } from './html';
import {
  defaultOrder,
  filterParams,
  hasEmptyFields,
  isPhoneLike,
  listParams,
  type ListQuery,
  orderOf,
  PAGE_SIZE,
  parseListQuery,
  toSearch,
} from './list-filter';
import { pager } from './list-pager';
import { requestTable, type ViewContext } from './request-bits';
import { requestDetail } from './request-detail';

const MAX_REQUEST_NO = 2_147_483_647;

export function addRequestRoutes(router: Router<AppState>, deps: AdminDeps): void {
  router.get('/requests', async (ctx) => {
    const q = parseListQuery(ctx.query);
    if (isPhoneLike(q.q)) {
      // Out of the address bar at once: the list comes back without the search and says why.
      ctx.status = 303;
      ctx.redirect(`/admin/requests${queryString({ ...listParams(q), q: undefined, notice: 'phone' })}`);
      return;
    }
    if (hasEmptyFields(ctx.query) || (q.sort !== undefined && q.sort === defaultOrder(q))) {
      // The form sends every field; the address kept in history and bookmarks names only the
      // filters set, and an order only when it is not the default.
      ctx.status = 303;
      ctx.redirect(`/admin/requests${queryString({ ...listParams(q), page: q.page })}`);
      return;
    }
    const page = q.page ?? 1;
    const now = deps.clock.now();
    const search = toSearch(q);
    const [total, rows] = await Promise.all([
      countRequests(deps.dataSource, search, now),
      searchRequests(deps.dataSource, search, now, {
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
        order: orderOf(q),
      }),
    ]);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    if (page > pages) {
      // An old bookmark, or a list that shrank since the pager was drawn: the last page, same filters.
      ctx.status = 303;
      ctx.redirect(
        `/admin/requests${queryString({ ...listParams(q), notice: q.notice, page: pages === 1 ? undefined : pages })}`,
      );
      return;
    }
    const view = await viewContext(
      deps,
      rows.map((r) => r.assigneeId),
    );
    respondPage(
      ctx,
      deps,
      '诉求列表',
      'requests',
      html`<h1>诉求 <span class="muted small">共 ${total} 条</span></h1>
        ${q.notice === 'phone' ? html`<p class="notice" role="status">为保护居民隐私，不能用电话号码搜索，请改用内容关键词或编号，或按楼栋筛选。</p>` : ''}
        ${filterForm(q, view)} ${requestTable(rows, view, '没有符合条件的诉求')}
        ${pager(page, pages, (to) => `/admin/requests${queryString({ ...listParams(q), page: to === 1 ? undefined : to })}`)}`,
    );
  });

  router.get('/requests/:no', async (ctx) => {
    const no = requestNo(ctx);
    const request = await findRequestByNo(deps.dataSource, no);
    if (!request) throw new AppError('not_found', `admin pages: no request #${no}`);
    const [events, reminders, photos] = await Promise.all([
      listEvents(deps.dataSource, [request.id]),
      remindersSent(deps.dataSource, request.id),
      photosOfMessages(deps.dataSource, request.inboundId === null ? [] : [request.inboundId]),
    ]);
    const view = await viewContext(deps, [
      request.reporterId,
      request.assigneeId,
      ...events.map((e) => e.actorId),
    ]);
    // The number only: what the resident wrote stays out of the tab title and history.
    respondPage(
      ctx,
      deps,
      `诉求 #${no}`,
      'requests',
      requestDetail(request, events, reminders, photos, view),
    );
  });
}

function requestNo(ctx: Context): number {
  const raw = (ctx.params as Record<string, string | undefined>).no ?? '';
  const no = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(no) || no < 1 || no > MAX_REQUEST_NO) {
    throw new AppError('not_found', 'admin pages: not a request number');
  }
  return no;
}

function option(value: string, label: string, selected: string | undefined): Html {
  return html`<option value="${value}" ${value === (selected ?? '') ? trustedHtml(' selected') : ''}>
    ${label}
  </option>`;
}

function checkbox(name: string, label: string, checked: boolean | undefined): Html {
  return html`<label
    ><input type="checkbox" name="${name}" value="1" ${checked ? trustedHtml(' checked') : ''} />
    ${label}</label
  >`;
}

function filterForm(q: ListQuery, view: ViewContext): Html {
  const { ledger } = view;
  // A plain link, no `download` attribute: the CSV's Content-Disposition already saves it, and
  // what is not a CSV (the sign-in page after the session ended, the page asking to narrow the
  // filters) must be shown, not saved as the file.
  const exportHref = `/admin/requests.csv${queryString(filterParams(q))}`;
  return html`<form class="card filters" method="get" action="/admin/requests" role="search">
    <label
      >状态<select name="status">
        ${option('', '全部', q.status)}${option('active', '进行中（待接单和处理中）', q.status)}${REQUEST_STATUSES.map((s) => option(s, STATUS_NAMES[s], q.status))}
      </select></label
    >
    <label
      >小区<select name="compound">
        ${option('', '全部小区', q.compound)}${ledger.allCompounds().map((c) => option(c.id, c.name, q.compound))}
      </select></label
    >
    <label
      >楼栋<select name="building">
        ${option('', '全部楼栋', q.building)}${ledger
          .allCompounds()
          .map(
            (c) =>
              html`<optgroup label="${c.name}">
                ${c.buildings.map((b) => option(b.id, `${c.name} ${b.name}`, q.building))}
              </optgroup>`,
          )}
      </select></label
    >
    <label
      >分类<select name="category">
        ${option('', '全部分类', q.category)}${ledger.categories.categories.map((c) => option(c.code, c.name, q.category))}
      </select></label
    >
    <label
      >排序<select name="sort">
        ${sortOptions(q)}
      </select></label
    >
    <label class="wide"
      >搜索<input type="search" name="q" value="${q.q ?? ''}" maxlength="50" placeholder="内容关键词或编号"
    /></label>
    <div class="checks">
      ${checkbox('overdue', '超时', q.overdue)}${checkbox('escalated', '已上报', q.escalated)}${checkbox('council', '议事会议题', q.council)}
    </div>
    <div class="actions">
      <button class="primary" type="submit">筛选</button
      ><a class="button light" href="/admin/requests">清除</a
      ><a class="button light" href="${exportHref}">导出 CSV</a>
    </div>
  </form>`;
}

const ORDER_NAMES: Record<RequestOrder, string> = {
  newest: '最新提交',
  oldest: '最早提交',
  overdue: '超时最久',
};

/**
 * The default order is the empty choice, so ticking 超时 and pressing 筛选 (the form sends the
 * sort too) gives 超时最久 without touching the sort; another order is asked for by name.
 */
function sortOptions(q: ListQuery): Html[] {
  const fallback = defaultOrder(q);
  const chosen = orderOf(q);
  const orders = Object.keys(ORDER_NAMES) as RequestOrder[];
  return [
    option('', ORDER_NAMES[fallback], chosen === fallback ? '' : chosen),
    ...orders.filter((o) => o !== fallback).map((o) => option(o, ORDER_NAMES[o], chosen)),
  ];
}
