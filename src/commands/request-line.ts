import { categoryName, maskPhones, placeOf, shorten, STATUS_NAMES } from '../requests/format';
import type { Ledger } from '../ledger/ledger';
import type { RequestRow } from '../requests/request-store';

/**
 * One request on a line, for lists in the chat: `#12 紧急报修 7号楼2单元：楼道灯不亮（处理中）`.
 * Urgency and the place come first, as they decide what to do first.
 */
export function requestLine(r: RequestRow, ledger: Ledger): string {
  const building = r.buildingId ? (ledger.placeOfBuilding(r.buildingId)?.building.name ?? '') : '';
  const where = `${building}${placeOf(r)}`;
  const urgent = r.priority === 'urgent' ? '紧急' : '';
  const text = shorten(maskPhones(r.text), 20);
  return `#${r.no} ${urgent}${categoryName(ledger.categories, r.category)} ${where ? `${where}：` : ''}${text}（${STATUS_NAMES[r.status]}）`;
}
