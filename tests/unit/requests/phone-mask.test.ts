import fc from 'fast-check';
import { maskPhones, PHONE_PATTERN } from '../../../src/requests/phone-mask';

describe('maskPhones', () => {
  it.each([
    ['电话13912345678', '电话139****5678'],
    ['电话139 1234 5678', '电话139****5678'],
    ['电话139-1234-5678', '电话139****5678'],
    ['电话139.1234.5678', '电话139****5678'],
    ['电话１３９１２３４５６７８', '电话139****5678'],
    ['电话１３９－１２３４－５６７８', '电话139****5678'],
    ['电话+8613912345678', '电话139****5678'],
    ['电话+86 139 1234 5678', '电话139****5678'],
    ['电话8613912345678', '电话139****5678'],
    ['电话008613912345678', '电话139****5678'],
    ['电话（+86）139 1234 5678', '电话139****5678'],
    ['电话139　1234　5678找王阿姨', '电话139****5678找王阿姨'],
    ['座机021-62345678', '座机****5678'],
    ['座机0571 8888 6666', '座机****6666'],
    ['家里电话6234 5678', '家里电话****5678'],
    ['家里电话6234567', '家里电话****4567'],
    ['两个号码13912345678、13800001111', '两个号码139****5678、138****1111'],
    // As residents type them on a phone (the chat UX review's inputs).
    ['联系我 139 - 1234 - 5678', '联系我 139****5678'],
    ['139，1234，5678', '139****5678'],
    ['电话 1 3 9 1 2 3 4 5 6 7 8', '电话 139****5678'],
    ['电话139,1234,5678，找王阿姨', '电话139****5678，找王阿姨'],
    ['电话139 -1234- 5678', '电话139****5678'],
    ['电话139  1234  5678', '电话139****5678'],
    ['电话１３９ － １２３４ － ５６７８', '电话139****5678'],
    ['座机021 - 6234 5678', '座机****5678'],
  ])('%s → %s', (text, expected) => {
    expect(maskPhones(text)).toBe(expected);
  });

  it.each([
    '3单元301室楼道灯不亮',
    '5-2-301 楼上漏水',
    '2026年11月28日下午3点',
    '电表号 123456，欠费了',
    '#12 已办结',
    '订单号1391234567890123',
    // Commas part amounts and room numbers too: only a mobile number may be written with them.
    '3单元301，1234元',
    '面积120，3000元一平',
    '2单元 - 301 - 漏水',
  ])('leaves %s alone', (text) => {
    expect(maskPhones(text)).toBe(text);
  });

  it('leaves no run of the number’s digits in what it shows', () => {
    for (const typed of ['139 1234 5678', '+86-139-1234-5678', '１３９ １２３４ ５６７８']) {
      const shown = maskPhones(`有事打我${typed}`).replace(/[\s-]/g, '');
      expect(shown).not.toMatch(/1234/);
      expect(shown).toContain('139****5678');
    }
  });

  it('hides the middle of a mobile number however its digits are spaced', () => {
    const separator = fc.constantFrom('', ' ', '  ', '-', ' - ', '－', '.', '　', '，', ',', ' ，');
    const around = fc.constantFrom('', '电话', '联系我', '找王阿姨 ', '，谢谢', '。');
    fc.assert(
      fc.property(
        fc.stringMatching(/^1[3-9][0-9]{9}$/),
        fc.array(separator, { minLength: 10, maxLength: 10 }),
        around,
        around,
        (number, separators, before, after) => {
          const typed = Array.from(number)
            .map((d, i) => d + (separators[i] ?? ''))
            .join('');
          const shown = maskPhones(`${before}${typed}${after}`);
          expect(shown).toContain(`${number.slice(0, 3)}****${number.slice(-4)}`);
          expect(shown.replace(/[^0-9*]/g, '')).not.toContain(number.slice(3, 7));
        },
      ),
    );
  });

  it('is a pattern of bounded repeats, so masking stays linear in the length of the text', () => {
    // Every quantifier has an upper bound (no *, + or {n,}): the work from any one character is
    // bounded, whatever follows it, so no text can make the scan backtrack without end.
    const quantifiers = PHONE_PATTERN.replace(/\\./g, '').replace(/\[[^\]]*\]/g, '');
    expect(quantifiers).not.toMatch(/[*+]|\{\d+,\}/);
    const long = `${'1 3 9 - '.repeat(20_000)}电话139 - 1234 - 5678`;
    expect(maskPhones(long).endsWith('电话139****5678')).toBe(true);
  });
});
