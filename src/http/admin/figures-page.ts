import type Router from 'koa-router';
import { compoundWeek, percent, type Rate } from '../../digest';
import type { Compound } from '../../ledger/schema';
import { topHotspots } from '../../requests/hotspots';
import type { AppState } from '../app-state';
import { type AdminDeps, respondPage, viewContext } from './admin-context';
import { scopeNav, scopeOf } from './compound-scope';
import { html, type Html } from './html';
import { HOTSPOTS_SHOWN, hotspotList } from './hotspot-list';
import { barChart, rateChart } from './svg-charts';
import { FinishedWeeks, SERIES_WEEKS, weeklySeries, type WeekFigures, type WeekPoint } from './weekly-series';

function rateCell(rate: Rate): Html {
  return html`${percent(rate)}${rate.denominator > 0 ? html` <span class="muted small frac">${rate.numerator}/${rate.denominator}</span>` : ''}`;
}

export function addFiguresRoutes(router: Router<AppState>, deps: AdminDeps): void {
  // The weeks already read, for every view of this router (one per process).
  const finished = new FinishedWeeks();

  router.get('/figures', async (ctx) => {
    const view = await viewContext(deps, []);
    const { ledger, now } = view;
    const compound = scopeOf(ctx, ledger, 'figures');
    const compoundId = compound?.id;
    const scope = compound?.name ?? ledger.streetName;
    const series = await weeklySeries(
      deps.dataSource,
      { now, timeZone: deps.timeZone, ...(compoundId ? { compoundId } : {}) },
      finished,
    );
    const hotspots = await topHotspots(deps.dataSource, {
      now,
      limit: HOTSPOTS_SHOWN,
      ...(compoundId ? { compoundId } : {}),
    });
    const { points } = series;
    const labels = points.map((p) => p.label.replace(/月/, '/').replace(/日$/, ''));
    respondPage(
      ctx,
      deps,
      '周报数据',
      'figures',
      html`<h1>周报数据 <span class="muted small">${scope} · 近 ${SERIES_WEEKS} 周（至上周日）</span></h1>
        ${scopeNav(ledger, compoundId, '/admin/figures')}
        <div class="grid2">
          <section class="card">
            <h2>受理与办结（件）</h2>
            ${barChart(`${scope}每周受理与办结`, labels, [
              { name: '受理', values: points.map((p) => p.received) },
              { name: '办结', values: points.map((p) => p.resolved) },
            ])}
          </section>
          <section class="card">
            <h2>三率</h2>
            ${rateChart(`${scope}每周按时接单率、按时办结率、满意率`, labels, [
              { name: '按时接单率', values: points.map((p) => p.response.value) },
              { name: '按时办结率', values: points.map((p) => p.resolution.value) },
              { name: '满意率', values: points.map((p) => p.satisfaction.value) },
            ])}
          </section>
        </div>
        <section class="card">
          <h2>热点楼栋（未诉先办）</h2>
          ${hotspotList(hotspots.hotspots, ledger, {
            total: hotspots.total,
            allHref: `/admin/figures/hotspots${compoundId ? `?compound=${encodeURIComponent(compoundId)}` : ''}`,
          })}
        </section>
        ${compound ? '' : compoundsTable(ledger.allCompounds(), series.last, series.lastStart)}
        <h2>逐周数据</h2>
        ${weekTable(points)}
        <p class="muted small">
          按时接单率：应在本周接单的诉求中按时接单的比例；按时办结率：应在本周办结的诉求中按时办结的比例；满意率：本周评价中「满意」的比例。没有应办事项的周不计比例（—）。
        </p>`,
    );
  });

  // Every hotspot, for the leader who wants more than the figures page's first twenty.
  router.get('/figures/hotspots', async (ctx) => {
    const view = await viewContext(deps, []);
    const { ledger, now } = view;
    const compound = scopeOf(ctx, ledger, 'figures');
    const { hotspots, total } = await topHotspots(deps.dataSource, {
      now,
      ...(compound ? { compoundId: compound.id } : {}),
    });
    respondPage(
      ctx,
      deps,
      '热点楼栋',
      'figures',
      html`<p class="small">
          <a href="/admin/figures${compound ? `?compound=${encodeURIComponent(compound.id)}` : ''}"
            >← 返回周报数据</a
          >
        </p>
        <h1>
          热点楼栋 <span class="muted small">${compound?.name ?? ledger.streetName} · 共 ${total} 处</span>
        </h1>
        ${scopeNav(ledger, compound?.id, '/admin/figures/hotspots')}
        <section class="card">${hotspotList(hotspots, ledger)}</section>`,
    );
  });
}

function weekTable(series: readonly WeekPoint[]): Html {
  return html`<div class="table-wrap">
    <table class="compact">
      <thead>
        <tr>
          <th>周</th>
          <th class="num">受理</th>
          <th class="num">办结</th>
          <th class="num">按时接单率</th>
          <th class="num">按时办结率</th>
          <th class="num">满意率</th>
        </tr>
      </thead>
      <tbody>
        ${[...series].reverse().map(
          (p) =>
            html`<tr>
              <td data-label="周">${p.label}起 <span class="muted small wk">${p.week}</span></td>
              <td data-label="受理" class="num">${p.received}</td>
              <td data-label="办结" class="num">${p.resolved}</td>
              <td data-label="按时接单率" class="num">${rateCell(p.response)}</td>
              <td data-label="按时办结率" class="num">${rateCell(p.resolution)}</td>
              <td data-label="满意率" class="num">${rateCell(p.satisfaction)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

/** Each compound's last full week side by side, so a leader sees which one needs a visit. */
function compoundsTable(compounds: readonly Compound[], week: WeekFigures, weekStart: Date): Html {
  if (compounds.length === 0) return html``;
  const rows = compounds.map((c) => {
    const f = compoundWeek(week, c.id, weekStart);
    return html`<tr>
      <td data-label="小区"><a href="/admin/figures?compound=${c.id}">${c.name}</a></td>
      <td data-label="受理" class="num">${f.received}</td>
      <td data-label="按时接单率" class="num">${rateCell(f.response)}</td>
      <td data-label="按时办结率" class="num">${rateCell(f.resolution)}</td>
      <td data-label="满意率" class="num">${rateCell(f.satisfaction)}</td>
    </tr>`;
  });
  return html`<h2>各小区上周</h2>
    <div class="table-wrap">
      <table class="compact">
        <thead>
          <tr>
            <th>小区</th>
            <th class="num">受理</th>
            <th class="num">按时接单率</th>
            <th class="num">按时办结率</th>
            <th class="num">满意率</th>
          </tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>
    </div>`;
}
