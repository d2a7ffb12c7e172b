import type { Context } from 'koa';
import type Router from 'koa-router';
import { photosOfRequests } from '../../photos';
import type { Ledger } from '../../ledger/ledger';
import { countRequests, searchRequests } from '../../requests/request-search';
import { findRequestByNo, listEvents, type RequestRow } from '../../requests/request-store';
import { remindersSent } from '../../scheduler/reminder-log';
import { AppError } from '../../shared/errors';
import type { AppState } from '../app-state';
import { takeConfirmation } from './action-flash';
import { actionForms, type ActionProblem } from './action-forms';
import { sessionBinding, sessionOf } from './admin-auth';
import { type AdminDeps, respondPage, viewContext } from './admin-context';
import { filterForm } from './filter-form';
import { html, type Html, queryString } from './html';
import {
  defaultOrder,
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
import { requestTable } from './request-bits';
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
    const view = await viewContext(deps, [...rows.map((r) => r.assigneeId), q.assignee ?? null]);
    respondPage(
      ctx,
      deps,
      '诉求列表',
      'requests',
      html`<h1>诉求 <span class="muted small">共 ${total} 条</span></h1>
        ${q.notice === 'phone' ? html`<p class="notice" role="status">为保护居民隐私，不能用电话号码搜索，请改用内容关键词或编号，或按楼栋筛选。</p>` : ''}
        ${sameReporterNotice(q)} ${placeMismatch(q, view.ledger)} ${filterForm(q, view)}
        ${requestTable(rows, view, '没有符合条件的诉求')}
        ${pager(page, pages, (to) => `/admin/requests${queryString({ ...listParams(q), page: to === 1 ? undefined : to })}`)}`,
    );
  });

  router.get('/requests/:no', async (ctx) => {
    const no = requestNo(ctx);
    const request = await findRequestByNo(deps.dataSource, no);
    if (!request) throw new AppError('not_found', `admin pages: no request #${no}`);
    await respondRequestPage(ctx, deps, request, {
      confirmation: await takeConfirmation(ctx, deps, request),
    });
  });
}

/** What the request page shows of the street's actions besides the forms. */
export interface ActionOutcome {
  /** The line shown once after an action (`已转派给李秀兰`). */
  readonly confirmation?: string | null;
  readonly problem?: ActionProblem;
}

/** One request's page, with its actions card for a signed-in session. */
export async function respondRequestPage(
  ctx: Context,
  deps: AdminDeps,
  request: RequestRow,
  outcome: ActionOutcome,
): Promise<void> {
  const no = request.no;
  const [events, reminders, photos, byReporter] = await Promise.all([
    listEvents(deps.dataSource, [request.id]),
    remindersSent(deps.dataSource, request.id),
    photosOfRequests(deps.dataSource, [request.id]),
    countRequests(deps.dataSource, { reporterOf: no }, deps.clock.now()),
  ]);
  const view = await viewContext(deps, [
    request.reporterId,
    request.assigneeId,
    ...events.flatMap((e) => [e.actorId, typeof e.data.to === 'string' ? e.data.to : null]),
  ]);
  const session = sessionOf(ctx);
  const actions = session
    ? actionForms(
        request,
        view,
        deps.keys.csrfToken(sessionBinding(session)),
        outcome.problem ?? null,
        deps.privateNotices,
      )
    : null;
  // The number only: what the resident wrote stays out of the tab title and history.
  respondPage(
    ctx,
    deps,
    `诉求 #${no}`,
    'requests',
    requestDetail(request, events, reminders, photos.get(request.id) ?? [], view, {
      reporterOthers: byReporter - 1,
      actions,
      confirmation: outcome.confirmation ?? null,
    }),
  );
}

export function requestNo(ctx: Context): number {
  const raw = (ctx.params as Record<string, string | undefined>).no ?? '';
  const no = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(no) || no < 1 || no > MAX_REQUEST_NO) {
    throw new AppError('not_found', 'admin pages: not a request number');
  }
  return no;
}

/** The list of one resident's requests, reached from one of them: which one, and the way back. */
function sameReporterNotice(q: ListQuery): Html | string {
  if (q.reporter_of === undefined) return '';
  return html`<p class="notice" role="status">
    与诉求 <a href="/admin/requests/${q.reporter_of}">#${q.reporter_of}</a> 同一提交人的诉求 ·
    <a href="/admin/requests${queryString({ ...listParams(q), reporter_of: undefined })}">查看全部诉求</a>
  </p>`;
}

/**
 * A building chosen with a compound it is not in (the 小区 changed, the 楼栋 left as it was): no
 * request can match both, so the list says why, with a way to either.
 */
function placeMismatch(q: ListQuery, ledger: Ledger): Html | string {
  if (!q.compound || !q.building) return '';
  const place = ledger.placeOfBuilding(q.building);
  const compound = ledger.compound(q.compound);
  if (!place || !compound || place.compound.id === compound.id) return '';
  const building = `${place.compound.name} ${place.building.name}`;
  return html`<p class="notice" role="status">
    ${building}不在${compound.name}，所以没有符合条件的诉求。可以
    <a href="/admin/requests${queryString({ ...listParams(q), compound: undefined })}">只看${building}</a>，或
    <a href="/admin/requests${queryString({ ...listParams(q), building: undefined })}"
      >看${compound.name}全部楼栋</a
    >。
  </p>`;
}
