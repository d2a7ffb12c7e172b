/**
 * Phone numbers typed into a post or a note are never shown: not in a group, not on a page, not
 * in an export. Residents write them in many ways (139 1234 5678, 139 - 1234 - 5678, 139，1234，
 * 5678, 1 3 9 1 2…, +86 139…, full-width digits from a phone's Chinese keyboard, a landline with
 * its area code), so the
 * pattern takes each of those, and one pattern serves both this module and PostgreSQL's regular
 * expressions (the search box matches against text with the numbers taken out).
 */

const DIGIT = '[0-9０-９]';
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
const MOBILE = `${COUNTRY}?[1１]${MOBILE_SEP}[3-9３-９](?:${MOBILE_SEP}${DIGIT}){9}`;
const LANDLINE = `[0０][1-9１-９]${DIGIT}{1,2}${SEP}[2-9２-９]${DIGIT}{2,3}${SEP}${DIGIT}{4}`;
/** A local number without its area code: 7 or 8 digits standing alone. */
const LOCAL = `[2-9２-９]${DIGIT}{2,3}${SEP}${DIGIT}{4}`;

/**
 * The source of the pattern, in the syntax JavaScript and PostgreSQL's advanced regular
 * expressions share (no \d, no named groups, no flags): not preceded or followed by a digit.
 */
export const PHONE_PATTERN = `(?<!${DIGIT})(?:${MOBILE}|${LANDLINE}|${LOCAL})(?!${DIGIT})`;

const phones = new RegExp(PHONE_PATTERN, 'g');
const FULL_WIDTH_ZERO = '０'.charCodeAt(0);

function asciiDigits(text: string): string {
  return text.replace(/[０-９]/g, (d) => String(d.charCodeAt(0) - FULL_WIDTH_ZERO)).replace(/[^0-9]/g, '');
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
