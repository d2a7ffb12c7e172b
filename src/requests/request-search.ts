import type { DataSource, EntityManager } from 'typeorm';
import {
  REQUEST_COLUMNS,
  REQUEST_STATUSES,
  toRequest,
  type RequestRow,
  type RequestStatus,
} from './request-store';

/**
 * The one filtered view of requests that the street office's pages, the CSV export, the Open311
 * feed, the read API and the 待办 command all read, so a filter means the same thing everywhere.
 */
export interface RequestSearch {
  readonly status?: RequestStatus | 'active';
  /** Any of these statuses (with status, both must hold). */
  readonly statuses?: readonly RequestStatus[];
  readonly compoundId?: string;
  readonly buildingId?: string;
  readonly category?: string;
  /** Any of these categories. */
  readonly categories?: readonly string[];
  readonly assigneeId?: string;
  readonly reporterId?: string;
  /** By the same resident as request number N (N included): the pages never show a reporter's id. */
  readonly reporterOf?: number;
  /** Still open or being handled, and past its acknowledge or resolve deadline. */
  readonly overdue?: boolean;
  /** Passed up to the grid worker or the street office at least once. */
  readonly escalated?: boolean;
  /** Passed up at least this far (GRID_LEVEL, STREET_LEVEL). */
  readonly minEscalationLevel?: number;
  /** A residents' council topic. */
  readonly council?: boolean;
  /**
   * Words in the description, a request number (12, listed first by searchRequests; #12, ＃12 or
   * 12号 that request alone), the name of a building (5号楼, or with its compound: 江湾小区 5号楼)
   * or the name of a handler.
   */
  readonly text?: string;
  readonly createdFrom?: Date;
  readonly createdBefore?: Date;
  readonly nos?: readonly number[];
  /** Seen in this building group (GroupScope). */
  readonly inGroup?: GroupScope;
  /** Not seen in this building group: the rest. */
  readonly outsideGroup?: GroupScope;
  /** Matching any of these as well (none: nothing matches), e.g. each of a 待办 list's sections. */
  readonly anyOf?: readonly RequestSearch[];
}

/**
 * A building group, as the requests its members have seen there: those of its building (their
 * notices go there) and those posted in it (their receipts were shown there, whatever building
 * they name). commands/who-may-read.ts's askedInRequestGroup draws the same line.
 */
export interface GroupScope {
  readonly buildingId: string;
  readonly chatId: string;
}

type Db = EntityManager | DataSource;

/** The SQL condition shared by overdue filters and counts; $now is the caller's parameter. */
export function overdueSql(now: string): string {
  return `((status = 'open' AND ack_due_at < ${now})
    OR (status IN ('open', 'acknowledged') AND resolve_due_at < ${now}))`;
}

/**
 * The deadline an overdue request missed first (to acknowledge while still open, else to resolve),
 * NULL for one not overdue: the list's 超时最久 order. request-bits.ts's missedDeadline mirrors it.
 */
export function missedDeadlineSql(now: string): string {
  return `LEAST(CASE WHEN status = 'open' AND ack_due_at < ${now} THEN ack_due_at END,
    CASE WHEN status IN ('open', 'acknowledged') AND resolve_due_at < ${now} THEN resolve_due_at END)`;
}

/** newest / oldest first by number (the order requests arrived), or the longest overdue first. */
export type RequestOrder = 'newest' | 'oldest' | 'overdue';

/** The request number a bare number in the search box may be: 12 (listed first, texts after it). */
export function requestNumberIn(text: string | undefined): number | undefined {
  const digits = /^(\d{1,9})$/.exec(text?.trim() ?? '')?.[1];
  return digits === undefined ? undefined : Number(digits);
}

/**
 * The request number a search box text names as one, and nothing else: #12, ＃12 or 12号 (a bare 12
 * may be a room or part of an address, so it is searched for in the texts too).
 */
