/**
 * Small text helpers shared by the parsers. Apart from whitespace, they only cut text, never
 * rewrite it, so user wording reaches the ledger as typed.
 */

/**
 * Whitespace WeCom clients insert besides ordinary spaces: U+3000 (ideographic, typed on
 * Chinese keyboards), U+2005 (after an @mention), no-break and zero-width spaces, a stray BOM.
 * JS `\s` covers most of them but not U+200B.
 */
const SPACE_RUN = /[\s\u200b\u2060\ufeff]+/gu;

/** Collapses every kind of whitespace (newlines included) to one ASCII space and trims. */
export function normalizeSpaces(text: string): string {
  return text.replace(SPACE_RUN, ' ').trim();
}

/**
 * Maps full-width digits, Latin letters and the marks # / @ - to ASCII. Each maps one UTF-16
 * unit to one, so indexes into the result are indexes into the input: parsers find structure
 * in the converted copy and cut the user's own text at the same places.
 */
export function toHalfWidth(text: string): string {
  return text.replace(/[０-９Ａ-Ｚａ-ｚ＃／＠－]/gu, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0));
}

/**
 * Cuts the characters matching `char` (a pattern for one code point, anchored at both ends) off
 * the end of the text. Written as a loop because the pattern `[…]+$` is quadratic: the regex
 * engine retries it from every character of a run that stops short of the end, and a pasted wall
 * of marks or emoji then holds the event loop for seconds or minutes.
 */
export function trimEndWhere(text: string, char: RegExp): string {
  let end = text.length;
  while (end > 0) {
    const low = text.charCodeAt(end - 1);
    const pair = end > 1 && low >= 0xdc00 && low <= 0xdfff && isHighSurrogate(text.charCodeAt(end - 2));
    const start = pair ? end - 2 : end - 1;
    if (!char.test(text.slice(start, end))) break;
    end = start;
  }
  return text.slice(0, end);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Separators left dangling when a tag or command word is cut off (`#报修：…`, `…！#报修`). */
const LEADING_PUNCT = /^[\s,，.。、:：;；!！?？~～…·\-—_|/\\]+/u;
/**
 * The same at the end, except question marks: they carry meaning in a question (`#咨询 物业费
 * 什么时候交？`). Closing quotes and brackets are never trimmed: they belong to the text.
 */
const TRAILING_PUNCT = /^[\s,，.。、:：;；!！~～…·\-—_|/\\]$/u;

export function trimPunctuation(text: string): string {
  return trimEndWhere(text.replace(LEADING_PUNCT, ''), TRAILING_PUNCT);
}

/**
 * Emoji and the pieces that glue them together (variation selector, zero-width joiner, skin
 * tones, keycap), plus WeChat-style emoticon codes such as `[捂脸]` or `[强]`, which clients
 * send as text.
 */
const EMOJI_PART = String.raw`[\p{Extended_Pictographic}\p{Regional_Indicator}\u{1f3fb}-\u{1f3ff}]|\u200d|\ufe0f|\u20e3`;
const EMOJI = new RegExp(EMOJI_PART, 'gu');
const EMOTICON_CODE = /\[[\p{Script=Han}A-Za-z]{1,4}\]/gu;

/** The text with its emoji and emoticon codes taken out. */
export function withoutEmoji(text: string): string {
  return text.replace(EMOTICON_CODE, '').replace(EMOJI, '');
}

/** Whether the text says anything: a letter or digit once emoji, emoticons and punctuation go. */
export function hasContent(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(withoutEmoji(text));
}

/** Whitespace, punctuation and emoji that may trail a message after its last real word. */
const DECORATION = new RegExp(String.raw`^(?:[\s,，.。、:：;；!！?？~～…·]|${EMOJI_PART})$`, 'u');

export function trimTrailingDecoration(text: string): string {
  return trimEndWhere(text, DECORATION);
}

/**
 * A quote-reply as pasted or forwarded from WeChat-style clients: `「name：quoted」` then a
 * line of spaced dashes, then the reply. (The robot callback sends the quote in its own field;
 * this covers text that carries it inline.)
 */
const QUOTE_BLOCK = /^「([\s\S]*?)」\s*(?:-\s*){3,}/u;

/**
 * `@王建国 @张敏 ` (or `＠王建国，`) opening a message: people the sender addressed along with the
 * bot (whose own @ is already gone). A name ends at a space or at punctuation that cannot be in one.
 */
const LEADING_MENTIONS = /^(?:[@＠][^\s,，。!！?？;；:：、~～@＠]+[\s,，:：]*)+/u;

/**
 * Splits an inline quote-reply into the quoted text and the sender's own words. A command or
 * tag belongs to the sender's words; the quote is context only. People @-ed before the words
 * (`@王建国 @睦邻助手 #报修 …`) are left out of them, so the words still start with the tag or
 * verb; @s after a verb stay (`转派 3 @李秀兰`).
 */
export function splitQuotedReply(text: string): { quoted: string | null; body: string } {
  const normalized = normalizeSpaces(text);
  const m = QUOTE_BLOCK.exec(normalized);
  const quoted = m ? (m[1] ?? '').trim() : null;
  const words = m ? normalized.slice(m[0].length).trim() : normalized;
  return { quoted, body: words.replace(LEADING_MENTIONS, '') };
}

/**
 * The text without `@name` words at its end (`楼道灯坏了 #报修 @王建国`), for finding a tag
 * that closes the message. Word by word rather than a pattern anchored at the end, which the
 * regex engine would retry from every @ of a long run. Expects normalised spaces.
 */
export function withoutTrailingMentions(text: string): string {
  const words = text.split(' ');
  while (words.length > 1 && /^[@＠]/u.test(words[words.length - 1] ?? '')) words.pop();
  return words.join(' ');
}
