/** A request category as neighbours tag it: `#报修`, `【投诉】`, `建议：…`. */
export interface Category {
  /** Stable identifier stored on requests; ledgers may add their own. */
  readonly code: string;
  /** The word shown to people and accepted as a tag. */
  readonly name: string;
  /** Further words accepted as the same tag (`维修` for 报修). */
  readonly synonyms: readonly string[];
}

export interface CategoryInput {
  code: string;
  name: string;
  synonyms?: readonly string[];
}

export interface CategoryTable {
  readonly categories: readonly Category[];
  /** Every accepted word (name or synonym, folded by {@link foldWord}) to its category. */
  readonly byWord: ReadonlyMap<string, Category>;
  /** The accepted words, longest first, so `#维修工单…` prefers the longer of two matches. */
  readonly wordsLongestFirst: readonly string[];
}

export const DEFAULT_CATEGORIES: readonly Category[] = [
  // 维修 is the other everyday word; 保修 (a warranty) and 抱修 are how pinyin input often spells
  // 报修, as 投述 is 投诉.
  { code: 'repair', name: '报修', synonyms: ['维修', '保修', '抱修'] },
  { code: 'help', name: '求助', synonyms: [] },
  { code: 'complaint', name: '投诉', synonyms: ['投述'] },
  { code: 'suggestion', name: '建议', synonyms: [] },
  { code: 'question', name: '咨询', synonyms: [] },
  { code: 'council', name: '议事', synonyms: [] },
];

/** Words compare case-insensitively and ignoring full-width forms, so `#FAQ` finds `faq`. */
export function foldWord(word: string): string {
  return word.normalize('NFKC').trim().toLowerCase();
}

/** A tag word is cut from text at a `#`, bracket or colon, so it may not contain those or spaces. */
const BAD_WORD = /[\s#＃【】[\]［］:：@＠]/u;

/**
 * The default categories plus a ledger's own. An entry whose code already exists adds its
 * synonyms to that category; if it also renames it, the old name stays accepted as a synonym so
 * neighbours' habits keep working. Throws on an empty or malformed word, or on a word claimed by
 * two categories: that is a configuration mistake to fix before the bot starts.
 */
export function buildCategoryTable(extra: readonly CategoryInput[] = []): CategoryTable {
  const drafts = new Map<string, { code: string; name: string; synonyms: string[] }>();
  for (const c of DEFAULT_CATEGORIES) {
    drafts.set(c.code, { code: c.code, name: c.name, synonyms: [...c.synonyms] });
  }

  for (const input of extra) {
    const code = input.code.trim();
    const name = input.name.trim();
    if (!code) throw new Error(`category "${input.name}" has an empty code`);
    const existing = drafts.get(code);
    if (existing) {
      if (name && name !== existing.name) existing.synonyms.push(existing.name);
      existing.name = name || existing.name;
      existing.synonyms.push(...(input.synonyms ?? []));
    } else {
      drafts.set(code, { code, name, synonyms: [...(input.synonyms ?? [])] });
    }
  }

  const categories: Category[] = [];
  const byWord = new Map<string, Category>();
  for (const draft of drafts.values()) {
    const words = [draft.name, ...draft.synonyms].map((w) => w.trim());
    const synonyms = [...new Set(words.slice(1))].filter((w) => w !== draft.name);
    const category: Category = { code: draft.code, name: draft.name, synonyms };
    for (const word of [category.name, ...synonyms]) {
      if (!word || BAD_WORD.test(word)) {
        throw new Error(
          `category "${draft.code}" has an unusable tag word "${word}" (empty, or has a space, #, bracket, colon or @)`,
        );
      }
      const key = foldWord(word);
      const owner = byWord.get(key);
      if (owner && owner.code !== category.code) {
        throw new Error(`tag word "${word}" is claimed by both "${owner.code}" and "${category.code}"`);
      }
      byWord.set(key, category);
    }
    categories.push(category);
  }

  const wordsLongestFirst = [...byWord.keys()].sort((a, b) => b.length - a.length);
  return { categories, byWord, wordsLongestFirst };
}

/** The category a tag word names (name or synonym), or null. */
export function lookupCategory(table: CategoryTable, word: string): Category | null {
  return table.byWord.get(foldWord(word)) ?? null;
}

/**
 * The category whose word starts `text`, preferring the longest word, with the word's length
 * in `text`. Used for `#报修2单元灯坏了`, where no space ends the tag.
 */
export function matchCategoryPrefix(
  table: CategoryTable,
  text: string,
): { category: Category; length: number } | null {
  const folded = text.normalize('NFKC').toLowerCase();
  for (const word of table.wordsLongestFirst) {
    if (!folded.startsWith(word)) continue;
    const category = table.byWord.get(word);
    // NFKC may change lengths for unusual input; only trust the match if the raw text agrees.
    if (category && foldWord(text.slice(0, word.length)) === word) return { category, length: word.length };
  }
  return null;
}

/**
 * The category whose word ends `text`, preferring the longest word, with the word's length in
 * `text`. Used for `3单元灯坏了，报修`, where a bare word closes the message.
 */
export function matchCategorySuffix(
  table: CategoryTable,
  text: string,
): { category: Category; length: number } | null {
  const folded = text.normalize('NFKC').toLowerCase();
  for (const word of table.wordsLongestFirst) {
    if (!folded.endsWith(word)) continue;
    const category = table.byWord.get(word);
    if (category && foldWord(text.slice(text.length - word.length)) === word) {
      return { category, length: word.length };
    }
  }
  return null;
}

/** The table with only the default categories. */
export const DEFAULT_CATEGORY_TABLE: CategoryTable = buildCategoryTable();
