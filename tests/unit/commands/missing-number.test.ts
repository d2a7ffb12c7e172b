import { quotedNumber } from '../../../src/commands/missing-number';
import { chatUsage } from '../../../src/commands/usage';

describe('quotedNumber', () => {
  it.each([
    ['#3 已办结：换了新灯泡\n请报事人回复「满意 3」或「不满意 3 原因」', 3],
    ['⚠️ 紧急：请立即开窗通风\n已登记 #12【报修】1单元有燃气味', 12],
    ['＃１２ 已转派给李秀兰，请接单：接单 12', 12],
    // A 待办 list names several requests: none of them is meant.
    ['您的待办：\n#4 报修 7号楼1单元：灯不亮（待接单）\n#5 报修 7号楼2单元：门坏了（处理中）', null],
    ['#报修 2单元楼道灯不亮', null],
    ['', null],
    [null, null],
  ])('%j', (quoted, expected) => {
    expect(quotedNumber(quoted)).toBe(expected);
  });
});

describe('chatUsage', () => {
  it('leaves the slash form out, and fills in a number', () => {
    expect(chatUsage('rate_good')).toBe('满意 12');
    expect(chatUsage('rate_bad', 7)).toBe('不满意 7 原因');
    expect(chatUsage('withdraw', 5)).toBe('撤回 5');
  });
});
