import { localParts } from '../digest/calendar';
import type { CategoryTable } from '../intake/parse';
import { formatLocation } from '../intake/parse';
import type { Ledger } from '../ledger/ledger';
import { maskPhones } from './phone-mask';
import type { RequestRow, RequestStatus } from './request-store';

export { maskPhones };

export const STATUS_NAMES: Record<RequestStatus, string> = {
  open: '待接单',
  acknowledged: '处理中',
  resolved: '已办结，待评价',
  closed: '已完结',
  withdrawn: '已撤回',
};

export function categoryName(table: CategoryTable, code: string): string {
  return table.categories.find((c) => c.code === code)?.name ?? code;
}

/** 2单元301室, or '' when the post named no place. */
export function placeOf(r: Pick<RequestRow, 'unitNo' | 'room'>): string {
  return formatLocation({
    ...(r.unitNo !== null ? { unit: r.unitNo } : {}),
    ...(r.room !== null ? { room: r.room } : {}),
  });
}

/** Short, for chat: cut long descriptions so a receipt stays a few lines. */
const graphemes = new Intl.Segmenter('zh', { granularity: 'grapheme' });

export function shorten(text: string, max = 40): string {
  // A text of at most max UTF-16 units has at most max graphemes: most posts need no segmenting.
  if (text.length <= max) return text;
  // Only as far as the limit: segmenting a whole text takes V8 time quadratic in its length.
  const kept: string[] = [];
  for (const { segment } of graphemes.segment(text)) {
    if (kept.length === max) return `${kept.slice(0, max - 1).join('')}…`;
    kept.push(segment);
  }
  return text;
}

export interface DetailOptions {
  /** Name the compound before the building, for those above the building (grid worker, street). */
  readonly compound: boolean;
  /** Characters of the request's text kept (see shorten). */
  readonly max: number;
}

/**
 * `紧急报修 7号楼2单元 厨房有煤气味`: what a request is, for a notice that arrives with no post above
 * it to say what #7 is (a reminder, an escalation). The text is masked before it is cut, so no
 * part of a phone number shows. A building the ledger has dropped keeps its last name.
 */
export function requestDetail(
  ledger: Ledger,
  r: Pick<RequestRow, 'category' | 'priority' | 'compoundId' | 'buildingId' | 'unitNo' | 'room' | 'text'>,
  options: DetailOptions,
): string {
  const names = ledger.buildingNames(r.buildingId);
  const compound = options.compound
    ? (names?.compound ?? (r.compoundId ? ledger.compound(r.compoundId)?.name : undefined) ?? '')
    : '';
  const place = `${compound}${names?.building ?? ''}${placeOf(r)}`;
  const kind = `${r.priority === 'urgent' ? '紧急' : ''}${categoryName(ledger.categories, r.category)}`;
  return [kind, place, shorten(maskPhones(r.text), options.max)].filter((part) => part !== '').join(' ');
}

const twoDigits = (n: number) => String(n).padStart(2, '0');

/** 11-28 09:05 in the street's time zone. */
export function formatMoment(at: Date, timeZone: string): string {
  const p = localParts(at, timeZone);
  return `${twoDigits(p.month)}-${twoDigits(p.day)} ${twoDigits(p.hour)}:${twoDigits(p.minute)}`;
}

/** 2026-11-28, the street's calendar day. */
export function formatDay(at: Date, timeZone: string): string {
  const p = localParts(at, timeZone);
  return `${p.year}-${twoDigits(p.month)}-${twoDigits(p.day)}`;
}
