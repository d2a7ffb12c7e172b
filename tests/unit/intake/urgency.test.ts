import { type Hazard, type UtilityKind, detectUrgency, detectUtilityKind } from '../../../src/intake/parse';

describe('detectUrgency', () => {
  it.each<[string, Hazard]>([
    ['厨房有很重的燃气味', 'gas'],
    ['楼道里一股煤气味', 'gas'],
    ['好像漏气了，快来人', 'gas'],
    ['闻到天然气味', 'gas'],
    // Negations still count: a false alarm is cheaper than a missed leak.
    ['应该没有漏气吧？', 'gas'],
    ['5楼着火了！！', 'fire'],
    ['小区发生火灾', 'fire'],
    ['电动车在楼道冒烟🔥', 'fire'],
    ['配电箱起火了', 'fire'],
    ['孩子摸插座触电了', 'electric'],
    ['洗衣机漏电', 'electric'],
    ['2单元电梯困人了', 'elevator'],
    ['我妈困在电梯里了', 'elevator'],
    ['电梯里有人被困', 'elevator'],
    ['地下室水管爆裂', 'water'],
    ['3号楼爆管了', 'water'],
    ['楼上水管爆了，水往下流', 'water'],
    // Someone hurt or taken ill: elderly neighbours post these more than any other danger.
    ['#求助 家里老人摔倒了，谁能帮忙扶一下', 'medical'],
    ['8号楼1单元有位老人摔倒了起不来', 'medical'],
    ['王大爷晕倒在楼道里', 'medical'],
    ['我老伴喘不上气', 'medical'],
    ['隔壁阿姨叫不醒', 'medical'],
    ['爸爸心脏病犯了', 'medical'],
    ['有人倒在地上，一动不动', 'medical'],
    // Several hazards: gas is named first, since the responder must not bring a spark.
    ['燃气灶起火了', 'gas'],
    ['煤气中毒晕倒了', 'gas'],
    ['有人触电倒地', 'electric'],
  ])('%j is urgent (%s)', (text, hazard) => {
    expect(detectUrgency(text)).toEqual({ urgent: true, hazard });
  });

  it.each([
    ['楼道灯不亮'],
    ['燃气费怎么交'],
    ['电动车轮胎漏气了'],
    ['电梯坏了，一直停在3楼'],
    ['电梯的事困扰大家很久了'],
    ['厨房水管有点漏水'],
    ['几点来抄煤气表读数'],
    // A fall that did not happen, or is to be prevented, is a repair or a suggestion.
    ['地砖翘起来了，差点摔倒'],
    ['楼梯太滑，老人容易摔倒'],
    ['建议装扶手，防止老人跌倒'],
    ['雨天小心摔倒'],
  ])('%j is not urgent', (text) => {
    expect(detectUrgency(text)).toEqual({ urgent: false });
  });
});

describe('detectUtilityKind', () => {
  it.each<[string, UtilityKind | null]>([
    ['明天停水吗', 'water'],
    ['卫生间漏水', 'water'],
    ['水管老化', 'water'],
    ['突然停电了', 'power'],
    ['楼道灯不亮', 'power'],
    ['电闸在哪', 'power'],
    ['家里跳闸了', 'power'],
    ['燃气打不着火', 'gas'],
    ['煤气灶坏了', 'gas'],
    ['暖气不热', 'heating'],
    ['什么时候开始供暖', 'heating'],
    ['暖气片漏水', 'heating'],
    ['门口垃圾没人收', null],
    ['', null],
  ])('%j → %j', (text, kind) => {
    expect(detectUtilityKind(text)).toBe(kind);
  });
});
