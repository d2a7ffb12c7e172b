import type Router from 'koa-router';
import { findHotspots } from '../../requests/hotspots';
import { countRequests, countsByBuilding, searchRequests } from '../../requests/request-search';
import { AppError } from '../../shared/errors';
import type { AppState } from '../app-state';
import { type AdminDeps, respondPage, viewContext } from './admin-context';
import { html } from './html';
import { hotspotNotice } from './hotspot-list';
import { PATH_NAMES } from './labels';
import { buildingFacts, profileCard, recentSummary } from './building-parts';
import { requestTable } from './request-bits';

export const HISTORY_DAYS = 90;
const HISTORY_ROWS = 50;
const DAY_MS = 86_400_000;

export function addLedgerRoutes(router: Router<AppState>, deps: AdminDeps): void {
  router.get('/ledger', async (ctx) => {
    const now = deps.clock.now();
    const [counts, hotspots] = await Promise.all([
      countsByBuilding(deps.dataSource, now, new Date(now.getTime() - HISTORY_DAYS * DAY_MS)),
      findHotspots(deps.dataSource, { now }),
    ]);
    const view = await viewContext(deps, []);
    const { ledger } = view;
    const hot = new Set(hotspots.map((h) => h.buildingId));
    const none = { active: 0, overdue: 0, recent: 0 };
    respondPage(
      ctx,
      deps,
      '台账',
      'ledger',
      html`<h1>${ledger.streetName} 台账</h1>
        ${ledger.allCompounds().length === 0 ? html`<div class="card muted">还没有导入台账（mulin ledger import）</div>` : ''}
        ${ledger.allCompounds().map(
          (c) =>
            html`<section class="card" id="compound-${c.id}">
              <h2>${c.name} <span class="muted small">${c.address ?? ''}</span></h2>
              <p class="small muted">
                网格员：${c.grid_workers.map((p) => ledger.nameOf(p)).join('、')} · ${c.buildings.length} 栋楼
                · <a href="/admin/requests?compound=${c.id}">查看诉求</a> ·
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
                      const n = counts.get(b.id) ?? none;
                      return html`<tr>
                        <td data-label="楼栋">
                          <a href="/admin/ledger/buildings/${b.id}">${b.name}</a
                          >${hot.has(b.id) ? html` <span class="badge hot">热点</span>` : ''}${b.chat_id ? '' : html` <span class="badge">未建群</span>`}
                        </td>
                        <td data-label="治理路径">${PATH_NAMES[b.path]}</td>
                        <td data-label="楼长">${b.head ? ledger.nameOf(b.head) : '—'}</td>
                        <td data-label="户数" class="num">${b.households ?? '—'}</td>
                        <td data-label="进行中" class="num">${n.active}</td>
                        <td data-label="超时" class="num">
                          ${n.overdue > 0 ? html`<span class="badge warn">${n.overdue}</span>` : '0'}
                        </td>
                        <td data-label="近${HISTORY_DAYS}天" class="num">${n.recent}</td>
                      </tr>`;
                    })}
                  </tbody>
                </table>
              </div>
            </section>`,
        )}`,
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
    // The rows feed the summary and the table; the heading's count is counted, not the rows read.
    const [active, recent, recentCount, hotspots] = await Promise.all([
      searchRequests(deps.dataSource, { buildingId: id, status: 'active' }, now, { limit: 200, offset: 0 }),
      searchRequests(deps.dataSource, lastDays, now, { limit: 1000, offset: 0 }),
      countRequests(deps.dataSource, lastDays, now),
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
      html`<p class="small"><a href="/admin/ledger#compound-${compound.id}">← 返回台账</a></p>
        <h1>
          ${compound.name} ${building.name} <span class="badge info">${PATH_NAMES[building.path]}</span>
        </h1>
        ${hotspotNotice(hotspots, view.ledger)}
        <div class="grid2">${buildingFacts(building, compound, view.ledger)} ${profileCard(building)}</div>
        <h2>进行中的诉求 <span class="muted small">${active.length} 条</span></h2>
        ${requestTable(active, view, '没有进行中的诉求')}
        <h2>近 ${HISTORY_DAYS} 天 <span class="muted small">共 ${recentCount} 条</span></h2>
        ${recentSummary(recent, view.ledger)}
        ${requestTable(recent.slice(0, HISTORY_ROWS), view, `近 ${HISTORY_DAYS} 天没有诉求`)}
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
