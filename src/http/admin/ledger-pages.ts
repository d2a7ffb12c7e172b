import type Router from 'koa-router';
import type { Ledger } from '../../ledger/ledger';
import type { Compound } from '../../ledger/schema';
import { findHotspots, hotspotBuildings } from '../../requests/hotspots';
import {
  type BuildingCounts,
  countRequests,
  countsByBuilding,
  countsByCompound,
  searchRequests,
  tallyRequests,
} from '../../requests/request-search';
import { AppError } from '../../shared/errors';
import type { AppState } from '../app-state';
import { type AdminDeps, respondPage, viewContext } from './admin-context';
import { scopeNav, scopeOf } from './compound-scope';
import { countText, html, type Html, queryString } from './html';
import { hotspotNotice } from './hotspot-list';
import { PATH_NAMES } from './labels';
import { buildingFacts, profileCard, recentSummary } from './building-parts';
import { requestTable } from './request-bits';

export const HISTORY_DAYS = 90;
const HISTORY_ROWS = 50;
/** A building's page lists this many of its active requests, and links to the list for the rest. */
const ACTIVE_ROWS = 200;
const DAY_MS = 86_400_000;

export function addLedgerRoutes(router: Router<AppState>, deps: AdminDeps): void {
  // One compound's buildings at a time: a street of a thousand buildings on one page is a
  // megabyte and a scroll no one finishes. Without ?compound=, an overview of the compounds.
  router.get('/ledger', async (ctx) => {
    const now = deps.clock.now();
    const since = new Date(now.getTime() - HISTORY_DAYS * DAY_MS);
    const view = await viewContext(deps, []);
    const { ledger } = view;
    const compound = scopeOf(ctx, ledger, 'ledger');
    const buildingIds = compound?.buildings.map((b) => b.id);
    const [counts, hot] = await Promise.all([
      compound
        ? countsByBuilding(deps.dataSource, now, since, buildingIds)
        : countsByCompound(deps.dataSource, now, since),
      hotspotBuildings(deps.dataSource, { now, ...(compound ? { compoundId: compound.id } : {}) }),
    ]);
    const empty = ledger.allCompounds().length === 0;
    respondPage(
      ctx,
      deps,
      compound ? `${compound.name} 台账` : '台账',
      'ledger',
      html`<h1>${ledger.streetName} 台账</h1>
        ${empty ? html`<div class="card muted">还没有导入台账（mulin ledger import）</div>` : ''}
        ${empty ? '' : scopeNav(ledger, compound?.id, '/admin/ledger')}
        ${
          compound
            ? compoundSection(compound, counts, hot, ledger)
            : empty
              ? ''
              : compoundOverview(ledger, counts, hot)
        }`,
    );
  });

  router.get('/ledger/buildings/:id', async (ctx) => {
    const id = (ctx.params as Record<string, string | undefined>).id ?? '';
    const ledger = await deps.ledgers.current(deps.dataSource);
    const place = ledger.placeOfBuilding(id);
    if (!place) throw new AppError('not_found', `admin pages: no building "${id}" in the ledger`);
    const now = deps.clock.now();
    const since = new Date(now.getTime() - HISTORY_DAYS * DAY_MS);
    const lastDays = { buildingId: id, createdFrom: since };
    const handled = { buildingId: id, status: 'active' } as const;
    // Rows for the tables only; the headings and the summary are counted, however many there are.
    const [active, activeCount, recent, recentCount, recentTally, hotspots] = await Promise.all([
      searchRequests(deps.dataSource, handled, now, { limit: ACTIVE_ROWS, offset: 0 }),
      countRequests(deps.dataSource, handled, now),
      searchRequests(deps.dataSource, lastDays, now, { limit: HISTORY_ROWS, offset: 0 }),
      countRequests(deps.dataSource, lastDays, now),
      tallyRequests(deps.dataSource, lastDays, now),
      findHotspots(deps.dataSource, { now, buildingId: id }),
    ]);
    const view = await viewContext(
      deps,
      [...active, ...recent].map((r) => r.assigneeId),
    );
    const { building, compound } = place;
    respondPage(
      ctx,
      deps,
      `${compound.name} ${building.name}`,
      'ledger',
      html`<p class="small"><a href="/admin/ledger?compound=${compound.id}">← 返回${compound.name}台账</a></p>
        <h1>
          ${compound.name} ${building.name} <span class="badge info">${PATH_NAMES[building.path]}</span>
        </h1>
        ${hotspotNotice(hotspots, view.ledger)}
        <div class="grid2">${buildingFacts(building, compound, view.ledger)} ${profileCard(building)}</div>
        <h2>
          进行中的诉求
          <span class="muted small"
            >共 ${countText(activeCount)}
            条${activeCount > active.length ? `，显示最近 ${active.length} 条` : ''}</span
          >
        </h2>
        ${requestTable(active, view, '没有进行中的诉求')}
        ${
          activeCount > active.length
            ? html`<p class="small muted">
                <a href="/admin/requests${queryString({ status: 'active', building: building.id })}"
                  >查看全部 ${countText(activeCount)} 条</a
                >
              </p>`
            : ''
        }
        <h2>近 ${HISTORY_DAYS} 天 <span class="muted small">共 ${countText(recentCount)} 条</span></h2>
        ${recentSummary(recentTally, view.ledger)}
        ${requestTable(recent, view, `近 ${HISTORY_DAYS} 天没有诉求`)}
        ${
          // The list has no date filter: the link promises the building's whole history, not the count above.
          recentCount > HISTORY_ROWS
            ? html`<p class="small muted">
                只列出最近 ${HISTORY_ROWS} 条 ·
                <a href="/admin/requests?building=${building.id}">查看本楼全部诉求（不限时间）</a>
              </p>`
            : ''
        }`,
    );
  });
}

