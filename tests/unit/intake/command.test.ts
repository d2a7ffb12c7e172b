import { COMMAND_VERBS, type CommandName, type ParsedCommand, parseCommand } from '../../../src/intake/parse';

function cmd(name: CommandName, requestNo: number | null, rest = '', mentions: string[] = []): ParsedCommand {
  return { name, requestNo, rest, mentions };
}

describe('parseCommand', () => {
  it.each<[string, ParsedCommand]>([
    // Every verb, Chinese and slash.
    ['接单 12', cmd('ack', 12)],
    ['/ack 12', cmd('ack', 12)],
    ['进展 12 已联系师傅，明天上午来', cmd('note', 12, '已联系师傅，明天上午来')],
    ['/note 12 waiting for parts', cmd('note', 12, 'waiting for parts')],
    ['办结 12 灯泡已更换', cmd('done', 12, '灯泡已更换')],
    ['/done 12 fixed', cmd('done', 12, 'fixed')],
    ['转派 12 @张三', cmd('assign', 12, '', ['张三'])],
    ['/assign 12 @wang.li', cmd('assign', 12, '', ['wang.li'])],
    ['上报 12 需要物业出面协调', cmd('escalate', 12, '需要物业出面协调')],
    ['/escalate 12 三天没人处理', cmd('escalate', 12, '三天没人处理')],
    ['议事 12', cmd('council', 12)],
    ['/council 12', cmd('council', 12)],
    ['撤回 12', cmd('withdraw', 12)],
    ['/withdraw 12', cmd('withdraw', 12)],
    ['补充 12 是三楼不是二楼', cmd('supplement', 12, '是三楼不是二楼')],
    ['/add 12 third floor', cmd('supplement', 12, 'third floor')],
    ['催办 12', cmd('chase', 12)],
    ['/chase 12', cmd('chase', 12)],
    ['满意 12', cmd('rate_good', 12)],
    ['不满意 12 拖了一个星期', cmd('rate_bad', 12, '拖了一个星期')],
    ['/rate 12 good 师傅很负责', cmd('rate_good', 12, '师傅很负责')],
    ['/rate 12 bad too slow', cmd('rate_bad', 12, 'too slow')],
    ['/rate 12 不满意 太慢', cmd('rate_bad', 12, '太慢')],
    ['/rate 12 好评', cmd('rate_good', 12)],
    ['/rate 12 差评 太慢', cmd('rate_bad', 12, '太慢')],
    ['查询 12', cmd('show', 12)],
    ['/show 12', cmd('show', 12)],
    ['待办', cmd('todo', null)],
    ['/todo', cmd('todo', null)],
    ['帮助', cmd('help', null)],
    ['/help', cmd('help', null)],
    ['帮助 转派', cmd('help', null, '转派')],
    // Number forms and spacing.
    ['接单12', cmd('ack', 12)],
    ['接单 #12', cmd('ack', 12)],
    ['接单＃12', cmd('ack', 12)],
    ['接单 12号', cmd('ack', 12)],
    ['接单 １２', cmd('ack', 12)],
    ['接单：12', cmd('ack', 12)],
    ['接单　12', cmd('ack', 12)],
    ['接单 012', cmd('ack', 12)],
    ['接单 12。', cmd('ack', 12)],
    ['接单 12！', cmd('ack', 12)],
    ['  接单 12  ', cmd('ack', 12)],
    ['办结12灯换好了。', cmd('done', 12, '灯换好了')],
    ['进展 #7 师傅在路上了👍', cmd('note', 7, '师傅在路上了👍')],
    // Slash forms: full-width slash, case, no space.
    ['／ack 12', cmd('ack', 12)],
    ['/ACK 12', cmd('ack', 12)],
    ['／ＡＣＫ　１２', cmd('ack', 12)],
    ['/ack12', cmd('ack', 12)],
    ['/Rate 3 GOOD', cmd('rate_good', 3)],
    ['/接单 12', cmd('ack', 12)],
    // Mentions.
    ['转派12给@李四。', cmd('assign', 12, '', ['李四'])],
    ['转派 12 @张三 @李四 一起去看看', cmd('assign', 12, '一起去看看', ['张三', '李四'])],
    ['转派 12 @李秀兰，麻烦你去看看', cmd('assign', 12, '麻烦你去看看', ['李秀兰'])],
    ['转派 12 @zhao.zq。', cmd('assign', 12, '', ['zhao.zq'])],
    ['进展 12 已联系 ＠物业小王', cmd('note', 12, '已联系', ['物业小王'])],
    ['进展 12 发到 abc@qq.com 了', cmd('note', 12, '发到 abc@qq.com 了')],
    // A missing number: the caller answers with the usage.
    ['接单', cmd('ack', null)],
    ['接单。', cmd('ack', null)],
    ['进展 已联系师傅', cmd('note', null, '已联系师傅')],
    ['转派 @张三', cmd('assign', null, '', ['张三'])],
    // No good or bad, with or without the number: the caller asks for the rating.
    ['/rate 12', { ...cmd('rate_good', 12), missingRating: true }],
    ['/rate 12 好', { ...cmd('rate_good', 12, '好'), missingRating: true }],
    ['/rate', { ...cmd('rate_good', null), missingRating: true }],
    ['接单 13812345678', cmd('ack', null, '13812345678')],
    ['办结 12号楼的灯修好了', cmd('done', null, '12号楼的灯修好了')],
    // A quote-reply block before the command.
    ['「王阿姨：楼道灯坏了」 - - - - - - - - - - - 接单 12', cmd('ack', 12)],
    // People @-ed before the bot; @s after the verb are kept.
    ['@张敏 接单 12', cmd('ack', 12)],
    ['@王建国 转派 3 @李秀兰', cmd('assign', 3, '', ['李秀兰'])],
    ['@王建国 @张敏 办结 3 换了灯泡', cmd('done', 3, '换了灯泡')],
    // More ways to write the number.
    ['接单，12', cmd('ack', 12)],
    ['接单,12', cmd('ack', 12)],
    ['接单 第12号', cmd('ack', 12)],
    ['接单第12号', cmd('ack', 12)],
    ['接单 No.12', cmd('ack', 12)],
    ['接单 no 12', cmd('ack', 12)],
    ['接单 NO12', cmd('ack', 12)],
    ['接单 # 12', cmd('ack', 12)],
    // Everyday words for the same verbs.
    ['已修好 1', cmd('done', 1)],
    ['修好了 1', cmd('done', 1)],
    ['完成 1', cmd('done', 1)],
    ['办完 1', cmd('done', 1)],
    ['结单 1', cmd('done', 1)],
    ['已办结 1 灯换好了', cmd('done', 1, '灯换好了')],
    ['收到 1', cmd('ack', 1)],
    ['很满意 1', cmd('rate_good', 1)],
    ['非常满意 1', cmd('rate_good', 1)],
    ['好评 1', cmd('rate_good', 1)],
    ['差评 2', cmd('rate_bad', 2)],
    ['非常不满意 2 拖了很久', cmd('rate_bad', 2, '拖了很久')],
    ['取消 5', cmd('withdraw', 5)],
    ['撤销 5', cmd('withdraw', 5)],
    ['进度 1', cmd('show', 1)],
    ['查 1', cmd('show', 1)],
    ['查询一下 1', cmd('show', 1)],
    ['催一下 1', cmd('chase', 1)],
    ['催催 1', cmd('chase', 1)],
    ['怎么还没修 1', cmd('chase', 1)],
    ['1号怎么还没修？', cmd('chase', 1)],
    ['#1怎么还没修好', cmd('chase', 1)],
    // A space inside the verb, the number first, an acknowledgement before the verb.
    ['接 单 1', cmd('ack', 1)],
    ['1 已修好', cmd('done', 1)],
    ['1 满意', cmd('rate_good', 1)],
    ['#3 办结 换了灯泡', cmd('done', 3, '换了灯泡')],
    ['12 接单', cmd('ack', 12)],
    ['好的，接单 1', cmd('ack', 1)],
    ['收到，接单 1', cmd('ack', 1)],
    ['好的 办结 1 修好了', cmd('done', 1, '修好了')],
    // A resident's rating or withdrawal closing what they say.
    ['谢谢，满意 2', cmd('rate_good', 2)],
    ['谢谢钱阿姨，灯修好了，满意 2', cmd('rate_good', 2)],
    ['灯修好了 满意2', cmd('rate_good', 2)],
    ['还是不亮，不满意 2 又坏了', cmd('rate_bad', 2, '又坏了')],
    ['不用了猫走了，撤回', cmd('withdraw', null)],
    ['已经修好了，撤回 4', cmd('withdraw', 4)],
    // 转给 may be followed straight by the name, the number last.
    ['转给李秀兰 3', cmd('assign', 3, '李秀兰')],
    ['转派给李秀兰 3', cmd('assign', 3, '李秀兰')],
    ['转给 @李秀兰 3', cmd('assign', 3, '', ['李秀兰'])],
    ['转给李秀兰 #3', cmd('assign', 3, '李秀兰')],
    // 转派给 without a number is 转派 with whom to; 转给 may be other words, which the desk tells
    // apart by whether it names someone in the ledger.
    ['转派给李秀兰', cmd('assign', null, '李秀兰')],
    ['转派 给 @李秀兰', cmd('assign', null, '', ['李秀兰'])],
    ['转给李秀兰', { ...cmd('assign', null, '李秀兰'), onlyIfNamed: true }],
    ['转给物业了吗', { ...cmd('assign', null, '物业了吗'), onlyIfNamed: true }],
    // Words with more than one meaning are the verb only with a number.
    ['很满意', cmd('rate_good', null)],
    ['进度', cmd('show', null)],
    ['催一下', cmd('chase', null)],
    ['补充 3楼不是2楼', cmd('supplement', null, '3楼不是2楼')],
  ])('%j', (text, expected) => {
    expect(parseCommand(text)).toEqual(expected);
  });

  it.each([
    ['我已经接单了'],
    ['谢谢，很满意'],
    ['接单了'],
    ['满意度调查什么时候做'],
    ['帮助一下楼上的老人'],
    ['查询一下物业电话'],
    ['待办事项有哪些'],
    ['上报了吗'],
    ['12号楼 接单'],
    ['3 单元灯坏了'],
    // Words that are a verb only with a number after them.
    ['收到'],
    ['收到，谢谢'],
    ['修好了，谢谢师傅'],
    ['已修好'],
    ['完成了'],
    ['取消'],
    ['取消明天的活动'],
    ['查一下物业电话'],
    ['查 物业电话'],
    ['转给'],
    ['转给。'],
    ['怎么还没修'],
    ['怎么还没修好啊'],
    // A bare number before a complaint is a room, not a request.
    ['301还没修好'],
    ['301 怎么还没修？'],
    ['补充一下，是三楼'],
    // Further on in a message, only a numbered rating or a bare withdrawal is read.
    ['谢谢，满意'],
    ['灯修好了，接单 2'],
    ['麻烦大家，办结 3 了'],
    ['我想撤回'],
    ['不用了，撤回吧'],
    ['邻居说撤回 2 的事情不用管'],
    // An acknowledgement before something that is no command.
    ['好的，谢谢'],
    ['好的 明天见'],
    ['/unknown 12'],
    ['/acknowledge 12'],
    ['#报修 楼道灯坏了'],
    [''],
  ])('%j is not a command', (text) => {
    expect(parseCommand(text)).toBeNull();
  });
});

