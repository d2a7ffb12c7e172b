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
  const piece = fc.oneof(
    fc.constantFrom(...Array.from('0123456789０１３８９'), '+', '（', ')', '86', '电话', '元'),
    separator,
    fc.stringMatching(/^1[3-9][0-9]{9}$/).chain(spaced),
    fc.stringMatching(/^0[1-9][0-9]{9,10}$/).chain(spaced),
  );
  const texts = fc.sample(
    fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join('')),
    { numRuns: 500, seed: 20261130 },
  );
  // Most of them hold a number: the comparison is not over texts with nothing to take out.
  expect(texts.filter((t) => inJavaScript(t) !== t).length).toBeGreaterThan(250);
  expect(await inPostgres(texts)).toEqual(texts.map(inJavaScript));
});
