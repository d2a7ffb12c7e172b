import Router from 'koa-router';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { Ledger } from '../ledger/ledger';
import type { LedgerCache } from '../ledger/ledger-store';
import { photosOfRequests, type PhotoSummary } from '../photos';
import { categoryName, maskPhones, STATUS_NAMES } from '../requests/format';
import {
  findRequestByNo,
  listEvents,
  REQUEST_STATUSES,
  type EventRow,
  type RequestRow,
} from '../requests/request-store';
import { searchRequests } from '../requests/request-search';
import { AppError } from '../shared/errors';
import type { AppState } from './app-state';
import { formatIsoWeek, lastFullWeekBefore, mondayOf, parseIsoWeek, zonedInstant } from '../digest/calendar';
import { weeklyFigures } from '../digest/weekly-figures';
import type { Clock } from '../shared/clock';
import { apiGuard, type ApiGuardDeps } from './admin/admin-auth';
import { actorName, nameLookup } from './admin/people';
import { securityHeaders } from './admin/security-headers';
import { isoFormatter } from './admin/time-format';

export interface ApiRoutesDeps extends ApiGuardDeps {
  readonly dataSource: DataSource;
  /** The bearer token callers must send (or sign in with); undefined turns the API off (404). */
  readonly adminToken: string | undefined;
  readonly clock: Clock;
  readonly ledgers: LedgerCache;
  /** Timestamps are written with this zone's offset, so they read as the street's local time. */
  readonly timeZone: string;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
const MAX_PAGE = 10_000;
// request.no is a PostgreSQL integer: anything larger would fail in the database, not here.
const MAX_REQUEST_NO = 2_147_483_647;

// Ledger ids and WeCom userids (see ledger/schema.ts).
const id = z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/);
const wholeNumber = (max: number) =>
  z
    .string()
    .regex(/^\d{1,10}$/)
    .transform(Number)
    .pipe(z.number().int().min(1).max(max));

// Strict: a misspelt filter (?stauts=open) must not quietly answer with every request.
const ListQuery = z.strictObject({
  status: z.enum([...REQUEST_STATUSES, 'active']).optional(),
  building: id.optional(),
  compound: id.optional(),
  category: id.optional(),
  assignee: id.optional(),
  page: wholeNumber(MAX_PAGE).default(1),
  limit: wholeNumber(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
});

const OneParams = z.object({ no: wholeNumber(MAX_REQUEST_NO) });

const FiguresQuery = z.strictObject({
  week: z
    .string()
    .transform((text, ctx) => {
      const week = parseIsoWeek(text);
      if (!week)
        ctx.addIssue({ code: 'custom', message: 'expected an ISO week of 2000–2100 such as 2026-W48' });
      return week ?? z.NEVER;
    })
    .optional(),
  compound: id.optional(),
});

function parse<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(query)'}: ${i.message}`);
    throw new AppError('bad_request', `admin API: bad ${what} (${problems.join('; ')})`);
  }
  return result.data;
}

/**
 * The read API over requests, for the street office's dashboards: GET /api/requests (filtered,
 * newest first, paged) and GET /api/requests/:no. Everything under /api needs the admin token.
 */
export function apiRoutes(deps: ApiRoutesDeps): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api' });
  const render = new RequestRenderer(deps.dataSource, deps.timeZone);

  router.use(apiGuard(deps));
  router.use(securityHeaders('api'));

  // The weekly figures, from the one module that defines the rates (the digest uses it too).
  router.get('/figures', async (ctx) => {
    const query = parse(FiguresQuery, ctx.query, 'query');
    const week = query.week ?? lastFullWeekBefore(deps.clock.now(), deps.timeZone);
    const monday = mondayOf(week);
    const figures = await weeklyFigures(deps.dataSource, {
      weekStart: zonedInstant(monday, deps.timeZone),
      timeZone: deps.timeZone,
      compoundId: query.compound ?? null,
    });
    ctx.body = { ...figures, week: formatIsoWeek(week) };
  });

  router.get('/requests', async (ctx) => {
    const q = parse(ListQuery, ctx.query, 'query');
    // One row past the page says whether another page follows, without counting every match.
    const rows = await searchRequests(
      deps.dataSource,
      {
        ...(q.status ? { status: q.status } : {}),
        ...(q.building ? { buildingId: q.building } : {}),
        ...(q.compound ? { compoundId: q.compound } : {}),
        ...(q.category ? { category: q.category } : {}),
        ...(q.assignee ? { assigneeId: q.assignee } : {}),
      },
      deps.clock.now(),
      { limit: q.limit + 1, offset: (q.page - 1) * q.limit },
    );
    const page = rows.slice(0, q.limit);
    const ledger = await deps.ledgers.current(deps.dataSource);
    ctx.body = {
      page: q.page,
      limit: q.limit,
      has_more: rows.length > q.limit,
      requests: await render.all(ledger, page),
    };
  });

  router.get('/requests/:no', async (ctx) => {
    const { no } = parse(OneParams, ctx.params as unknown, 'request number');
    const request = await findRequestByNo(deps.dataSource, no);
    if (!request) throw new AppError('not_found', `admin API: no request #${no}`);
    const ledger = await deps.ledgers.current(deps.dataSource);
    const [json] = await render.all(ledger, [request]);
    ctx.body = json;
  });

  // Every other path and method under /api: 404 once authorized (401 before), so neither an
  // unauthenticated caller nor a switched-off API reveals which routes exist.
  router.all('{/*rest}', () => {
    throw new AppError('not_found', 'admin API: no such route');
  });
  return router;
}

