import { appTextRef, markdownRef, PageLinks, pageLinksFor } from '../../../src/requests/page-links';

describe('links to the street office pages', () => {
  const links = new PageLinks('https://mulin.example.gov.cn');

  it('writes #12 as a link in each message format, or as it was without an address', () => {
    expect(markdownRef(12, links)).toBe('[#12](https://mulin.example.gov.cn/admin/requests/12)');
    expect(appTextRef(12, links)).toBe('<a href="https://mulin.example.gov.cn/admin/requests/12">#12</a>');
    expect(markdownRef(12, undefined)).toBe('#12');
    expect(appTextRef(12, undefined)).toBe('#12');
    expect(pageLinksFor(undefined)).toBeUndefined();
  });

  it('puts a request number in a link and nothing else', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => links.request(bad)).toThrow(RangeError);
  });
});
