import fc from 'fast-check';
import { PHONE_PATTERN } from '../../../src/requests/phone-mask';
import { openTestDatabase, type TestDatabase } from '../../helpers/database';

/**
 * One pattern finds phone numbers for masking (JavaScript) and for the search box (PostgreSQL's
 * regexp_replace, in request_search_text(), which keeps the text the search reads): both must take
 * out exactly the same text, or a search could read back digits the pages hide.
 */

let db: TestDatabase;

beforeAll(async () => {
  db = await openTestDatabase();
});

afterAll(() => db.close());

/**
 * Each text with its phone numbers taken out, by PostgreSQL, in one round trip: with the pattern
 * as it is now, and by request_search_text(), which keeps the stored search_text and has the
 * pattern written in as it was when its migration ran. The two must agree, or PHONE_PATTERN was
 * changed without a migration recreating the function and filling search_text again.
 */
async function inPostgres(texts: readonly string[]): Promise<string[]> {
  const rows = await db.dataSource.query<{ out: string; stored: string }[]>(
    `SELECT regexp_replace(t, $2, '', 'g') AS out, request_search_text(t) AS stored
       FROM unnest($1::text[]) WITH ORDINALITY AS x(t, n) ORDER BY n`,
    [texts, PHONE_PATTERN],
  );
  expect(rows.filter((r) => r.stored !== r.out)).toEqual([]);
  return rows.map((r) => r.out);
}

const inJavaScript = (text: string) => text.replace(new RegExp(PHONE_PATTERN, 'g'), '');

const TYPED = [
  '联系我 139 - 1234 - 5678',
  '139，1234，5678',
  '电话 1 3 9 1 2 3 4 5 6 7 8',
  '电话１３９ － １２３４ － ５６７８',
  '电话（+86）139 1234 5678',
  '座机021 - 6234 5678',
  '家里电话6234 5678',
  '两个号码13912345678、13800001111',
  '3单元301，1234元',
  '订单号1391234567890123',
  // In Chinese numerals and mixed, and Chinese numerals in ordinary text.
  '有事打我电话一三九一二三四五六七八 或 139 1234 5678',
  '幺三九幺二三四五六七八',
  '找老三一三九 一二三四 五六七八一直没人接',
  '电话139 一二三四 5678',
  '座机零二一-六二三四-五六七八',
  '家里电话六二三四五六七八，6234567一下',
  '三单元五楼，一二楼之间，十一月二十八日，七八十岁，一二三四五六七八九十',
];

it('takes out the same text in PostgreSQL as in JavaScript', async () => {
  expect(await inPostgres(TYPED)).toEqual(TYPED.map(inJavaScript));
  // And for texts made of what the pattern is about: digits, separators, plus signs, brackets,
  // and numbers shaped like phone numbers with separators between any of their digits.
  const separator = fc.constantFrom('', '', ' ', '  ', '　', '-', ' - ', '－', '.', '·', ',', '，');
  const spaced = (digits: string) =>
    fc.array(separator, { minLength: digits.length, maxLength: digits.length }).map((seps) =>
      Array.from(digits)
        .map((d, i) => d + (seps[i] ?? ''))
        .join(''),
    );
  // Digits in Chinese numerals too: each digit of a number in any of its forms.
  const FORMS = [
    '0０〇○零',
    '1１一幺壹',
    '2２二两贰',
    '3３三叁',
    '4４四肆',
    '5５五伍',
    '6６六陆',
    '7７七柒',
    '8８八捌',
    '9９九玖',
  ];
  const anyForms = (digits: string) =>
    fc.array(fc.nat(4), { minLength: digits.length, maxLength: digits.length }).map((forms) =>
      Array.from(digits, (d, i) => {
        const options = FORMS[Number(d)] ?? '';
        return options[(forms[i] ?? 0) % options.length] ?? '';
      }).join(''),
    );
  const piece = fc.oneof(
    fc.constantFrom(
      ...Array.from('0123456789０１３８９一三九〇零幺两'),
      '+',
      '（',
      ')',
      '86',
      '电话',
      '元',
      '楼',
    ),
    separator,
    fc.stringMatching(/^1[3-9][0-9]{9}$/).chain(spaced),
    fc.stringMatching(/^0[1-9][0-9]{9,10}$/).chain(spaced),
    fc
      .stringMatching(/^1[3-9][0-9]{9}$/)
      .chain(anyForms)
      .chain(spaced),
    fc
      .stringMatching(/^0[1-9][0-9]{9,10}$/)
      .chain(anyForms)
      .chain(spaced),
    fc.stringMatching(/^[2-9][0-9]{6,7}$/).chain(anyForms),
  );
  const texts = fc.sample(
    fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join('')),
    { numRuns: 1000, seed: 20261130 },
  );
  // Most of them hold a number, many in Chinese numerals: the comparison is not over texts with
  // nothing to take out.
  const numerals = (text: string) =>
    text.replace(/[^〇○零一幺壹二两贰三叁四肆五伍六陆七柒八捌九玖]/g, '').length;
  expect(texts.filter((t) => inJavaScript(t) !== t).length).toBeGreaterThan(500);
  expect(texts.filter((t) => numerals(inJavaScript(t)) < numerals(t)).length).toBeGreaterThan(250);
  expect(await inPostgres(texts)).toEqual(texts.map(inJavaScript));
});
