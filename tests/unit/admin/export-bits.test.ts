import { csvField, csvLine } from '../../../src/http/admin/csv-export';
import { isPhoneLike, parseListQuery } from '../../../src/http/admin/list-filter';
import { barChart, niceMax, rateChart } from '../../../src/http/admin/svg-charts';

describe('csvField', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=HYPERLINK("http://x","点我")', `"'=HYPERLINK(""http://x"",""点我"")"`],
    ['+86 139', "'+86 139"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    [null, ''],
    [12, '12'],
    [-3, '-3'],
  ])('%j → %s', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('ends each line with CRLF', () => {
    expect(csvLine(['a', 1, null])).toBe('a,1,\r\n');
  });
});

describe('the list query', () => {
  it('reads checkboxes and ignores the empty fields a form sends', () => {
    expect(parseListQuery({ status: '', building: 'jw-b7', overdue: '1', council: 'on', q: '' })).toEqual({
      building: 'jw-b7',
      overdue: true,
      council: true,
    });
  });

  it.each([
    ['13912345678', true],
    ['139 1234 5678', true],
    ['139-1234-5678', true],
    ['1234567', true],
    ['１３９１２３４５６７８', true],
    ['+86 139 1234 5678', true],
    ['021-6234 5678', true],
    ['#123', false],
    ['2单元301', false],
    ['路灯', false],
    [undefined, false],
  ])('treats %j as a phone number: %s', (text, expected) => {
    expect(isPhoneLike(text)).toBe(expected);
  });
});

describe('charts', () => {
  it.each([
    [0, 4],
    [4, 4],
    [5, 8],
    [9, 12],
    [13, 16],
    [50, 60],
    [101, 120],
  ])('puts the top of a count axis for %i at %i', (value, max) => {
    expect(niceMax(value)).toBe(max);
  });

  it('escapes labels and titles, and breaks a rate line where there is no rate', () => {
    const svg = rateChart('<t>', ['<a>', 'b', 'c', 'd'], [{ name: 'x"', values: [0.5, null, 1, 0.75] }]).text;
    expect(svg).not.toMatch(/<t>|<a>|x"/);
    expect(svg).toContain('&lt;t&gt;');
    // One segment (c–d) per size; the lone point before the gap is still drawn as a dot.
    expect(svg.match(/<path\s/g)).toHaveLength(2);
    expect(svg.match(/<circle\s/g)).toHaveLength(6);
  });

  it('draws one bar per value and series, for desk and phone', () => {
    const svg = barChart(
      't',
      ['a', 'b'],
      [
        { name: '受理', values: [3, 0] },
        { name: '办结', values: [1, 2] },
      ],
    ).text;
    expect(svg.match(/<rect\s/g)).toHaveLength(8);
    expect(svg).toContain('class="desk"');
    expect(svg).toContain('class="phone"');
  });
});
