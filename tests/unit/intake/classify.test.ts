import {
  type ClassifiedMessage,
  DEFAULT_CATEGORY_TABLE,
  buildCategoryTable,
  classifyMessage,
} from '../../../src/intake/parse';

describe('classifyMessage', () => {
  it.each<[string, ClassifiedMessage]>([
    ['接单 12', { kind: 'command', command: { name: 'ack', requestNo: 12, rest: '', mentions: [] } }],
    // A command verb at the start wins over a tag.
    [
      '进展 12 师傅说明天来 #报修',
      { kind: 'command', command: { name: 'note', requestNo: 12, rest: '师傅说明天来 #报修', mentions: [] } },
    ],
    [
      '#报修 楼道灯不亮',
      { kind: 'post', post: { kind: 'request', category: 'repair', description: '楼道灯不亮' } },
    ],
    [
      '#报修 接单的师傅还没来',
      { kind: 'post', post: { kind: 'request', category: 'repair', description: '接单的师傅还没来' } },
    ],
    [
      '2单元301卫生间漏水【报修】',
      { kind: 'post', post: { kind: 'request', category: 'repair', description: '2单元301卫生间漏水' } },
    ],
    ['【投诉】', { kind: 'missing_description', category: 'complaint' }],
    // 议事 is both a category and a verb: `议事：…` without a number is the tag form.
    [
      '议事：小区停车位不够，想大家商量一下',
      {
        kind: 'post',
        post: { kind: 'request', category: 'council', description: '小区停车位不够，想大家商量一下' },
      },
    ],
    ['议事:', { kind: 'missing_description', category: 'council' }],
    ['议事：12', { kind: 'command', command: { name: 'council', requestNo: 12, rest: '', mentions: [] } }],
    [
      '议事 停车位不够',
      { kind: 'command', command: { name: 'council', requestNo: null, rest: '停车位不够', mentions: [] } },
    ],
    ['我已经接单了', { kind: 'chatter' }],
    ['谢谢大家🙏', { kind: 'chatter' }],
    ['我想#报修一下楼道灯', { kind: 'chatter' }],
    ['', { kind: 'chatter' }],
  ])('%j', (text, expected) => {
    expect(classifyMessage(text, DEFAULT_CATEGORY_TABLE)).toEqual(expected);
  });

  it('uses the ledger table for tags', () => {
    const table = buildCategoryTable([{ code: 'repair', name: '报修', synonyms: ['修一下'] }]);
    expect(classifyMessage('修一下：门禁坏了', table)).toEqual({
      kind: 'post',
      post: { kind: 'request', category: 'repair', description: '门禁坏了' },
    });
    expect(classifyMessage('修一下：门禁坏了', DEFAULT_CATEGORY_TABLE)).toEqual({ kind: 'chatter' });
  });
});

/**
 * Trailing marks, emoji and mention tails are cut with a loop rather than a `/[…]+$/` pattern,
 * which was retried from every character of a long run that did not reach the end: one pasted
 * wall of 40,000 `！` held the whole service for about 25 s. Here, what the loop reads; that such
 * a message is answered promptly, without holding up others, is checked by `npm run chaos`.
 */
describe('long runs of marks and emoji inside a message', () => {
  const run = (mark: string) => mark.repeat(2_000);

  it.each([
    ['exclamation marks', '！'],
    ['emoji', '😀'],
    ['full stops', '.'],
  ])('a post with a run of %s inside its text keeps it', (_name, mark) => {
    expect(classifyMessage(`#报修 楼道灯坏了${run(mark)}谢谢`, DEFAULT_CATEGORY_TABLE)).toEqual({
      kind: 'post',
      post: { kind: 'request', category: 'repair', description: `楼道灯坏了${run(mark)}谢谢` },
    });
  });

  it('an @mention with a run of full stops inside it is read whole', () => {
    expect(classifyMessage(`转派 12 @wang${run('.')}x 请跟进`, DEFAULT_CATEGORY_TABLE)).toEqual({
      kind: 'command',
      command: { name: 'assign', requestNo: 12, rest: '请跟进', mentions: [`wang${run('.')}x`] },
    });
  });
});
