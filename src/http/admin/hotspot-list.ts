import type { Ledger } from '../../ledger/ledger';
import { categoryName } from '../../requests/format';
import { HOTSPOT_DAYS, HOTSPOT_MIN_REQUESTS, type Hotspot } from '../../requests/hotspots';
import { html, type Html } from './html';
import { buildingLink } from './request-bits';

/** A hotspot lists its newest requests only: a busy building's can run to hundreds. */
const LINKS_SHOWN = 10;

function requestLinks(nos: readonly number[]): Html[] {
  const shown = nos.slice(-LINKS_SHOWN);
  const links = shown.map((no, i) => html`${i > 0 ? '、' : ''}<a href="/admin/requests/${no}">#${no}</a>`);
  if (nos.length > shown.length) links.push(html`（只列出最近 ${LINKS_SHOWN} 件）`);
  return links;
}

/** On a building's page: the same kind of problem again and again is worth fixing at its cause. */
export function hotspotNotice(hotspots: readonly Hotspot[], ledger: Ledger): Html {
  if (hotspots.length === 0) return html``;
  return html`<div class="notice" role="status">
    <strong>热点提示（未诉先办）</strong>
    <ul>
      ${hotspots.map(
        (h) =>
          html`<li>
            近 ${HOTSPOT_DAYS} 天「${categoryName(ledger.categories, h.category)}」${h.count}
            次：${requestLinks(h.nos)}
          </li>`,
      )}
    </ul>
    <span class="small">建议主动排查根源，或提交居民议事会商议。</span>
  </div>`;
}

/** The weekly figures list the biggest this many; a link opens the rest. */
export const HOTSPOTS_SHOWN = 20;

/**
 * In the weekly figures: the buildings flagged, most repeated first. With `more`, the list is the
 * first of `more.total`, and links to all of them.
 */
export function hotspotList(
  hotspots: readonly Hotspot[],
  ledger: Ledger,
  more?: { readonly total: number; readonly allHref: string },
): Html {
  if (hotspots.length === 0) {
    return html`<p class="muted small">
      近 ${HOTSPOT_DAYS} 天没有楼栋同类诉求达到 ${HOTSPOT_MIN_REQUESTS} 次。
    </p>`;
  }
  return html`<p class="small muted">
      近 ${HOTSPOT_DAYS} 天同一楼栋同类诉求 ${HOTSPOT_MIN_REQUESTS} 次及以上，可主动排查或提交居民议事会。
    </p>
    <ul>
      ${hotspots.map((h) => {
        const names = ledger.buildingNames(h.buildingId);
        const where = names ? `${names.compound} ${names.building}` : h.buildingId;
        return html`<li>
          <span class="badge hot">热点</span>
          ${buildingLink(ledger, h.buildingId, where)}
          「${categoryName(ledger.categories, h.category)}」${h.count} 次：${requestLinks(h.nos)}
        </li>`;
      })}
    </ul>
    ${
      more && more.total > hotspots.length
        ? html`<p class="small muted">
            只列出最多的 ${hotspots.length} 处 · <a href="${more.allHref}">查看全部 ${more.total} 处</a>
          </p>`
        : ''
    }`;
}
