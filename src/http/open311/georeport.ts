import type { Ledger } from '../../ledger/ledger';
import type { Category } from '../../intake/parse';
import { categoryName, maskPhones, STATUS_NAMES } from '../../requests/format';
import type { RequestRow, RequestStatus } from '../../requests/request-store';

/**
 * Open311 GeoReport v2 shapes, as the 12345 hotline bridges and city dashboards read them.
 * https://wiki.open311.org/GeoReport_v2
 */

export interface GeoService {
  readonly service_code: string;
  readonly service_name: string;
  readonly description: string;
  readonly metadata: false;
  readonly type: 'realtime';
  readonly keywords: string;
  readonly group: string;
}

export interface GeoRequest {
  readonly service_request_id: string;
  readonly status: 'open' | 'closed';
  readonly status_notes: string;
  readonly service_name: string;
  readonly service_code: string;
  readonly description: string;
  readonly agency_responsible: string;
  readonly requested_datetime: string | null;
  readonly updated_datetime: string | null;
  readonly expected_datetime: string | null;
  readonly address: string;
}

/** Open311 knows two states: work still to do, or none (done, closed or withdrawn). */
export const OPEN311_STATUSES: Record<'open' | 'closed', readonly RequestStatus[]> = {
  open: ['open', 'acknowledged'],
  closed: ['resolved', 'closed', 'withdrawn'],
};

export function serviceOf(category: Category): GeoService {
  return {
    service_code: category.code,
    service_name: category.name,
    description: `居民在楼栋群里发「#${category.name}」登记的诉求`,
    metadata: false,
    type: 'realtime',
    keywords: [category.name, ...category.synonyms].join(','),
    group: '社区诉求',
  };
}

function statusNotes(r: RequestRow): string {
  const notes: string[] = [STATUS_NAMES[r.status]];
  if (r.rating === 'good') notes.push('居民满意');
  if (r.rating === 'bad') notes.push('居民不满意，已重新办理');
  if (r.escalationLevel === 1) notes.push('已上报网格员');
  if (r.escalationLevel >= 2) notes.push('已上报街道');
  if (r.council) notes.push('已列入居民议事会');
  return notes.join('；');
}

/**
 * The building and unit, never the room: this leaves the street for other systems, and the
 * room together with the words of a complaint identifies a household.
 */
function addressOf(ledger: Ledger, r: RequestRow): string {
  const place = r.buildingId === null ? undefined : ledger.placeOfBuilding(r.buildingId);
  const compound = place?.compound ?? (r.compoundId === null ? undefined : ledger.compound(r.compoundId));
  const names = ledger.buildingNames(r.buildingId);
  return [
    compound?.address,
    names?.compound ?? compound?.name,
    names ? `${names.building}${r.unitNo === null ? '' : `${r.unitNo}单元`}` : undefined,
  ]
    .filter((part): part is string => Boolean(part))
    .join(' ');
}

export function geoRequestOf(
  ledger: Ledger,
  r: RequestRow,
  iso: (at: Date | null) => string | null,
): GeoRequest {
  const closed = OPEN311_STATUSES.closed.includes(r.status);
  return {
    service_request_id: String(r.no),
    status: closed ? 'closed' : 'open',
    status_notes: statusNotes(r),
    service_name: categoryName(ledger.categories, r.category),
    service_code: r.category,
    description: maskPhones(r.text),
    agency_responsible: ledger.streetName,
    requested_datetime: iso(r.createdAt),
    updated_datetime: iso(r.updatedAt),
    expected_datetime: iso(r.resolveDueAt),
    address: addressOf(ledger, r),
  };
}
