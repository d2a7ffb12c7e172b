import type { Rate } from './weekly-figures';

/** 91%; — when nothing was due. Whole percents: leadership compares them, not their decimals. */
export function percent(rate: Rate): string {
  return rate.value === null ? '—' : `${Math.round(rate.value * 100)}%`;
}

/** 91%（100/110）; the reason there is none otherwise, e.g. —（无到期）. */
export function rateWithCounts(rate: Rate, none = '无到期'): string {
  return rate.value === null ? `—（${none}）` : `${percent(rate)}（${rate.numerator}/${rate.denominator}）`;
}

function trimmed(value: number): string {
  return value.toFixed(1).replace(/\.0$/, '');
}

/** 45分钟, 2.5小时, 1.8天; — when there is nothing to measure. */
export function duration(minutes: number | null): string {
  if (minutes === null) return '—';
  if (minutes < 60) return `${Math.round(minutes)}分钟`;
  if (minutes < 48 * 60) return `${trimmed(minutes / 60)}小时`;
  return `${trimmed(minutes / 1440)}天`;
}

/** +12, -3, 持平 */
export function change(current: number, previous: number): string {
  const delta = current - previous;
  if (delta === 0) return '持平';
  return delta > 0 ? `+${delta}` : String(delta);
}

/** How long ago, at the end of the week: 9天, 5小时. */
export function age(since: Date, until: Date): string {
  const hours = Math.floor((until.getTime() - since.getTime()) / 3_600_000);
  return hours < 24 ? `${Math.max(hours, 0)}小时` : `${Math.floor(hours / 24)}天`;
}
