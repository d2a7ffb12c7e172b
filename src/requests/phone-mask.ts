/**
 * Phone numbers typed into a post or a note are never shown: not in a group, not on a page, not
 * in an export. Residents write them in many ways (139 1234 5678, 139 - 1234 - 5678, 139，1234，
 * 5678, 1 3 9 1 2…, +86 139…, full-width digits from a phone's Chinese keyboard, a landline with
 * its area code, in Chinese numerals as they would say it: 一三九一二三四五六七八, 幺三九…, or
 * mixed: 139 一二三四 5678), so the pattern takes each of those, and one pattern serves both this
 * module and PostgreSQL's regular expressions (the search box matches against text with the
 * numbers taken out).
 */

/**
 * What stands for each digit, 0 to 9: the ASCII and full-width digit, then the Chinese numerals
 * (〇 and the circle ○ an input method offers for it, 幺 as 1 is said on the phone, 两 for 2, and
 * the financial forms 壹贰…, which a keyboard's number candidates also offer).
 */
const DIGIT_FORMS: readonly string[] = [
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
const ARABIC_FORMS = (form: string) => form.slice(0, 2);
const CHINESE_FORMS = (form: string) => form.slice(2);

/** Any of the forms of the digits from..to (inclusive), of the forms `pick` keeps. */
function digits(from: number, to: number, pick: (forms: string) => string = (forms) => forms): string {
  const forms = DIGIT_FORMS.slice(from, to + 1).map(pick);
  return `[${forms.join('')}]`;
}
const DIGIT = digits(0, 9);
/** An Arabic digit (ASCII or full-width) and a Chinese numeral, apart: see the edges below. */
const ARABIC = digits(0, 9, ARABIC_FORMS);
const CHINESE = digits(0, 9, CHINESE_FORMS);
/** Any Chinese numeral: a text without one has no number that only Chinese numerals make one. */
export const CHINESE_NUMERAL = CHINESE;

type Lead = readonly [from: number, to: number];
/**
 * A group of a landline's digits (area code, exchange, line), in the one script `pick` keeps:
 * digits in the ranges `leads` (one each), then min to max more. A resident may say one group in
 * Chinese and type the next in Arabic digits (六二三四 5678), but a script that changes within a
 * group is where the number ended (6234567一下 is 6234567 and 一下).
 */
function group(leads: readonly Lead[], min: number, max: number, pick: (forms: string) => string): string {
  const quantity = min === max ? `{${min}}` : `{${min},${max}}`;
  return leads.map(([from, to]) => digits(from, to, pick)).join('') + digits(0, 9, pick) + quantity;
}
/** The group in either script. */
function inEither(leads: readonly Lead[], min: number, max: number): string {
  return `(?:${group(leads, min, max, ARABIC_FORMS)}|${group(leads, min, max, CHINESE_FORMS)})`;
}

/** Up to two spaces (also the ideographic one). */
const SPACES = '[ 　]{0,2}';
/**
 * Between two digits or groups of digits: spaces, then at most one dash or dot with spaces after
 * it, so `139-1234-5678` and `139 - 1234 - 5678` alike. Each text it takes, it takes one way only
 * (spaces are no dash), which keeps the scan from trying a separator in several ways.
 */
const SEP = `${SPACES}(?:[.·－-]${SPACES})?`;
/**
 * Within a mobile number, commas too (`139，1234，5678`), and between any two of its digits (`1 3 9
 * 1 2 …`): a mobile number is long and shaped enough not to be confused with amounts or room
 * numbers, which commas and spaces also part.
 */
const MOBILE_SEP = `${SPACES}(?:[.·－,，-]${SPACES})?`;
const COUNTRY = `(?:(?:[+＋]|00)?[8８][6６]${SEP}|[(（][+＋]?[8８][6６][)）]${SEP})`;
const MOBILE = `${COUNTRY}?${digits(1, 1)}${MOBILE_SEP}${digits(3, 9)}(?:${MOBILE_SEP}${DIGIT}){9}`;
const ZERO: Lead = [0, 0];
const FROM_ONE: Lead = [1, 9];
const FROM_TWO: Lead = [2, 9];
const ANY: Lead = [0, 9];
/**
 * A landline: its area code (0 and a digit from 1, then one or two more: 021, 0571), its exchange
 * (a digit from 2, then two or three more) and its line (four digits).
 */
const AREA_CODE = inEither([ZERO, FROM_ONE], 1, 2);
const LANDLINE = `${AREA_CODE}${SEP}${inEither([FROM_TWO], 2, 3)}${SEP}${inEither([ANY], 3, 3)}`;

/**
 * Where a mobile number or a landline with its area code may begin and end. An Arabic digit must
 * not touch an end written in Arabic digits: 16 digits in a row are an order number, not a phone
 * number with more after it. A Chinese numeral may touch either end, being part of ordinary words
 * as often as not (张三13912345678, 13912345678一直没人接, 老三一三九一二三四五六七八一直没人接),
 * and so may an Arabic digit an end in Chinese numerals (5楼 written as 5 before 一三九…): numbers
 * this long and shaped are not found in ordinary text by chance.
 */
const NO_ARABIC_BEFORE = `(?:(?<!${ARABIC})|(?=${CHINESE}))`;
const NO_ARABIC_AFTER = `(?:(?!${ARABIC})|(?<=${CHINESE}))`;

/**
 * A local number without its area code, 7 or 8 digits standing alone, in Arabic digits: with the
 * same ends as a mobile number (张三62345678 and 6234567一下 are local numbers).
 */
const ARABIC_LOCAL =
  `(?<!${ARABIC})${group([FROM_TWO], 2, 3, ARABIC_FORMS)}${SEP}${group([ANY], 3, 3, ARABIC_FORMS)}` +
  `(?!${ARABIC})`;
/**
 * One in Chinese numerals, all or in part, is held to more, 7 or 8 digits being no rare shape:
 * it stands alone, with no digit of either script touching it nor following it after a space or
 * a dash. So a count is no local number (the 二…九 of 一二三四五六七八九十), and a name ending
 * in a numeral lends it to no local number read at the start of the mobile number after it
 * (找老三一三九 一二三四 五六七八 is 老三 and a mobile number, not 三一三九 一二三四 and four
 * digits left to show).
 */
const SPOKEN_LOCAL =
  `(?<!${DIGIT})` +
  `(?:${group([FROM_TWO], 2, 3, CHINESE_FORMS)}${SEP}${inEither([ANY], 3, 3)}` +
  `|${group([FROM_TWO], 2, 3, ARABIC_FORMS)}${SEP}${group([ANY], 3, 3, CHINESE_FORMS)})` +
  `(?!${SEP}${DIGIT})`;

/**
 * The source of the pattern, in the syntax JavaScript and PostgreSQL's advanced regular
 * expressions share (no \d, no named groups, no flags).
 */
const LONG_NUMBER = `${NO_ARABIC_BEFORE}(?:${MOBILE}|${LANDLINE})${NO_ARABIC_AFTER}`;
export const PHONE_PATTERN = `(?:${LONG_NUMBER}|${ARABIC_LOCAL}|${SPOKEN_LOCAL})`;

const phones = new RegExp(PHONE_PATTERN, 'g');
const DIGIT_VALUES = new Map(
  DIGIT_FORMS.flatMap((forms, value) => Array.from(forms, (form) => [form, String(value)] as const)),
);

/** The number's digits, as ASCII digits, whatever forms they were written in. */
function asciiDigits(text: string): string {
  return Array.from(text, (c) => DIGIT_VALUES.get(c) ?? '').join('');
}

/** 139****5678 for a mobile number (as residents are used to seeing), ****5678 for others. */
function masked(found: string): string {
  const digits = asciiDigits(found);
  const mobile = /1[3-9]\d{9}$/.exec(digits)?.[0];
  if (mobile && digits.length <= 15) return `${mobile.slice(0, 3)}****${mobile.slice(-4)}`;
  return `****${digits.slice(-4)}`;
}

export function maskPhones(text: string): string {
  return text.replace(phones, masked);
}
