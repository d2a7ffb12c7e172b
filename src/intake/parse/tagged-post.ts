import {
  type Category,
  type CategoryTable,
  lookupCategory,
  matchCategoryPrefix,
  matchCategorySuffix,
} from './categories';
import {
  hasContent,
  splitQuotedReply,
  trimPunctuation,
  trimTrailingDecoration,
  withoutTrailingMentions,
} from './text';

export interface TaggedRequest {
  readonly kind: 'request';
  readonly category: string;
  readonly description: string;
}

export interface MissingDescription {
  readonly kind: 'missing_description';
  readonly category: string;
}

export type TaggedPost = TaggedRequest | MissingDescription;

/** `【报修】`, `[报修]` or `［报修］` at the start; the word is looked up, so `[捂脸]` is not a tag. */
const START_BRACKET = /^(?:【([^【】]{1,16})】|\[([^[\]]{1,16})\]|［([^［］]{1,16})］)/u;
/** `报修：` / `报修:` at the start only: mid-sentence colons are ordinary writing. */
const START_COLON = /^([^\s:：]{1,16}) ?[:：]/u;
/** `#报修` at the end, also written `# 报修` or, hashtag style, `#报修#`. */
const END_HASHTAG = /[#＃] ?([^#＃\s]{1,16})[#＃]?$/u;
const END_BRACKET = /(?:【([^【】]{1,16})】|\[([^[\]]{1,16})\]|［([^［］]{1,16})］)$/u;
/** What may follow a tag word without being the description: `#报修#…`'s closing mark, `#报修一下…`. */
const TAG_TAIL = /^(?:[#＃]|一下)/u;
/** What must follow a bare category word opening the message (`报修 …`, `报修，…`, `求助！…`). */
const AFTER_BARE_WORD = /^(?:$|[\s,，!！])/u;
/** What must come before a bare category word closing the message (`…灯坏了，报修`). */
const BEFORE_BARE_WORD = /[\s,，.。!！]$/u;

interface TagMatch {
  readonly category: string;
  /** The text without the tag. */
  readonly rest: string;
}

/**
 * Reads a neighbour's tagged post. The tag may open the message (`#报修 楼道灯不亮`,
 * `#报修2单元灯坏了`, `＃ 报修 …`, `#报修# …`, `【报修】…`, `[报修]…`, `报修：…`) or close it
 * (`楼道灯不亮了 #报修`, `楼道灯坏了【报修】`). The message is addressed to the bot, so a bare
 * category word is a tag too when a separator follows it at the start (`报修 …`, `报修，…`) or
 * comes before it at the end (`…灯坏了，报修`). A category word inside a sentence (`我想#报修一下`,
 * `我要报修，…`, `报修电话是多少`) is plain chatter, as is an unknown tag (`#闲聊`): both give
 * null. An inline quote-reply block and people @-ed before the words are ignored.
 */
export function parseTaggedPost(text: string, table: CategoryTable): TaggedPost | null {
  const { body } = splitQuotedReply(text);
  if (!body) return null;
  const match = matchStartTag(body, table) ?? matchEndTag(body, table);
  if (!match) return null;
  const description = trimPunctuation(match.rest);
  if (!hasContent(description)) return { kind: 'missing_description', category: match.category };
  return { kind: 'request', category: match.category, description };
}

function matchStartTag(body: string, table: CategoryTable): TagMatch | null {
  const match =
    matchStartHashtag(body, table) ?? matchStartMarked(body, table) ?? matchStartWord(body, table);
  if (!match) return null;
  // `#报修 楼道灯坏了 #报修`: the same tag repeated at the end is not part of the description.
  const end = matchEndTag(match.rest.trim(), table);
  return end && end.category === match.category ? { category: match.category, rest: end.rest } : match;
}

/** `#报修…`, `＃ 报修…`, `#报修#…`, `#报修一下…`: no separator is needed after the word. */
function matchStartHashtag(body: string, table: CategoryTable): TagMatch | null {
  if (!body.startsWith('#') && !body.startsWith('＃')) return null;
  const after = body.slice(1).trimStart();
  const hit = matchCategoryPrefix(table, after);
  if (!hit) return null;
  return { category: hit.category.code, rest: after.slice(hit.length).replace(TAG_TAIL, '') };
}

/** `【报修】…`, `[报修]…`, `报修：…`. */
function matchStartMarked(body: string, table: CategoryTable): TagMatch | null {
  const m = START_BRACKET.exec(body) ?? START_COLON.exec(body);
  const category = m ? lookupCategory(table, m[1] ?? m[2] ?? m[3] ?? '') : null;
  return m && category ? { category: category.code, rest: body.slice(m[0].length) } : null;
}

/** `报修 …`, `报修，…`, `报修一下，…`, or the word alone (which asks for a description). */
function matchStartWord(body: string, table: CategoryTable): TagMatch | null {
  const hit = matchCategoryPrefix(table, body);
  if (!hit) return null;
  const rest = body.slice(hit.length).replace(TAG_TAIL, '');
  return AFTER_BARE_WORD.test(rest) ? { category: hit.category.code, rest } : null;
}

function matchEndTag(body: string, table: CategoryTable): TagMatch | null {
  // Emoji or punctuation after a closing tag (`…#报修🙏`, `…【报修】！`) do not move it off the
  // end, nor do people @-ed after it (`…#报修 @王建国`).
  const core = trimTrailingDecoration(withoutTrailingMentions(body));
  const m = END_HASHTAG.exec(core) ?? END_BRACKET.exec(core);
  if (m) {
    const category = lookupCategory(table, m[1] ?? m[2] ?? m[3] ?? '');
    return category ? { category: category.code, rest: core.slice(0, m.index) } : null;
  }
  return matchEndWord(core, table);
}

/** `…灯坏了，报修`, `…灯坏了 报修一下`: a bare word after a separator, with words before it. */
function matchEndWord(core: string, table: CategoryTable): TagMatch | null {
  const words = core.endsWith('一下') ? core.slice(0, -'一下'.length) : core;
  const hit = matchCategorySuffix(table, words);
  if (!hit) return null;
  const rest = words.slice(0, words.length - hit.length);
  return BEFORE_BARE_WORD.test(rest) && hasContent(rest) ? { category: hit.category.code, rest } : null;
}

/** What separates the clauses of a message. */
const CLAUSE_BREAK = /[\s,，.。!！?？;；、]/u;
/** Around a category word, a clause that only asks to report: `我要报修`, `想报修一下`. */
const ASKING_BEFORE = /^(?:我们?)?(?:要|想|想要|需要|申请|请)?$/u;
const ASKING_AFTER = /^(?:一下)?$/u;

/** What, right after a category word, makes it part of a phrase rather than a tag. */
const WORD_GOES_ON = /^[的了过着吗呢吧啊呀单人员点]/u;

/**
 * For a message that names a category without tagging it (`我要报修，3单元灯坏了`,
 * `楼道灯坏了想报修一下`): the category, and the words to put after the tag, so a how-to reply can
 * show the sender their own message as it should be sent. A clause that only asks to report
 * (`我要报修`) is left out, and a `#` stuck inside the text is dropped; the rest is kept as typed.
 * The description is '' when nothing else was said. Null when no category word appears.
 */
export function suggestTag(
  text: string,
  table: CategoryTable,
): { readonly category: string; readonly description: string } | null {
  const { body } = splitQuotedReply(text);
  const found = firstCategoryWord(body, table);
  if (!found) return null;
  const { category, at, length } = found;
  const tagStart = at > 0 && /[#＃]/u.test(body[at - 1] ?? '') ? at - 1 : at;

  let start = tagStart;
  while (start > 0 && !CLAUSE_BREAK.test(body[start - 1] ?? '')) start--;
  let end = at + length;
  while (end < body.length && !CLAUSE_BREAK.test(body[end] ?? '')) end++;
  const asking =
    ASKING_BEFORE.test(body.slice(start, tagStart)) && ASKING_AFTER.test(body.slice(at + length, end));

  // A word that opens the message and runs straight into what happened (报修三单元灯坏了, as voice
  // input writes it) is the tag they meant; followed by a particle or a noun it forms
  // (报修的师傅, 报修了, 报修单), it is part of what they say.
  const opensAsTag =
    body.slice(0, tagStart).trim() === '' && !WORD_GOES_ON.test(body.slice(at + length, at + length + 1));
  const description = asking
    ? [trimPunctuation(body.slice(0, start)), trimPunctuation(body.slice(end))].filter(Boolean).join('，')
    : trimPunctuation(opensAsTag ? body.slice(at + length) : body.slice(0, tagStart) + body.slice(at));
  return { category: category.code, description: hasContent(description) ? description : '' };
}

/** The earliest category word in the text, the longer word where two start at the same place. */
function firstCategoryWord(
  body: string,
  table: CategoryTable,
): { category: Category; at: number; length: number } | null {
  const lower = body.toLowerCase();
  // Table words are folded (NFKC, lower case); searching the lower-cased text keeps positions
  // unless lower-casing changed its length, in which case the text is searched as typed.
  const searched = lower.length === body.length ? lower : body;
  let best: { category: Category; at: number; length: number } | null = null;
  for (const word of table.wordsLongestFirst) {
    const at = searched.indexOf(word);
    const category = table.byWord.get(word);
    if (at === -1 || !category) continue;
    if (!best || at < best.at) best = { category, at, length: word.length };
  }
  return best;
}
