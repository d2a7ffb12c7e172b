import type { GovernancePath } from '../../ledger/schema';

/** Chinese words for what the pages show; codes stay in URLs and exports' code columns. */

export const PATH_NAMES: Record<GovernancePath, string> = {
  self_governing: '自治提升型',
  street_backed: '兜底保障型',
};

const EVENT_NAMES: Record<string, string> = {
  created: '居民提交',
  routed: '自动分派',
  acknowledged: '接单',
  assigned: '转派',
  escalated: '上报',
  note: '进展备注',
  resolved: '办结',
  rated: '评价',
  reopened: '重新打开',
  closed: '完结',
  withdrawn: '撤回',
  council: '列入议事会',
  photo: '补充照片',
  supplement: '补充情况',
  chased: '催办',
  urged: '街道督办',
  staff_note: '内部备注',
};

export function eventName(type: string): string {
  return EVENT_NAMES[type] ?? type;
}

export const ESCALATION_NAMES: readonly string[] = ['未上报', '已上报网格员', '已上报街道'];

export function escalationName(level: number): string {
  return ESCALATION_NAMES[level] ?? `上报 ${level} 级`;
}

export const RATING_NAMES = { good: '满意', bad: '不满意' } as const;

export const HAZARD_NAMES: Record<string, string> = {
  gas: '燃气',
  fire: '火情',
  electric: '用电',
  elevator: '电梯',
  water: '漏水',
  medical: '急病或摔伤',
};