export function namedRequestNumber(text: string | undefined): number | undefined {
  const trimmed = text?.trim() ?? '';
  const digits = /^[#＃](\d{1,9})$/.exec(trimmed)?.[1] ?? /^(\d{1,9})号$/.exec(trimmed)?.[1];
  return digits === undefined ? undefined : Number(digits);
}

/** A status as an SQL literal; only the known ones, so nothing else can reach the statement. */
function statusLiteral(status: RequestStatus): string {
  if (!REQUEST_STATUSES.includes(status)) throw new Error(`unknown request status ${status as string}`);
  return `'${status}'`;
}

export function searchWhere(filter: RequestSearch, now: Date): { where: string; values: unknown[] } {
  const values: unknown[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const where = conditions(filter, now, param);
  return { where: where.length > 0 ? `WHERE ${where.join(' AND ')}` : '', values };
}

/** The filter's conditions, each true of the requests it matches; `param` numbers the values. */
function conditions(filter: RequestSearch, now: Date, param: (value: unknown) => string): string[] {
  const where: string[] = [];
  // Statuses are written into the statement, not passed as parameters: statements are prepared,
  // and a generic plan for `status = $1` cannot use the partial indexes on status (ix_request_active,
  // ix_request_assignee, ...) nor tell a rare status from a common one.
  if (filter.status === 'active') where.push(`status IN ('open', 'acknowledged')`);
  else if (filter.status) where.push(`status = ${statusLiteral(filter.status)}`);
  if (filter.statuses) where.push(`status IN (${filter.statuses.map(statusLiteral).join(', ') || 'NULL'})`);
  if (filter.compoundId) where.push(`compound_id = ${param(filter.compoundId)}`);
  if (filter.buildingId) where.push(`building_id = ${param(filter.buildingId)}`);
  if (filter.category) where.push(`category = ${param(filter.category)}`);
  if (filter.categories) where.push(`category = ANY(${param(filter.categories)}::text[])`);
  if (filter.assigneeId) where.push(`assignee_id = ${param(filter.assigneeId)}`);
  if (filter.reporterId) where.push(`reporter_id = ${param(filter.reporterId)}`);
  if (filter.reporterOf !== undefined) {
    where.push(
      `reporter_id = (SELECT r.reporter_id FROM request r WHERE r.no = ${param(filter.reporterOf)})`,
    );
  }
  if (filter.overdue) where.push(overdueSql(param(now)));
  if (filter.escalated) where.push(`escalation_level > 0`);
  if (filter.minEscalationLevel !== undefined)
    where.push(`escalation_level >= ${param(filter.minEscalationLevel)}`);
  if (filter.council) where.push(`council`);
  if (filter.createdFrom) where.push(`created_at >= ${param(filter.createdFrom)}`);
  if (filter.createdBefore) where.push(`created_at < ${param(filter.createdBefore)}`);
  if (filter.nos) where.push(`no = ANY(${param(filter.nos)}::int[])`);
  if (filter.inGroup) {
    const { buildingId, chatId } = filter.inGroup;
    where.push(`(building_id = ${param(buildingId)} OR chat_id = ${param(chatId)})`);
  }
  if (filter.outsideGroup) {
    // Spelled out rather than NOT (…): a request with no building or no chat is outside too.
    const { buildingId, chatId } = filter.outsideGroup;
    where.push(
      `(building_id IS DISTINCT FROM ${param(buildingId)} AND chat_id IS DISTINCT FROM ${param(chatId)})`,
    );
  }
  const text = filter.text?.trim();
  const named = namedRequestNumber(text);
  // A number written as one is looked up by the unique index alone, not searched for in every text.
  if (named !== undefined) where.push(`no = ${param(named)}`);
  else if (text) {
    const number = requestNumberIn(text);
    // The words are matched literally: % and _ typed in the box are not wildcards.
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    // Matched against the text with its phone numbers taken out (search_text, kept by the
    // database: migration 1764301700000): the pages show them masked, and a search for a few
    // digits at a time would otherwise read the hidden ones back. Indexed with pg_trgm.
    // Case matters only to letters that have it: LIKE reads Chinese text twice as fast as ILIKE.
    const like = text.toLowerCase() === text.toUpperCase() ? 'LIKE' : 'ILIKE';
    const matches = [`search_text ${like} ${param(pattern)} ESCAPE '\\'`];
    if (number !== undefined) matches.push(`no = ${param(number)}`);
    // People type where a request is and who has it, too: a building's name, alone or after its
    // compound's (spaces aside, the ideographic U+3000 too), and a handler's name. The building
    // table keeps every building the ledger ever named, and the person table every person.
    const spaces = `' ' || chr(12288)`;
    matches.push(
      `building_id = ANY(ARRAY(SELECT b.id FROM building b WHERE ${param(text.replace(/\s/g, ''))}
         IN (translate(b.name, ${spaces}, ''), translate(b.compound_name || b.name, ${spaces}, ''))))`,
      `assignee_id = ANY(ARRAY(SELECT p.id FROM person p WHERE p.name = ${param(text)}))`,
    );
    where.push(`(${matches.join(' OR ')})`);
  }
  if (filter.anyOf) {
    const each = filter.anyOf.map((f) => `(${conditions(f, now, param).join(' AND ') || 'TRUE'})`);
    where.push(`(${each.join(' OR ') || 'FALSE'})`);
  }
  return where;
}

export async function countRequests(db: Db, filter: RequestSearch, now: Date): Promise<number> {
  const { where, values } = searchWhere(filter, now);
  const [row] = await db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM request ${where}`, values);
  return row?.n ?? 0;
}

/**
 * Newest first unless `page.order` says otherwise; a request whose number the search text is
 * comes before the rest, whatever the order.
 */
export async function searchRequests(
  db: Db,
  filter: RequestSearch,
  now: Date,
  page: { limit: number; offset: number; order?: RequestOrder },
): Promise<RequestRow[]> {
  const { where, values } = searchWhere(filter, now);
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const keys: string[] = [];
  const number = requestNumberIn(filter.text);
  if (number !== undefined) keys.push(`(no = ${param(number)}) DESC`);
  if (page.order === 'overdue') keys.push(`${missedDeadlineSql(param(now))} ASC NULLS LAST`);
  // A text search is ordered by the number as an expression, not along the number's index: with
  // that index, a generic plan (statements are prepared) walks from the newest request testing
  // each, on the guess that many match, where most searches match a few rows the indexes of
  // the text, the building and the handler find at once (migration 1764301700000).
  const byNumber = filter.text?.trim() && namedRequestNumber(filter.text) === undefined ? '(no + 0)' : 'no';
  keys.push(page.order === 'oldest' ? `${byNumber} ASC` : `${byNumber} DESC`);
  const rows = await db.query<Record<string, unknown>[]>(
    `SELECT ${REQUEST_COLUMNS} FROM request ${where} ORDER BY ${keys.join(', ')}
      LIMIT ${param(page.limit)} OFFSET ${param(page.offset)}`,
    values,
  );
  return rows.map(toRequest);
}

/** How many requests match, per category and status: a summary that never reads the rows. */
export async function tallyRequests(
  db: Db,
  filter: RequestSearch,
  now: Date,
): Promise<{ category: string; status: RequestStatus; n: number }[]> {
  const { where, values } = searchWhere(filter, now);
  return db.query(
    `SELECT category, status, count(*)::int AS n FROM request ${where} GROUP BY category, status`,
    values,
  );
}

export interface BuildingCounts {
  readonly active: number;
  readonly overdue: number;
  /** Received in the window given to {@link countsByBuilding}. */
  readonly recent: number;
}

/**
 * Per building (of those given, or every one): requests still being handled, of those overdue,
 * and received since `since`.
 */
export function countsByBuilding(
  db: Db,
  now: Date,
  since: Date,
  buildingIds?: readonly string[],
): Promise<Map<string, BuildingCounts>> {
  return countsBy(db, 'building_id', now, since, buildingIds);
}

/** The same counts per compound, every request of the compound (of a building since removed too). */
export function countsByCompound(db: Db, now: Date, since: Date): Promise<Map<string, BuildingCounts>> {
  return countsBy(db, 'compound_id', now, since);
}

/**
 * Read in two parts, the handled ones from the few active requests and the received ones from the
 * creation-time index, rather than by a scan of every request the street ever had.
 */
async function countsBy(
  db: Db,
  column: 'building_id' | 'compound_id',
  now: Date,
  since: Date,
  only?: readonly string[],
): Promise<Map<string, BuildingCounts>> {
  const values: unknown[] = [now, since];
  let scope = `${column} IS NOT NULL`;
  if (only !== undefined) {
    values.push(only);
    scope = `${column} = ANY($${values.length}::text[])`;
  }
  const rows = await db.query<{ place: string; active: number; overdue: number; recent: number }[]>(
    `SELECT place, sum(active)::int AS active, sum(overdue)::int AS overdue, sum(recent)::int AS recent
       FROM (SELECT ${column} AS place, count(*) AS active,
                    count(*) FILTER (WHERE ${overdueSql('$1')}) AS overdue, 0 AS recent
               FROM request WHERE status IN ('open', 'acknowledged') AND ${scope} GROUP BY ${column}
             UNION ALL
             SELECT ${column}, 0, 0, count(*) FROM request WHERE created_at >= $2 AND ${scope} GROUP BY ${column}) c
      GROUP BY place`,
    values,
  );
  return new Map(rows.map((r) => [r.place, { active: r.active, overdue: r.overdue, recent: r.recent }]));
}
