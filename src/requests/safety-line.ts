import type { Hazard } from '../intake/parse';
import type { Ledger } from '../ledger/ledger';

/** What to do at once, before anyone comes. */
const HAZARD_ADVICE: Record<Hazard, string> = {
  gas: '请立即开窗通风，不要开关电器、不要点火',
  fire: '请先撤离到安全地带',
  electric: '请先断开电闸，不要触碰',
  elevator: '被困人员请保持冷静，按电梯里的警铃',
  water: '请先关闭总阀门',
  medical: '请守在病人身边，不要随意搬动',
};

/** Whom to call when the ledger's safety_lines name no one for the hazard. */
const HAZARD_FALLBACK_LINE: Record<Hazard, string> = {
  gas: '燃气抢修请拨 96777 或 119',
  fire: '火警请拨 119',
  electric: '供电抢修请拨 95598',
  elevator: '电梯困人请拨 96333 或 119',
  water: '供水抢修请拨当地供水热线',
  medical: '急救请拨 120',
};

function isHazard(value: string): value is Hazard {
  return Object.hasOwn(HAZARD_ADVICE, value);
}

/**
 * `⚠️ 紧急：请立即开窗通风，不要开关电器、不要点火。燃气公司抢修 96777`: the first line of every
 * answer to someone reporting a danger (the receipt, the answer to the same danger sent again, the
 * answer in a private chat), whether or not anything was filed. A hazard recorded under a name this
 * version does not know gets no line rather than a wrong one.
 */
export function safetyLine(ledger: Ledger, hazard: string | null): string | null {
  if (hazard === null || !isHazard(hazard)) return null;
  const line = ledger.safetyLine(hazard) ?? HAZARD_FALLBACK_LINE[hazard];
  return `⚠️ 紧急：${HAZARD_ADVICE[hazard]}。${line}`;
}
