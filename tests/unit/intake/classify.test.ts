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
    // …and so is `议事 …` with text and no number: a resident raising a topic.
    [
      '议事 停车位不够',
      { kind: 'post', post: { kind: 'request', category: 'council', description: '停车位不够' } },
    ],
    [
      '议事 小区停车难怎么办',
      { kind: 'post', post: { kind: 'request', category: 'council', description: '小区停车难怎么办' } },
    ],
    ['议事 12', { kind: 'command', command: { name: 'council', requestNo: 12, rest: '', mentions: [] } }],
    ['议事', { kind: 'command', command: { name: 'council', requestNo: null, rest: '', mentions: [] } }],
    // People @-ed before the bot do not hide the command or the post.
    ['@王建国 接单 12', { kind: 'command', command: { name: 'ack', requestNo: 12, rest: '', mentions: [] } }],
    [
      '@王建国 转派 3 @李秀兰',
      { kind: 'command', command: { name: 'assign', requestNo: 3, rest: '', mentions: ['李秀兰'] } },
    ],
    [
      '@王建国 #报修 3单元楼道灯不亮',
      { kind: 'post', post: { kind: 'request', category: 'repair', description: '3单元楼道灯不亮' } },
    ],
    // Without the option, a danger reported with no tag is chatter like any other.
    ['2单元煤气泄漏了，快来人', { kind: 'chatter' }],
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
 * In a building group, a message that reports a danger is filed as an urgent 求助 however it is
 * written: a resident smelling gas must not be taught how to tag first.
 */
describe('classifyMessage with dangerAsPost', () => {
  const urgent = { dangerAsPost: true };

  it.each([
    ['2单元煤气泄漏了，快来人', '2单元煤气泄漏了，快来人'],
    ['电梯困人了！', '电梯困人了'],
    ['快来人啊 3单元着火了', '快来人啊 3单元着火了'],
    // A command that cannot be acted on (no number), or 帮助 with words after it.
    ['帮助！电梯困人了', '帮助！电梯困人了'],
    ['帮助 楼道里冒烟了', '帮助 楼道里冒烟了'],
    ['上报 3单元有煤气味', '上报 3单元有煤气味'],
    ['查询 2单元漏电了吗', '查询 2单元漏电了吗'],
    ['@王建国 地下室水管爆了', '地下室水管爆了'],
  ])('%j is an urgent 求助', (text, description) => {
    expect(classifyMessage(text, DEFAULT_CATEGORY_TABLE, urgent)).toEqual({
      kind: 'post',
      post: { kind: 'request', category: 'help', description },
      untagged: true,
    });
  });

  it('keeps the category of a tagged urgent post', () => {
    expect(classifyMessage('求助 我家水管爆了', DEFAULT_CATEGORY_TABLE, urgent)).toEqual({
      kind: 'post',
      post: { kind: 'request', category: 'help', description: '我家水管爆了' },
    });
    expect(classifyMessage('#报修 厨房有煤气味', DEFAULT_CATEGORY_TABLE, urgent)).toEqual({
      kind: 'post',
      post: { kind: 'request', category: 'repair', description: '厨房有煤气味' },
    });
  });

  it.each([
    // Commands that can be acted on stay commands, whatever their text says.
    ['进展 3 又冒烟了', 'command'],
    ['办结 3 煤气管已修好', 'command'],
    ['帮助', 'command'],
    // Chatter with no danger in it, and the everyday uses of hazard words.
    ['今天天气真好', 'chatter'],
    ['燃气费在哪里交', 'chatter'],
    ['电动车轮胎漏气了', 'chatter'],
  ])('%j stays a %s', (text, kind) => {
    expect(classifyMessage(text, DEFAULT_CATEGORY_TABLE, urgent).kind).toBe(kind);
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
