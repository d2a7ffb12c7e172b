import { html, type Html } from './html';
import { MAX_PAGE } from './list-filter';

/** The pages a pager links to; none past MAX_PAGE, which the list refuses. */
export interface PagerLinks {
  readonly first?: number;
  readonly prev?: number;
  readonly next?: number;
  readonly last?: number;
  /** More pages than the list opens: the rest are reached by another order or narrower filters. */
  readonly cut?: boolean;
}

export function pagerLinks(page: number, pages: number): PagerLinks {
  const reachable = Math.min(pages, MAX_PAGE);
  return {
    ...(page > 1 ? { first: 1, prev: page - 1 } : {}),
    ...(page < reachable ? { next: page + 1 } : {}),
    ...(page < pages && pages <= MAX_PAGE ? { last: pages } : {}),
    ...(pages > MAX_PAGE ? { cut: true } : {}),
  };
}

/** 首页 上一页 第 2 / 9 页 下一页 末页; `href` makes a page's address, keeping the filters. */
export function pager(page: number, pages: number, href: (page: number) => string): Html {
  if (pages <= 1) return html``;
  const links = pagerLinks(page, pages);
  const step = (to: number | undefined, label: string, rel?: string) =>
    to === undefined
      ? html`<span class="muted">${label}</span>`
      : html`<a href="${href(to)}" ${rel ? html`rel="${rel}"` : ''}>${label}</a>`;
  return html`<nav class="pager" aria-label="分页">
    ${step(links.first, '首页')} ${step(links.prev, '上一页', 'prev')}
    <span>第 ${page} / ${pages} 页</span>
    ${step(links.next, '下一页', 'next')}
    ${links.cut ? html`<span class="muted small">最多翻到第 ${MAX_PAGE} 页，请换个排序或缩小筛选范围</span>` : step(links.last, '末页')}
  </nav>`;
}
