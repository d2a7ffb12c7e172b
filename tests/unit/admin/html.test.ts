import { escapeHtml, html, queryString, textBlock, trustedHtml } from '../../../src/http/admin/html';

describe('html``', () => {
  it('escapes every interpolated string, in text and in attributes', () => {
    const text = `<script>alert("x")</script> & 'quoted'`;
    expect(html`<p title="${text}">${text}</p>`.text).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;">' +
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;</p>',
    );
  });

  it('nests Html as is, joins lists and leaves out null, undefined and false', () => {
    const items = ['<a>', 'b'].map((x) => html`<li>${x}</li>`);
    const list = html`<ul>
        ${items}
      </ul>
      ${null}${undefined}${false}${0}${true}`;
    // Prettier lays out html`` templates; the markup, not its line breaks, is under test.
    expect(list.text.replace(/\s+/g, '')).toBe('<ul><li>&lt;a&gt;</li><li>b</li></ul>0true');
  });

  it('marks only what the code holds as trusted', () => {
    expect(html`${trustedHtml('<b>x</b>')}`.text).toBe('<b>x</b>');
    expect(escapeHtml('"&')).toBe('&quot;&amp;');
  });

  it('keeps line breaks in text blocks, escaped', () => {
    expect(textBlock('div', 'a\n<b>').text).toBe('<div class="text">a\n&lt;b&gt;</div>');
  });
});

describe('queryString', () => {
  it('keeps set values only, encoded', () => {
    expect(queryString({ a: 'x y', b: '', c: undefined, d: false, e: true, f: 2, q: '路灯&' })).toBe(
      `?a=x+y&e=1&f=2&q=${encodeURIComponent('路灯&')}`,
    );
    expect(queryString({ a: undefined })).toBe('');
  });
});
