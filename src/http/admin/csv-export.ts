import type { Context } from 'koa';
import type Router from 'koa-router';
import { categoryName, formatDay, maskPhones, STATUS_NAMES } from '../../requests/format';
import { matchesMoreThan, requestBatches } from '../../requests/request-batches';
import type { RequestRow } from '../../requests/request-store';
import { recordAudit } from '../../audit';
import type { AppState } from '../app-state';
import { requestClientAddress } from '../client-address';
import { type AdminDeps, viewContext } from './admin-context';
import { queryString } from './html';
import { messagePage } from './layout';
import { escalationName, RATING_NAMES } from './labels';
import { filterParams, isPhoneLike, type ListQuery, parseListQuery, toSearch } from './list-filter';
import { auditActor, staffOf } from './page-actor';
import { isOverdue, type ViewContext } from './request-bits';

const BATCH = 1000;
/**
 * Far beyond a street's year; a bound so one click cannot hold the process. Past it the export is
 * refused rather than cut: a file missing its oldest rows would give wrong totals without a sign.
 */
export const MAX_EXPORT_ROWS = 50_000;

/**
 * One field. Quoted when it holds a separator, quote or line break (RFC 4180); a leading
 * = + - @ or control character gets an apostrophe, so Excel shows what a resident typed instead
 * of running it as a formula (CSV injection).
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(fields: readonly (string | number | null)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

export const CSV_HEADER = [
  '编号',
  '分类',
  '状态',
  '紧急',
  '小区',
  '楼栋',
  '单元',
  '房间',
  '内容',
  '处理人',
  '协助队伍',
  '上报',
  '议事会',
  '超时',
  '评价',
  '评价说明',
  '重开次数',
  '提交时间',
  '应接单时间',
  '接单时间',
  '应办结时间',
  '办结时间',
  '完结时间',
  '撤回时间',
] as const;

function row(r: RequestRow, view: ViewContext): (string | number | null)[] {
  const { ledger, when } = view;
  const names = ledger.buildingNames(r.buildingId);
  const compound = r.compoundId === null ? undefined : ledger.compound(r.compoundId);
  const teams = r.teamIds.map((t) => ledger.document.teams.find((team) => team.id === t)?.name ?? t);
  return [
    r.no,
    categoryName(ledger.categories, r.category),
    STATUS_NAMES[r.status],
    r.priority === 'urgent' ? '是' : '否',
    names?.compound ?? compound?.name ?? r.compoundId,
    names?.building ?? r.buildingId,
    r.unitNo,
    r.room,
    maskPhones(r.text),
    r.assigneeId === null ? null : (view.name(r.assigneeId) ?? r.assigneeId),
    teams.join('、'),
    escalationName(r.escalationLevel),
    r.council ? '是' : '否',
    isOverdue(r, view.now) ? '是' : '否',
    r.rating === null ? null : RATING_NAMES[r.rating],
    r.ratingNote === null ? null : maskPhones(r.ratingNote),
    r.reopenCount,
    when(r.createdAt),
    when(r.ackDueAt),
    when(r.acknowledgedAt),
    when(r.resolveDueAt),
    when(r.resolvedAt),
    when(r.closedAt),
    when(r.withdrawnAt),
  ];
}

/**
 * GET /admin/requests.csv: the list's filters, every matching request, one row each; more than
 * MAX_EXPORT_ROWS of them, a page asking to narrow the filters instead.
 */
export function addCsvRoute(router: Router<AppState>, deps: AdminDeps): void {
  router.get('/requests.csv', async (ctx) => {
    const q = parseListQuery(ctx.query);
    if (isPhoneLike(q.q)) {
      ctx.status = 303;
      ctx.redirect(`/admin/requests${queryString({ ...filterParams(q), q: undefined, notice: 'phone' })}`);
      return;
    }
    const now = deps.clock.now();
    const search = toSearch(q);
    // Asked first so that a refusal is quick; checked again while reading, as requests keep coming.
    let over = await matchesMoreThan(deps.dataSource, search, now, MAX_EXPORT_ROWS);
    const rows: RequestRow[] = [];
    if (!over) {
      for await (const batch of requestBatches(deps.dataSource, search, now, BATCH)) {
        rows.push(...batch);
        over = rows.length > MAX_EXPORT_ROWS;
        if (over) break;
      }
    }
    if (over) {
      ctx.state.log.info('CSV export refused: over its row limit (the page asks to narrow the filters)');
      tooMany(ctx, q);
      return;
    }
    // Recorded before a byte is sent, so no file leaves unrecorded; it names no resident, only
    // the filters (a search with no phone number in it: refused above) and how many rows.
    await recordAudit(deps.dataSource, {
      at: now,
      action: 'export_csv',
      ...auditActor(staffOf(ctx)),
      address: requestClientAddress(ctx.req, deps.trustedProxies),
      detail: { filters: exportFilters(q), rows: rows.length },
    });
    const view = await viewContext(
      deps,
      rows.map((r) => r.assigneeId),
    );
    // Excel opens a UTF-8 file as the local code page unless it starts with a byte order mark.
    const text = `\uFEFF${csvLine(CSV_HEADER)}${rows.map((r) => csvLine(row(r, view))).join('')}`;
    const day = formatDay(now, deps.timeZone);
    ctx.type = 'text/csv; charset=utf-8';
    ctx.set(
      'Content-Disposition',
      `attachment; filename="mulin-requests-${day}.csv"; filename*=UTF-8''${encodeURIComponent(`睦邻诉求-${day}.csv`)}`,
    );
    ctx.body = text;
  });
}

/** The filters an export was made with, as the audit log keeps them: those set, phone numbers masked. */
function exportFilters(q: ListQuery): Record<string, string | number | boolean> {
  const set = Object.entries(filterParams(q)).filter(
    (entry): entry is [string, string | number | boolean] => entry[1] !== undefined && entry[1] !== '',
  );
  return Object.fromEntries(set.map(([k, v]) => [k, typeof v === 'string' ? maskPhones(v) : v]));
}

function tooMany(ctx: Context, q: ListQuery): void {
  ctx.status = 422;
  ctx.type = 'html';
  ctx.body = messagePage(
    '要导出的诉求太多',
    `符合条件的诉求超过 ${MAX_EXPORT_ROWS} 条，一次最多导出 ${MAX_EXPORT_ROWS} 条。请按小区、楼栋、状态或分类缩小范围，分几次导出。`,
    { href: `/admin/requests${queryString(filterParams(q))}`, label: '返回诉求列表' },
  ).text;
}
