import type Router from 'koa-router';
import { z } from 'zod';
import {
  compoundWeek,
  lastFullWeekBefore,
  percent,
  weekBounds,
  weeklyFiguresForAll,
  type Rate,
} from '../../digest';
import { findHotspots } from '../../requests/hotspots';
import { AppError } from '../../shared/errors';
import type { AppState } from '../app-state';
import { type AdminDeps, respondPage, viewContext } from './admin-context';
import { html, type Html, trustedHtml } from './html';
import { hotspotList } from './hotspot-list';
import { barChart, rateChart } from './svg-charts';
import { SERIES_WEEKS, weeklySeries, type WeekPoint } from './weekly-series';

const FiguresQuery = z.strictObject({
  compound: z
    .string()
    .regex(/^[A-Za-z0-9_.@-]{1,64}$/)
    .optional(),
});

function rateCell(rate: Rate): Html {
  return html`${percent(rate)}${rate.denominator > 0 ? html` <span class="muted small frac">${rate.numerator}/${rate.denominator}</span>` : ''}`;
}

export function addFiguresRoutes(router: Router<AppState>, deps: AdminDeps): void {
  router.get('/figures', async (ctx) => {
    const parsed = FiguresQuery.safeParse(ctx.query);
    if (!parsed.success) throw new AppError('bad_request', 'admin figures: bad query');
    const view = await viewContext(deps, []);
    const { ledger, now } = view;
    const compoundId = parsed.data.compound;
    const compound = compoundId === undefined ? undefined : ledger.compound(compoundId);
    if (compoundId !== undefined && !compound)
      throw new AppError('not_found', `admin figures: no compound "${compoundId}"`);
    const scope = compound?.name ?? ledger.streetName;
    const series = await weeklySeries(deps.dataSource, {
      now,
      timeZone: deps.timeZone,
      ...(compoundId ? { compoundId } : {}),
    });
    const hotspots = await findHotspots(deps.dataSource, { now, ...(compoundId ? { compoundId } : {}) });
    const labels = series.map((p) => p.label.replace(/月/, '/').replace(/日$/, ''));
    respondPage(
      ctx,
      deps,
      '周报数据',
      'figures',
      html`<h1>周报数据 <span class="muted small">${scope} · 近 ${SERIES_WEEKS} 周（至上周日）</span></h1>
        <nav class="card small scopes" aria-label="范围">
          ${scopeLink(undefined, '全街道', compoundId)}${ledger.allCompounds().map((c) => html` · ${scopeLink(c.id, c.name, compoundId)}`)}
        </nav>
        <div class="grid2">
          <section class="card">
            <h2>受理与办结（件）</h2>
            ${barChart(`${scope}每周受理与办结`, labels, [
              { name: '受理', values: series.map((p) => p.received) },
              { name: '办结', values: series.map((p) => p.resolved) },
            ])}
          </section>
          <section class="card">
            <h2>三率</h2>
            ${rateChart(`${scope}每周按时接单率、按时办结率、满意率`, labels, [
              { name: '按时接单率', values: series.map((p) => p.response.value) },
              { name: '按时办结率', values: series.map((p) => p.resolution.value) },
              { name: '满意率', values: series.map((p) => p.satisfaction.value) },
            ])}
          </section>
        </div>
        <section class="card">
          <h2>热点楼栋（未诉先办）</h2>
          ${hotspotList(hotspots, ledger)}
        </section>
        ${compound ? '' : await compoundsTable(deps, view.ledger.allCompounds(), now)}
        <h2>逐周数据</h2>
        ${weekTable(series)}
        <p class="muted small">
          按时接单率：应在本周接单的诉求中按时接单的比例；按时办结率：应在本周办结的诉求中按时办结的比例；满意率：本周评价中「满意」的比例。没有应办事项的周不计比例（—）。
        </p>`,
    );
  });
}

function scopeLink(id: string | undefined, name: string, current: string | undefined): Html {
  if (id === current) return html`<strong>${name}</strong>`;
  return html`<a
    href="/admin/figures${trustedHtml(id === undefined ? '' : `?compound=${encodeURIComponent(id)}`)}"
    >${name}</a
  >`;
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
async function compoundsTable(
  deps: AdminDeps,
  compounds: readonly { id: string; name: string }[],
  now: Date,
): Promise<Html> {
  if (compounds.length === 0) return html``;
  const { start } = weekBounds(lastFullWeekBefore(now, deps.timeZone), deps.timeZone);
  // Every compound's week in one pass.
  const all = await weeklyFiguresForAll(deps.dataSource, { weekStart: start, timeZone: deps.timeZone });
  const rows: Html[] = [];
  for (const c of compounds) {
    const f = compoundWeek(all, c.id, start);
    rows.push(
      html`<tr>
        <td data-label="小区"><a href="/admin/figures?compound=${c.id}">${c.name}</a></td>
        <td data-label="受理" class="num">${f.received}</td>
        <td data-label="按时接单率" class="num">${rateCell(f.response)}</td>
        <td data-label="按时办结率" class="num">${rateCell(f.resolution)}</td>
        <td data-label="满意率" class="num">${rateCell(f.satisfaction)}</td>
      </tr>`,
    );
  }
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
