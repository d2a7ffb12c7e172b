import Router from 'koa-router';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { zonedInstant } from '../../digest';
import type { LedgerCache } from '../../ledger/ledger-store';
import { searchRequests, type RequestSearch } from '../../requests/request-search';
import type { Clock } from '../../shared/clock';
import { AppError } from '../../shared/errors';
import { apiGuard, type ApiGuardDeps } from '../admin/admin-auth';
import { securityHeaders } from '../admin/security-headers';
import { isoFormatter } from '../admin/time-format';
import type { AppState } from '../app-state';
import { geoRequestOf, OPEN311_STATUSES, serviceOf } from './georeport';

export interface Open311Deps extends ApiGuardDeps {
  readonly dataSource: DataSource;
  readonly ledgers: LedgerCache;
  readonly clock: Clock;
  readonly timeZone: string;
  /** MULIN_ADMIN_TOKEN: the bearer token, and the key of the pages' sessions; unset turns it off (404). */
  readonly adminToken: string | undefined;
}

/** As GeoReport v2 says: without dates, the last 90 days; at most 1000 requests per answer. */
const DEFAULT_DAYS = 90;
const MAX_RESULTS = 1000;
/**
 * The dates a street's history can hold. Beyond them the embedded database failed on the year
 * (0 or 10000: a 500) and PostgreSQL answered an empty list; both are refused as bad input.
 */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(2101, 0, 1);

/** A comma-separated list, as GeoReport v2 passes several codes or ids in one parameter. */
const list = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .transform((s) => s.split(',').map((part) => part.trim()))
    .pipe(z.array(item).min(1).max(100));
const code = z.string().regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/);
/**
 * The standard's ISO 8601 date-times, with a zone (Z or an offset); a bare date, which people
 * type, means that day's midnight in the street's zone (see localMidnight).
 */
const dateTime = z.union([
  z.iso.datetime({ offset: true, local: false }).transform((text) => ({ at: new Date(text) })),
  z.iso.date().transform((text) => ({ day: text })),
]);
const id = z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/);

const RequestsQuery = z.strictObject({
  service_request_id: list(z.string().regex(/^\d{1,9}$/)).optional(),
  service_code: list(code).optional(),
  status: list(z.enum(['open', 'closed'])).optional(),
  start_date: dateTime.optional(),
  end_date: dateTime.optional(),
  // Mulin's own narrowing, beyond the standard.
  compound: id.optional(),
  building: id.optional(),
  // Standard, for cities serving several jurisdictions; one street is one.
  jurisdiction_id: z.string().max(64).optional(),
});

function localMidnight(day: string, timeZone: string): Date {
  const [year = 0, month = 0, date = 0] = day.split('-').map(Number);
  return zonedInstant({ year, month, day: date }, timeZone);
}

function parseQuery(query: unknown): z.infer<typeof RequestsQuery> {
  const parsed = RequestsQuery.safeParse(query);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(query)'}: ${i.message}`);
    throw new AppError('bad_request', `Open311: bad query (${problems.join('; ')})`);
  }
  return parsed.data;
}

/**
 * GET /api/open311/services.json and /api/open311/requests.json (GeoReport v2, JSON only), for
 * the 12345 hotline's systems and the district's dashboards. Same guard as the rest of /api.
 */
export function open311Routes(deps: Open311Deps): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api/open311' });
  const iso = isoFormatter(deps.timeZone);
  // GeoReport v2's errors: [{code, description}], so a client reads every answer as JSON.
  router.use((ctx, next) => {
    ctx.state.errorBody = (status, name) => [{ code: status, description: name }];
    return next();
  });
  router.use(securityHeaders('api'));
  router.use(apiGuard(deps));

  router.get('/services.json', async (ctx) => {
    const ledger = await deps.ledgers.current(deps.dataSource);
    ctx.body = ledger.categories.categories.map(serviceOf);
  });

  router.get('/requests.json', async (ctx) => {
    const q = parseQuery(ctx.query);
    const now = deps.clock.now();
    let search: RequestSearch;
    if (q.service_request_id) {
      // The standard: asking for ids ignores every other filter.
      search = { nos: q.service_request_id.map(Number) };
    } else {
      const instant = (name: string, d: { at: Date } | { day: string }) => {
        const at = 'at' in d ? d.at : localMidnight(d.day, deps.timeZone);
        if (at.getTime() < EARLIEST || at.getTime() >= LATEST)
          throw new AppError(
            'bad_request',
            `Open311: bad query (${name}: expected a date from 1970 to 2100)`,
          );
        return at;
      };
      const end = q.end_date ? instant('end_date', q.end_date) : now;
      const start = q.start_date
        ? instant('start_date', q.start_date)
        : new Date(end.getTime() - DEFAULT_DAYS * 86_400_000);
      // A range that ends before it starts is a mistake, not a question whose answer is "nothing".
      if (start.getTime() > end.getTime())
        throw new AppError('bad_request', 'Open311: bad query (start_date is after end_date)');
      search = {
        createdFrom: start,
        createdBefore: end,
        ...(q.service_code ? { categories: q.service_code } : {}),
        ...(q.status ? { statuses: q.status.flatMap((s) => OPEN311_STATUSES[s]) } : {}),
        ...(q.compound ? { compoundId: q.compound } : {}),
        ...(q.building ? { buildingId: q.building } : {}),
      };
    }
    const rows = await searchRequests(deps.dataSource, search, now, { limit: MAX_RESULTS, offset: 0 });
    const ledger = await deps.ledgers.current(deps.dataSource);
    ctx.body = rows.map((r) => geoRequestOf(ledger, r, iso));
  });

  router.get('/requests/:id.json', async (ctx) => {
    const raw = (ctx.params as Record<string, string | undefined>).id ?? '';
    if (!/^\d{1,9}$/.test(raw)) throw new AppError('not_found', 'Open311: not a request id');
    const rows = await searchRequests(deps.dataSource, { nos: [Number(raw)] }, deps.clock.now(), {
      limit: 1,
      offset: 0,
    });
    if (rows.length === 0) throw new AppError('not_found', `Open311: no request ${raw}`);
    const ledger = await deps.ledgers.current(deps.dataSource);
    ctx.body = rows.map((r) => geoRequestOf(ledger, r, iso));
  });

  router.all('{/*rest}', () => {
    throw new AppError('not_found', 'Open311: no such route (JSON only: services.json, requests.json)');
  });
  return router;
}
