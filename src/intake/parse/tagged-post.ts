import { type CategoryTable, lookupCategory, matchCategoryPrefix } from './categories';
import { hasContent, splitQuotedReply, trimPunctuation, trimTrailingDecoration } from './text';

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
const END_HASHTAG = /[#＃]([^#＃\s]{1,16})$/u;
const END_BRACKET = /(?:【([^【】]{1,16})】|\[([^[\]]{1,16})\]|［([^［］]{1,16})］)$/u;

interface TagMatch {
  readonly category: string;
  /** The text without the tag. */
  readonly rest: string;
}

/**
 * Reads a neighbour's tagged post. The tag may open the message (`#报修 楼道灯不亮`,
 * `#报修2单元灯坏了`, `【报修】…`, `[报修]…`, `报修：…`) or close it (`楼道灯不亮了 #报修`,
 * `楼道灯坏了【报修】`). A tag word inside a sentence (`我想#报修一下`) is plain chatter, as is an
 * unknown tag (`#闲聊`): both give null. An inline quote-reply block is ignored; only the
 * sender's own words are read.
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
  let code: string | null = null;
  let rest = '';
  if (body.startsWith('#') || body.startsWith('＃')) {
    const hit = matchCategoryPrefix(table, body.slice(1));
    if (hit) {
      code = hit.category.code;
      rest = body.slice(1 + hit.length);
    }
  } else {
    const bracket = START_BRACKET.exec(body);
    const colon = bracket ? null : START_COLON.exec(body);
    const m = bracket ?? colon;
    const word = m ? (m[1] ?? m[2] ?? m[3] ?? '') : '';
    const category = m ? lookupCategory(table, word) : null;
    if (m && category) {
      code = category.code;
      rest = body.slice(m[0].length);
    }
  }
  if (code === null) return null;
  // `#报修 楼道灯坏了 #报修`: the same tag repeated at the end is not part of the description.
  const end = matchEndTag(rest.trim(), table);
  if (end && end.category === code) rest = end.rest;
  return { category: code, rest };
}

function matchEndTag(body: string, table: CategoryTable): TagMatch | null {
  // Emoji or punctuation after a closing tag (`…#报修🙏`, `…【报修】！`) do not move it off the end.
  const core = trimTrailingDecoration(body);
  const m = END_HASHTAG.exec(core) ?? END_BRACKET.exec(core);
  if (!m) return null;
  const category = lookupCategory(table, m[1] ?? m[2] ?? m[3] ?? '');
  if (!category) return null;
  return { category: category.code, rest: core.slice(0, m.index) };
}
