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
    // In Chinese numerals, as residents say them (the user review's inputs), and mixed.
    [
      '@睦邻助手 #报修 3单元501门口灯坏了 有事打我电话一三九一二三四五六七八 或 139 1234 5678',
      '@睦邻助手 #报修 3单元501门口灯坏了 有事打我电话139****5678 或 139****5678',
    ],
    ['电话幺三九幺二三四五六七八', '电话139****5678'],
    ['电话一三九两三〇〇零五六七', '电话139****0567'],
    ['电话一三九○一二三四五六七', '电话139****4567'],
    ['电话一三九 一二三四 五六七八', '电话139****5678'],
    ['电话一三九-一二三四-五六七八', '电话139****5678'],
    ['电话一三九，一二三四，五六七八', '电话139****5678'],
    ['电话139 一二三四 5678', '电话139****5678'],
    ['电话１３９－一二三四－５６７８', '电话139****5678'],
    ['电话壹叁玖壹贰叁肆伍陆柒捌', '电话139****5678'],
    ['老三一三九一二三四五六七八一直没人接', '老三139****5678一直没人接'],
    ['找老三一三九 一二三四 五六七八', '找老三139****5678'],
    ['张三13912345678一直没人接', '张三139****5678一直没人接'],
    ['座机零二一 六二三四 五六七八', '座机****5678'],
    ['座机〇五七一-八八八八-六六六六', '座机****6666'],
    ['家里电话六二三四五六七八', '家里电话****5678'],
    ['家里电话六二三四 5678', '家里电话****5678'],
    ['家里电话6234567一下', '家里电话****4567一下'],
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
    // Chinese numerals in ordinary text: too few in a row to be a phone number.
    '三单元五楼灯坏了',
    '一二楼之间的楼梯',
    '十一月二十八日下午',
    '二〇二五年十一月二十八日',
    '楼上住的七八十岁老人',
    '五〇一室，三三两两的人',
    '3单元501，一二楼之间',
    // A count is not a local number: what touches its ends is more of it.
    '一二三四五六七八九十',
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
          // All of it, exactly: the middle digits may be the last four, so a look for them alone
          // would find the last four shown.
          const shown = maskPhones(`${before}${typed}${after}`);
          expect(shown).toBe(`${before}${number.slice(0, 3)}****${number.slice(-4)}${after}`);
        },
      ),
    );
  });

  /** Each form a digit may be written in: ASCII, full-width, Chinese numerals. */
  const FORMS: readonly (readonly string[])[] = [
    ['0', '０', '〇', '○', '零'],
    ['1', '１', '一', '幺', '壹'],
    ['2', '２', '二', '两', '贰'],
    ['3', '３', '三', '叁'],
    ['4', '４', '四', '肆'],
    ['5', '５', '五', '伍'],
    ['6', '６', '六', '陆'],
    ['7', '７', '七', '柒'],
    ['8', '８', '八', '捌'],
    ['9', '９', '九', '玖'],
  ];
  /**
   * The digits, each in a form of its own (the same for all when `forms` has one): 0 ASCII, 1
   * full-width, 2 and above a Chinese numeral (of the several some digits have).
   */
  const written = (digits: string, forms: readonly number[]) =>
    Array.from(digits, (d, i) => {
      const options = FORMS[Number(d)] ?? [];
      const form = forms[i] ?? forms[0] ?? 0;
      return options[form < 2 ? form : 2 + ((form - 2) % (options.length - 2))];
    }).join('');

  it('masks a mobile number written in Chinese numerals, Arabic digits or both, however spaced', () => {
    const separator = fc.constantFrom('', '', '', ' ', '-', ' - ', '　', '，');
    // Words that run into a number, Chinese numerals among them (老三, 一直, 一下).
    const before = fc.constantFrom('', '电话', '有事打我', '找老三', '第一', '，');
    const after = fc.constantFrom('', '。', '，谢谢', '一直没人接', '一下', '找王阿姨', ' 5楼');
    fc.assert(
      fc.property(
        fc.stringMatching(/^1[3-9][0-9]{9}$/),
        fc.array(fc.nat(4), { minLength: 11, maxLength: 11 }),
        fc.array(separator, { minLength: 10, maxLength: 10 }),
        before,
        after,
        (number, forms, separators, head, tail) => {
          const typed = Array.from(written(number, forms))
            .map((d, i) => d + (separators[i] ?? ''))
            .join('');
          const hidden = `${number.slice(0, 3)}****${number.slice(-4)}`;
          expect(maskPhones(`${head}${typed}${tail}`)).toBe(`${head}${hidden}${tail}`);
        },
      ),
    );
  });

  it('masks a landline written in Chinese numerals, Arabic digits or both, a script to each group', () => {
    // Area codes as they are (010, 02x, 0xxx from 03): none starts 013–019, which with the digits
    // after it would read as 0 and a mobile number.
    const separator = fc.constantFrom('', ' ', '-', ' - ', '　');
    const around = fc.constantFrom('', '座机', '家里电话', '，谢谢', '。');
    fc.assert(
      fc.property(
        fc.option(fc.stringMatching(/^0(?:10|2[0-9]|[3-9][0-9]{2})$/), { nil: '' }),
        fc.stringMatching(/^[2-9][0-9]{2,3}$/),
        fc.stringMatching(/^[0-9]{4}$/),
        fc.array(fc.nat(4), { minLength: 3, maxLength: 3 }),
        separator,
        separator,
        around,
        around,
        (area, exchange, line, forms, afterArea, afterExchange, head, tail) => {
          const typed = [
            area === '' ? '' : `${written(area, [forms[0] ?? 0])}${afterArea}`,
            written(exchange, [forms[1] ?? 0]),
            afterExchange,
            written(line, [forms[2] ?? 0]),
          ].join('');
          expect(maskPhones(`${head}${typed}${tail}`)).toBe(`${head}****${line}${tail}`);
        },
      ),
    );
  });

  it('leaves alone runs of up to six digits, of any forms, between words', () => {
    const word = fc.constantFrom('楼', '单元', '号', '室', '月', '日', '岁', '个', '十', '百', '元', '层');
    const run = fc
      .tuple(fc.stringMatching(/^[0-9]{1,6}$/), fc.array(fc.nat(4), { minLength: 6, maxLength: 6 }))
      .map(([digits, forms]) => written(digits, forms));
    fc.assert(
      fc.property(fc.array(fc.tuple(run, word), { maxLength: 8 }), (parts) => {
        const text = parts.map(([digits, w]) => digits + w).join('');
        expect(maskPhones(text)).toBe(text);
      }),
    );
  });

  it('is a pattern of bounded repeats, so masking stays linear in the length of the text', () => {
    // Every quantifier has an upper bound (no *, + or {n,}): the work from any one character is
    // bounded, whatever follows it, so no text can make the scan backtrack without end.
    const quantifiers = PHONE_PATTERN.replace(/\\./g, '').replace(/\[[^\]]*\]/g, '');
    expect(quantifiers).not.toMatch(/[*+]|\{\d+,\}/);
    const long = `${'1 3 9 - '.repeat(20_000)}电话139 - 1234 - 5678`;
    expect(maskPhones(long).endsWith('电话139****5678')).toBe(true);
    const spoken = `${'一 三 九 - '.repeat(20_000)}电话一三九 - 一二三四 - 五六七八`;
    expect(maskPhones(spoken).endsWith('电话139****5678')).toBe(true);
  });
});