const NONE: BuildingCounts = { active: 0, overdue: 0, recent: 0 };

/** A count linked to the requests list showing exactly those requests; a plain 0 links nowhere. */
function countLink(n: number, filters: Record<string, string | boolean>, warn = false): Html | string {
  if (n === 0) return '0';
  const shown = warn ? html`<span class="badge warn">${n}</span>` : html`${n}`;
  return html`<a href="/admin/requests${queryString(filters)}">${shown}</a>`;
}

/** A row's 进行中, 超时 and 近N天 cells, the first two linked to the requests they count. */
function countCells(n: BuildingCounts, scope: { compound: string } | { building: string }): Html {
  return html`<td data-label="进行中" class="num">${countLink(n.active, { status: 'active', ...scope })}</td>
    <td data-label="超时" class="num">${countLink(n.overdue, { ...scope, overdue: true }, true)}</td>
    <td data-label="近${HISTORY_DAYS}天" class="num">${n.recent}</td>`;
}

/** Every compound in a row: its buildings, what is being handled and late, linked to both lists. */
function compoundOverview(ledger: Ledger, counts: Map<string, BuildingCounts>, hot: Set<string>): Html {
  return html`<div class="table-wrap">
    <table class="cards">
      <thead>
        <tr>
          <th>小区</th>
          <th>网格员</th>
          <th class="num">楼栋</th>
          <th class="num">热点楼栋</th>
          <th class="num">进行中</th>
          <th class="num">超时</th>
          <th class="num">近${HISTORY_DAYS}天</th>
        </tr>
      </thead>
      <tbody>
        ${ledger.allCompounds().map((c) => {
          const n = counts.get(c.id) ?? NONE;
          const hotspots = c.buildings.filter((b) => hot.has(b.id)).length;
          return html`<tr>
            <td data-label="小区"><a href="/admin/ledger?compound=${c.id}">${c.name}</a></td>
            <td data-label="网格员">${c.grid_workers.map((p) => ledger.nameOf(p)).join('、') || '—'}</td>
            <td data-label="楼栋" class="num">${c.buildings.length}</td>
            <td data-label="热点楼栋" class="num">
              ${hotspots > 0 ? html`<span class="badge hot">${hotspots}</span>` : '0'}
            </td>
            ${countCells(n, { compound: c.id })}
          </tr>`;
        })}
      </tbody>
    </table>
  </div>`;
}

/** One compound's buildings, each with its path, head and counts (进行中 and 超时 linked). */
function compoundSection(
  c: Compound,
  counts: Map<string, BuildingCounts>,
  hot: Set<string>,
  ledger: Ledger,
): Html {
  return html`<section class="card" id="compound-${c.id}">
    <h2>${c.name} <span class="muted small">${c.address ?? ''}</span></h2>
    <p class="small muted">
      网格员：${c.grid_workers.map((p) => ledger.nameOf(p)).join('、')} · ${c.buildings.length} 栋楼 ·
      <a href="/admin/requests?compound=${c.id}">查看诉求</a> ·
      <a href="/admin/figures?compound=${c.id}">周报数据</a>
    </p>
    <div class="table-wrap">
      <table class="cards">
        <thead>
          <tr>
            <th>楼栋</th>
            <th>治理路径</th>
            <th>楼长</th>
            <th class="num">户数</th>
            <th class="num">进行中</th>
            <th class="num">超时</th>
            <th class="num">近${HISTORY_DAYS}天</th>
          </tr>
        </thead>
        <tbody>
          ${c.buildings.map((b) => {
            const n = counts.get(b.id) ?? NONE;
            return html`<tr>
              <td data-label="楼栋">
                <a href="/admin/ledger/buildings/${b.id}">${b.name}</a
                >${hot.has(b.id) ? html` <span class="badge hot">热点</span>` : ''}${b.chat_id ? '' : html` <span class="badge">未建群</span>`}
              </td>
              <td data-label="治理路径">${PATH_NAMES[b.path]}</td>
              <td data-label="楼长">${b.head ? ledger.nameOf(b.head) : '—'}</td>
              <td data-label="户数" class="num">${b.households ?? '—'}</td>
              ${countCells(n, { building: b.id })}
            </tr>`;
          })}
        </tbody>
      </table>
    </div>
  </section>`;
}
