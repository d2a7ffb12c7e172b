export type Hazard = 'gas' | 'fire' | 'electric' | 'elevator' | 'water' | 'medical';

export type Urgency = { urgent: false } | { urgent: true; hazard: Hazard };

/**
 * Words that mean someone may get hurt now, in the order a mixed message is judged (gas
 * before fire: a gas smell with smoke is reported as gas, which the responder must not spark).
 *
 * Negation is deliberately not understood: `没有漏气吧？`, `好像没漏电` still count as urgent.
 * A false alarm costs a duty volunteer one look; a missed gas leak costs far more, and people
 * who mention a hazard while denying it are usually unsure.
 */
const HAZARDS: readonly { hazard: Hazard; pattern: RegExp }[] = [
  { hazard: 'gas', pattern: /燃气|煤气|漏气|天然气味|天然气泄漏/u },
  { hazard: 'fire', pattern: /着火|火灾|冒烟|起火|失火/u },
  { hazard: 'electric', pattern: /触电|漏电/u },
  {
    hazard: 'elevator',
    pattern: /电梯困人|困在电梯|被困电梯|关在电梯|卡在电梯|电梯里.{0,4}被?困|电梯.{0,2}困住/u,
  },
  { hazard: 'water', pattern: /水管(?:爆|破裂|裂开)|爆管/u },
  // Someone hurt or taken ill, last: where gas or a live wire felled them, that is what the
  // helper must know first.
  {
    hazard: 'medical',
    pattern:
      /摔倒|跌倒|摔了一跤|晕倒|昏倒|晕过去|昏过去|昏迷|叫不醒|不省人事|喘不上气|呼吸困难|心脏病(?:犯|发作)|心梗|中风了|抽搐|流血不止|倒在地上|倒地/u,
  },
];

/**
 * Everyday phrases that contain a hazard word but describe no hazard: paying the gas bill,
 * a gas card, a flat tyre, a fall that nearly happened or is to be prevented. Removed before
 * matching.
 */
const NOT_HAZARD =
  /(?:燃气|煤气|天然气)(?:费|卡|表读数|充值|缴费|账单|公司电话)|(?:轮胎|车胎|胎)漏气|(?:防止?|怕|容易|差点|差一点|险些|小心|以免)[^，,。.！!？?\s]{0,3}?(?:摔倒|跌倒|摔跤)/gu;

/** Whether the message reports a danger that should reach someone at once, and which. */
export function detectUrgency(text: string): Urgency {
  const s = text.replace(NOT_HAZARD, ' ');
  for (const { hazard, pattern } of HAZARDS) {
    if (pattern.test(s)) return { urgent: true, hazard };
  }
  return { urgent: false };
}

export type UtilityKind = 'water' | 'power' | 'gas' | 'heating';

/**
 * Which utility a request is about, for due-time rules. Checked in this order so the more
 * specific word wins: `暖气片漏水` is heating, `漏水导致跳闸` is water.
 */
const UTILITIES: readonly { kind: UtilityKind; pattern: RegExp }[] = [
  { kind: 'gas', pattern: /燃气|煤气|天然气/u },
  { kind: 'heating', pattern: /暖气|供暖|地暖|采暖/u },
  { kind: 'water', pattern: /停水|漏水|水管|爆管|没水|断水|水压|渗水/u },
  { kind: 'power', pattern: /停电|没电|断电|灯|电闸|跳闸|插座|电路/u },
];

export function detectUtilityKind(text: string): UtilityKind | null {
  for (const { kind, pattern } of UTILITIES) {
    if (pattern.test(text)) return kind;
  }
  return null;
}