describe('parseCommand: several numbers', () => {
  it.each<[string, number[]]>([
    ['接单 1 2', [2]],
    ['接单 1、2、3', [2, 3]],
    ['满意 1,2', [2]],
    ['查询 #1 #2', [2]],
    ['撤回 4和5', [5]],
  ])('%j acts on one request and names the others', (text, otherNos) => {
    expect(parseCommand(text)).toMatchObject({ otherNos });
  });

  it.each([['接单 1'], ['办结 1 2楼灯换好了'], ['进展 1 2点来'], ['接单 1 2号楼']])(
    '%j names one request',
    (text) => {
      expect(parseCommand(text)?.otherNos).toBeUndefined();
    },
  );
});

describe('COMMAND_VERBS', () => {
  it('covers every command with a verb, a usage and a summary', () => {
    const names = Object.keys(COMMAND_VERBS).sort();
    expect(names).toEqual(
      [
        'ack',
        'assign',
        'council',
        'done',
        'escalate',
        'help',
        'note',
        'rate_bad',
        'rate_good',
        'show',
        'todo',
        'withdraw',
        'supplement',
        'chase',
      ].sort(),
    );
    for (const spec of Object.values(COMMAND_VERBS)) {
      expect(spec.zh.length + spec.slash.length).toBeGreaterThan(0);
      expect(spec.usage).not.toBe('');
      expect(spec.summary).not.toBe('');
    }
  });

  it.each(
    Object.entries(COMMAND_VERBS).flatMap(([name, spec]) =>
      [...spec.zh, ...(spec.zhWithNumber ?? [])].map((verb) => [verb, name]),
    ),
  )('the Chinese verb %s parses as %s', (verb, name) => {
    expect(parseCommand(`${verb} 5`)?.name).toBe(name);
  });

  it('says which commands need a number', () => {
    const needing = Object.entries(COMMAND_VERBS)
      .filter(([, spec]) => spec.needsNumber)
      .map(([name]) => name);
    expect(needing).not.toContain('todo');
    expect(needing).not.toContain('help');
    expect(needing).toContain('ack');
    for (const name of needing) {
      const verb = COMMAND_VERBS[name as CommandName].zh[0] ?? '';
      expect(parseCommand(verb)?.requestNo).toBeNull();
    }
  });
});
