import { z } from 'zod';
import { REQUEST_STATUSES } from '../../requests/request-store';
import { maskPhones } from '../../requests/phone-mask';
import type { RequestOrder, RequestSearch } from '../../requests/request-search';
import { AppError } from '../../shared/errors';

/** Deeper pages cost an OFFSET past 200,000 rows; the pager never links beyond (list-pager.ts). */
export const MAX_PAGE = 10_000;
export const PAGE_SIZE = 20;

const id = z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/);
const flag = z.enum(['1', 'true', 'on']).transform(() => true);

/**
 * The requests list's query string; the CSV export takes the same one. Strict: a misspelt filter
 * must not quietly export every request.
 */
const ListQuery = z.strictObject({
  status: z.enum([...REQUEST_STATUSES, 'active']).optional(),
  compound: id.optional(),
  building: id.optional(),
  category: id.optional(),
  assignee: id.optional(),
  // The requests of the resident who reported this one (a request number: their id stays off pages).
  reporter_of: z
    .string()
    .regex(/^\d{1,10}$/)
    .transform(Number)
    .pipe(z.number().int().min(1).max(2_147_483_647))
    .optional(),
  overdue: flag.optional(),
  escalated: flag.optional(),
  council: flag.optional(),
  q: z.string().max(50).optional(),
  sort: z.enum(['newest', 'oldest', 'overdue']).optional(),
  page: z
    .string()
    .regex(/^\d{1,5}$/)
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_PAGE))
    .optional(),
  // Set by the redirect that drops a phone number from the search box (see isPhoneLike).
  notice: z.enum(['phone']).optional(),
});

export type ListQuery = z.infer<typeof ListQuery>;

/** Whether the query has empty fields, as the filter form sends for every choice left at 全部. */
export function hasEmptyFields(query: Record<string, unknown>): boolean {
  return Object.values(query).some((value) => value === '');
}

export function parseListQuery(query: Record<string, unknown>): ListQuery {
  const given = Object.fromEntries(Object.entries(query).filter(([, value]) => value !== ''));
  const parsed = ListQuery.safeParse(given);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(query)'}: ${i.message}`);
    throw new AppError('bad_request', `admin pages: bad list query (${problems.join('; ')})`);
  }
  return parsed.data;
}

/**
 * Seven digits in a row is most of a phone number: such a search would put the number in the
 * address bar, the history and the proxy's log, so it is refused rather than run.
 */
export function isPhoneLike(text: string | undefined): boolean {
  return text !== undefined && (/\d{7,}/.test(text.replace(/[\s-]/g, '')) || maskPhones(text) !== text);
}

export function toSearch(q: ListQuery): RequestSearch {
  return {
    ...(q.status ? { status: q.status } : {}),
    ...(q.compound ? { compoundId: q.compound } : {}),
    ...(q.building ? { buildingId: q.building } : {}),
    ...(q.category ? { category: q.category } : {}),
    ...(q.assignee ? { assigneeId: q.assignee } : {}),
    ...(q.reporter_of !== undefined ? { reporterOf: q.reporter_of } : {}),
    ...(q.overdue ? { overdue: true } : {}),
    ...(q.escalated ? { escalated: true } : {}),
    ...(q.council ? { council: true } : {}),
    ...(q.q?.trim() ? { text: q.q.trim() } : {}),
  };
}

/** The order asked for; without one, the longest overdue first when 超时 is ticked, else the newest. */
export function orderOf(q: ListQuery): RequestOrder {
  return q.sort ?? defaultOrder(q);
}

export function defaultOrder(q: ListQuery): RequestOrder {
  return q.overdue ? 'overdue' : 'newest';
}

/** The filters and the order (when not the default), for the list's own links: pages, redirects. */
export function listParams(q: ListQuery): Record<string, string | number | boolean | undefined> {
  const order = orderOf(q);
  return { ...filterParams(q), sort: order === defaultOrder(q) ? undefined : order };
}

/** The filters as query parameters again, for links (pages, export) that keep them. */
export function filterParams(q: ListQuery): Record<string, string | number | boolean | undefined> {
  return {
    status: q.status,
    compound: q.compound,
    building: q.building,
    category: q.category,
    assignee: q.assignee,
    reporter_of: q.reporter_of,
    overdue: q.overdue,
    escalated: q.escalated,
    council: q.council,
    q: q.q?.trim(),
  };
}