interface PersonRef {
  readonly id: string;
  /** null for someone the ledger never knew, e.g. most residents. */
  readonly name: string | null;
}

/** Turns request rows into the API's JSON: names from the ledger, people as id and name only. */
class RequestRenderer {
  private readonly iso: (at: Date | null) => string | null;

  constructor(
    private readonly dataSource: DataSource,
    timeZone: string,
  ) {
    this.iso = isoFormatter(timeZone, { milliseconds: true });
  }

  async all(ledger: Ledger, requests: readonly RequestRow[]): Promise<object[]> {
    const [events, photos] = await Promise.all([
      listEvents(
        this.dataSource,
        requests.map((r) => r.id),
      ),
      photosOfRequests(
        this.dataSource,
        requests.map((r) => r.id),
      ),
    ]);
    // Both drivers hand bigint ids over as strings (db/pglite-driver.ts), so they key a Map as-is.
    const byRequest = new Map<string, EventRow[]>();
    for (const e of events) {
      const list = byRequest.get(e.requestId) ?? [];
      list.push(e);
      byRequest.set(e.requestId, list);
    }
    const people = [
      ...requests.flatMap((r) => [r.reporterId, r.assigneeId]),
      ...events.map((e) => e.actorId),
    ];
    // Names only (the ledger's, else the person table's): a phone number cannot reach a response.
    const name = await nameLookup(this.dataSource, ledger, people);
    const person = (p: string | null): PersonRef | null => (p === null ? null : { id: p, name: name(p) });
    // The street office's steps by the name typed at sign-in (街道·王小明), as the pages show them.
    const actor = (e: EventRow): PersonRef | null =>
      e.actorId === null ? null : { id: e.actorId, name: actorName(e, name) };
    return requests.map((r) =>
      this.one(ledger, r, byRequest.get(r.id) ?? [], photos.get(r.id) ?? [], person, actor),
    );
  }

  private one(
    ledger: Ledger,
    r: RequestRow,
    events: readonly EventRow[],
    photos: readonly PhotoSummary[],
    person: (id: string | null) => PersonRef | null,
    actor: (e: EventRow) => PersonRef | null,
  ): object {
    const compound = r.compoundId === null ? undefined : ledger.compound(r.compoundId);
    const names = ledger.buildingNames(r.buildingId);
    const teams = ledger.document.teams;
    return {
      no: r.no,
      category: r.category,
      category_name: categoryName(ledger.categories, r.category),
      status: r.status,
      status_name: STATUS_NAMES[r.status],
      priority: r.priority,
      hazard: r.hazard,
      compound:
        r.compoundId === null ? null : { id: r.compoundId, name: compound?.name ?? names?.compound ?? null },
      building: r.buildingId === null ? null : { id: r.buildingId, name: names?.building ?? null },
      unit: r.unitNo,
      room: r.room,
      // Numbers residents type into a post stay out of dashboards and exports, as out of groups.
      text: maskPhones(r.text),
      // WeCom's links, as they came (encrypted, dead after 5 minutes): kept for compatibility.
      image_urls: r.imageUrls,
      // The photos Mulin kept: url is set once the photo is kept (same sign-in as /admin).
      photos: photos.map((p) => ({
        status: p.status,
        url: p.status === 'kept' ? `/admin/photos/${p.id}` : null,
      })),
      reporter: person(r.reporterId),
      assignee: person(r.assigneeId),
      teams: r.teamIds.map((t) => ({ id: t, name: teams.find((team) => team.id === t)?.name ?? null })),
      // 0 none, 1 the compound's grid worker, 2 the street office (see commands/escalate.ts).
      escalation: r.escalationLevel,
      council: r.council,
      rating: r.rating,
      rating_note: r.ratingNote === null ? null : maskPhones(r.ratingNote),
      reopen_count: r.reopenCount,
      created_at: this.iso(r.createdAt),
      updated_at: this.iso(r.updatedAt),
      acknowledged_at: this.iso(r.acknowledgedAt),
      resolved_at: this.iso(r.resolvedAt),
      closed_at: this.iso(r.closedAt),
      withdrawn_at: this.iso(r.withdrawnAt),
      ack_due_at: this.iso(r.ackDueAt),
      resolve_due_at: this.iso(r.resolveDueAt),
      events: events.map((e) => ({
        type: e.type,
        actor: actor(e),
        at: this.iso(e.at),
        note: e.note === null ? null : maskPhones(e.note),
      })),
    };
  }
}
