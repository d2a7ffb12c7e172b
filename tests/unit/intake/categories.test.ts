import {
  DEFAULT_CATEGORIES,
  DEFAULT_CATEGORY_TABLE,
  buildCategoryTable,
  lookupCategory,
  parseTaggedPost,
} from '../../../src/intake/parse';

describe('DEFAULT_CATEGORIES', () => {
  it('has the six categories with their codes', () => {
    expect(DEFAULT_CATEGORIES.map((c) => [c.name, c.code])).toEqual([
      ['报修', 'repair'],
      ['求助', 'help'],
      ['投诉', 'complaint'],
      ['建议', 'suggestion'],
      ['咨询', 'question'],
      ['议事', 'council'],
    ]);
  });

  it.each([
    ['报修', 'repair'],
    ['求助', 'help'],
    ['投诉', 'complaint'],
    ['建议', 'suggestion'],
    ['咨询', 'question'],
    ['议事', 'council'],
    [' 报修 ', 'repair'],
    ['维修', 'repair'],
    ['保修', 'repair'],
    ['抱修', 'repair'],
    ['投述', 'complaint'],
  ])('looks up %j as %s', (word, code) => {
    expect(lookupCategory(DEFAULT_CATEGORY_TABLE, word)?.code).toBe(code);
  });

  it.each(['闲聊', '', '报'])('does not know %j by default', (word) => {
    expect(lookupCategory(DEFAULT_CATEGORY_TABLE, word)).toBeNull();
  });
});

describe('buildCategoryTable', () => {
  it('adds a synonym to an existing category without losing its name', () => {
    const table = buildCategoryTable([{ code: 'repair', name: '报修', synonyms: ['修一下'] }]);
    expect(lookupCategory(table, '修一下')?.code).toBe('repair');
    expect(lookupCategory(table, '报修')?.code).toBe('repair');
    expect(table.categories.find((c) => c.code === 'repair')).toEqual({
      code: 'repair',
      name: '报修',
      synonyms: ['维修', '保修', '抱修', '修一下'],
    });
    expect(parseTaggedPost('#修一下 3号楼门禁坏了', table)).toEqual({
      kind: 'request',
      category: 'repair',
      description: '3号楼门禁坏了',
    });
  });

  it('adds a new category with synonyms', () => {
    const table = buildCategoryTable([{ code: 'lost_found', name: '失物', synonyms: ['招领'] }]);
    expect(table.categories).toHaveLength(7);
    expect(lookupCategory(table, '招领')?.code).toBe('lost_found');
    expect(parseTaggedPost('在小区门口捡到一把钥匙【招领】', table)).toEqual({
      kind: 'request',
      category: 'lost_found',
      description: '在小区门口捡到一把钥匙',
    });
  });

  it('keeps the old name as a synonym when a ledger renames a category', () => {
    const table = buildCategoryTable([{ code: 'question', name: '问询' }]);
    const question = table.categories.find((c) => c.code === 'question');
    expect(question?.name).toBe('问询');
    expect(lookupCategory(table, '咨询')?.code).toBe('question');
  });

  it('matches Latin tag words case-insensitively', () => {
    const table = buildCategoryTable([{ code: 'question', name: '咨询', synonyms: ['FAQ'] }]);
    expect(lookupCategory(table, 'faq')?.code).toBe('question');
  });

  it('prefers the longest word when one is a prefix of another', () => {
    const table = buildCategoryTable([
      { code: 'repair', name: '报修', synonyms: ['报修单'] },
      { code: 'x', name: '报修单据' },
    ]);
    expect(parseTaggedPost('#报修单据丢了', table)).toEqual({
      kind: 'request',
      category: 'x',
      description: '丢了',
    });
  });

  it('rejects a word claimed by two categories', () => {
    expect(() => buildCategoryTable([{ code: 'help', name: '求助', synonyms: ['报修'] }])).toThrow(/报修/);
  });

  it.each([['有 空格'], ['#号'], ['冒号：'], ['']])('rejects the unusable tag word %j', (word) => {
    expect(() => buildCategoryTable([{ code: 'x', name: word }])).toThrow();
  });

  it('does not change the default table', () => {
    buildCategoryTable([{ code: 'repair', name: '报修', synonyms: ['修一下'] }]);
    expect(lookupCategory(DEFAULT_CATEGORY_TABLE, '修一下')).toBeNull();
  });
});
