import { MAX_PAGE } from '../../../src/http/admin/list-filter';
import { pagerLinks } from '../../../src/http/admin/list-pager';

describe('pagerLinks', () => {
  it('links first, previous, next and last around the page', () => {
    expect(pagerLinks(1, 1)).toEqual({});
    expect(pagerLinks(1, 3)).toEqual({ next: 2, last: 3 });
    expect(pagerLinks(2, 3)).toEqual({ first: 1, prev: 1, next: 3, last: 3 });
    expect(pagerLinks(3, 3)).toEqual({ first: 1, prev: 2 });
  });

  it('never links past the last page the list will open', () => {
    const pages = MAX_PAGE + 5_000;
    expect(pagerLinks(MAX_PAGE - 1, pages)).toEqual({
      first: 1,
      prev: MAX_PAGE - 2,
      next: MAX_PAGE,
      cut: true,
    });
    expect(pagerLinks(MAX_PAGE, pages)).toEqual({ first: 1, prev: MAX_PAGE - 1, cut: true });
    expect(pagerLinks(1, pages)).toEqual({ next: 2, cut: true });
    expect(pagerLinks(1, MAX_PAGE)).toEqual({ next: 2, last: MAX_PAGE });
  });
});
