import type { Ledger } from '../../ledger/ledger';
import type { Building, Compound } from '../../ledger/schema';
import { categoryName, STATUS_NAMES } from '../../requests/format';
import type { RequestStatus } from '../../requests/request-store';
import { html, type Html } from './html';
import { PATH_NAMES } from './labels';

/** Who runs the building and what it is: the ledger's entry, without chat ids or webhook keys. */
export function buildingFacts(building: Building, compound: Compound, ledger: Ledger): Html {
  const name = (id: string | undefined) => (id ? ledger.nameOf(id) : '—');
  const teams = ledger.document.teams.filter((t) => !t.compounds || t.compounds.includes(compound.id));
  const units = building.units ?? [];
  return html`<section class="card">
    <h2>台账</h2>
    <dl class="facts">
      <dt>治理路径</dt>
      <dd>${PATH_NAMES[building.path]}</dd>
      <dt>楼长</dt>
      <dd>${name(building.head)}</dd>
      <dt>网格员</dt>
      <dd>${compound.grid_workers.map((p) => ledger.nameOf(p)).join('、')}</dd>
      <dt>户数</dt>
      <dd>${building.households ?? '—'}</dd>
      <dt>电梯</dt>
      <dd>${building.elevator === undefined ? '—' : building.elevator ? '有' : '无'}</dd>
      <dt>楼栋群</dt>
      <dd>${building.chat_id ? '已建群' : '尚未建群'}</dd>
      <dt>单元</dt>
      <dd>
        ${
          units.length === 0
            ? '—'
            : units.map(
                (u, i) =>
                  html`${i > 0 ? html`<br />` : ''}${u.no}单元：${u.head ? ledger.nameOf(u.head) : html`<span class="muted">暂无单元长</span>`}`,
              )
        }
      </dd>
      <dt>志愿队</dt>
      <dd>${teams.length === 0 ? '—' : teams.map((t) => t.name).join('、')}</dd>
    </dl>
  </section>`;
}

/** The survey dimensions the street office reads first; other labels follow in character order. */
const PROFILE_FIRST = ['居民结构', '设施', '自治基础'];

/**
 * The profile's entries in a stable order. The ledger is kept as jsonb, which does not keep the
 * order keys were written in, so the page sets one: the main dimensions first.
 */
export function profileEntries(building: Building): [string, string | number | boolean | string[]][] {
  const rank = (key: string) => {
    const i = PROFILE_FIRST.indexOf(key);
    return i === -1 ? PROFILE_FIRST.length : i;
  };
  return Object.entries(building.profile ?? {}).sort(
    ([a], [b]) => rank(a) - rank(b) || a.localeCompare(b, 'zh-CN'),
  );
}

/** 楼栋画像: the street's survey, as the ledger words it. */
export function profileCard(building: Building): Html {
  const entries = profileEntries(building);
  return html`<section class="card">
    <h2>楼栋画像</h2>
    ${
      entries.length === 0
        ? html`<p class="muted small">
            还没有这栋楼的画像。可在台账文件里这栋楼的下面加一段<code>profile:</code>，一行写一项，如居民结构、设施、自治基础，重新导入台账后就会显示在这里。
          </p>`
        : html`<dl class="facts">
            ${entries.map(
              ([key, value]) =>
                html`<dt>${key}</dt>
                  <dd>${Array.isArray(value) ? value.join('、') : showValue(value)}</dd>`,
            )}
          </dl>`
    }
  </section>`;
}

function showValue(value: string | number | boolean): string {
  if (value === true) return '是';
  if (value === false) return '否';
  return String(value);
}

/** How many of each category and status, so a leader sees the pattern before the rows. */
export function recentSummary(
  tally: readonly { category: string; status: RequestStatus; n: number }[],
  ledger: Ledger,
): Html {
  if (tally.length === 0) return html``;
  const byCategory = sum(tally.map((t) => [t.category, t.n]));
  const byStatus = sum(tally.map((t) => [t.status, t.n]));
  return html`<p class="small">
    ${[...byCategory].map(
      ([code, n], i) => html`${i > 0 ? ' · ' : ''}${categoryName(ledger.categories, code)} ${n}`,
    )}<br /><span class="muted"
      >${[...byStatus].map(
        ([status, n], i) => html`${i > 0 ? ' · ' : ''}${STATUS_NAMES[status as RequestStatus]} ${n}`,
      )}</span
    >
  </p>`;
}

/** The counts added up per key, biggest first (ties in the order first seen). */
function sum(counts: readonly (readonly [string, number])[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, n] of counts) out.set(key, (out.get(key) ?? 0) + n);
  return new Map([...out].sort((a, b) => b[1] - a[1]));
}
