import type { DataSource, EntityManager } from 'typeorm';
import type { JsonInsert } from '../db/json-insert';

export const REQUEST_STATUSES = ['open', 'acknowledged', 'resolved', 'closed', 'withdrawn'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
/** Statuses in which someone still has work to do. */
export const ACTIVE_STATUSES: readonly RequestStatus[] = ['open', 'acknowledged'];

export interface RequestRow {
  readonly id: string;
  readonly no: number;
  readonly compoundId: string | null;
  readonly buildingId: string | null;
  readonly unitNo: number | null;
  readonly room: string | null;
  readonly category: string;
  readonly text: string;
  readonly imageUrls: string[];
  readonly reporterId: string;
  readonly chatId: string | null;
  readonly status: RequestStatus;
  readonly priority: 'urgent' | 'normal';
  readonly hazard: string | null;
  readonly utility: string | null;
  readonly assigneeId: string | null;
  readonly teamIds: string[];
  readonly escalationLevel: number;
  readonly council: boolean;
  readonly ackDueAt: Date | null;
  readonly resolveDueAt: Date | null;
  readonly rating: 'good' | 'bad' | null;
  readonly ratingNote: string | null;
  readonly reopenCount: number;
  readonly inboundId: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly acknowledgedAt: Date | null;
  readonly resolvedAt: Date | null;
  readonly closedAt: Date | null;
  readonly withdrawnAt: Date | null;
}

export interface EventRow {
  readonly id: string;
  readonly requestId: string;
  readonly type: string;
  readonly actorId: string | null;
  readonly at: Date;
  readonly note: string | null;
  readonly data: Record<string, unknown>;
}

type Db = EntityManager | DataSource;

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (name: string) => name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/**
 * The columns a RequestRow is read from, named rather than `*`: statements are prepared on
 * PostgreSQL (src/db/preparing-client.ts), and a prepared `SELECT *` fails once a migration run by
 * a newer instance adds a column ("cached plan must not change result type"); named columns are
 * simply planned again.
 */
const REQUEST_FIELDS = {
  id: true,
  no: true,
  compoundId: true,
  buildingId: true,
  unitNo: true,
  room: true,
  category: true,
  text: true,
  imageUrls: true,
  reporterId: true,
  chatId: true,
  status: true,
  priority: true,
  hazard: true,
  utility: true,
  assigneeId: true,
  teamIds: true,
  escalationLevel: true,
  council: true,
  ackDueAt: true,
  resolveDueAt: true,
  rating: true,
  ratingNote: true,
  reopenCount: true,
  inboundId: true,
  createdAt: true,
  updatedAt: true,
  acknowledgedAt: true,
  resolvedAt: true,
  closedAt: true,
  withdrawnAt: true,
} satisfies Record<keyof RequestRow, true>;

export const REQUEST_COLUMNS = Object.keys(REQUEST_FIELDS).map(snake).join(', ');

const EVENT_FIELDS = {
  id: true,
  requestId: true,
  type: true,
  actorId: true,
  at: true,
  note: true,
  data: true,
} satisfies Record<keyof EventRow, true>;

const EVENT_COLUMNS = Object.keys(EVENT_FIELDS).map(snake).join(', ');

function camelKeys(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) out[camel(key)] = value;
  return out;
}

/** A request as read from SQL: the drivers already give integers, booleans, jsonb and dates. */
export function toRequest(row: Record<string, unknown>): RequestRow {
  return camelKeys(row) as unknown as RequestRow;
}

function toEvent(row: Record<string, unknown>): EventRow {
  return camelKeys(row) as unknown as EventRow;
}

/** TypeORM answers an UPDATE with [rows, affected] rather than the rows alone. */
async function updateReturning(
  tx: EntityManager,
  sql: string,
  values: unknown[],
): Promise<Record<string, unknown>[]> {
  const [rows] = await tx.query<[Record<string, unknown>[], number]>(sql, values);
  return rows;
}

/** The next request number, taken inside the creating transaction so numbers have no gaps. */
export async function nextRequestNo(tx: EntityManager): Promise<number> {
  const [row] = await updateReturning(
    tx,
    `UPDATE request_counter SET last_no = last_no + 1 WHERE id = 1 RETURNING last_no`,
    [],
  );
  if (!row) throw new Error('request_counter row is missing (run the migrations)');
  return Number(row.last_no);
}

/**
 * Takes `count` consecutive request numbers and `count` request ids in one round trip, inside the
 * creating transaction: the counter row stays locked until it commits, so numbers have no gaps.
 * Numbers taken and not used must be handed back with releaseRequestNos before the commit.
 */
export async function reserveRequests(
  tx: EntityManager,
  count: number,
): Promise<{ firstNo: number; ids: string[] }> {
  return (await reserveRequestsReadingLedgerVersion(tx, count)).reserved;
}

/**
 * reserveRequests, and in the same round trip the id of the newest ledger version (0 for none),
 * which a batch needs before it routes anything. `count` may be 0: nothing is reserved or locked.
 */
export async function reserveRequestsReadingLedgerVersion(
  tx: EntityManager,
  count: number,
): Promise<{ reserved: { firstNo: number; ids: string[] }; ledgerVersion: number }> {
  const [row] = await tx.query<
    { last_no: number | null; ids: string | null; ledger_version: string | null }[]
  >(
    `WITH c AS (UPDATE request_counter SET last_no = last_no + $1 WHERE id = 1 AND $1 > 0 RETURNING last_no)
     SELECT (SELECT last_no FROM c) AS last_no,
       (SELECT string_agg(nextval(pg_get_serial_sequence('request', 'id'))::text, ',')
        FROM generate_series(1, $1)) AS ids,
       (SELECT id FROM ledger_version ORDER BY id DESC LIMIT 1) AS ledger_version`,
    [count],
  );
  if (count > 0 && (row?.last_no === null || row?.last_no === undefined)) {
    throw new Error('request_counter row is missing (run the migrations)');
  }
  return {
    reserved: {
      firstNo: row?.last_no === null || row?.last_no === undefined ? 0 : row.last_no - count + 1,
      ids: row?.ids ? row.ids.split(',') : [],
    },
    ledgerVersion: row?.ledger_version ? Number(row.ledger_version) : 0,
  };
}

/** Hands back the highest `count` numbers reserved in this transaction (none taken after them). */
export async function releaseRequestNos(tx: EntityManager, count: number): Promise<void> {
  await tx.query(`UPDATE request_counter SET last_no = last_no - $1 WHERE id = 1`, [count]);
}

export type NewRequest = Omit<
  RequestRow,
  | 'id'
  | 'updatedAt'
  | 'acknowledgedAt'
  | 'resolvedAt'
  | 'closedAt'
  | 'withdrawnAt'
  | 'rating'
  | 'ratingNote'
  | 'reopenCount'
  | 'escalationLevel'
  | 'council'
> & { readonly council?: boolean };

/** A new request as its row will read once inserted: the columns the insert leaves to their defaults. */
export function newRequestRow(id: string, fields: NewRequest): RequestRow {
  return {
    ...fields,
    id,
    council: fields.council ?? false,
    escalationLevel: 0,
    rating: null,
    ratingNote: null,
    reopenCount: 0,
    updatedAt: fields.createdAt,
    acknowledgedAt: null,
    resolvedAt: null,
    closedAt: null,
    withdrawnAt: null,
  };
}

const JSON_COLUMNS = new Set(['imageUrls', 'teamIds']);

function columnsAndValues(fields: Record<string, unknown>): { columns: string[]; values: unknown[] } {
  const columns: string[] = [];
  const values: unknown[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    columns.push(snake(key));
    values.push(JSON_COLUMNS.has(key) ? JSON.stringify(value) : value);
  }
  return { columns, values };
}

export async function insertRequest(tx: EntityManager, fields: NewRequest): Promise<RequestRow> {
  const { columns, values } = columnsAndValues({ ...fields, updatedAt: fields.createdAt });
  const placeholders = columns.map((c, i) =>
    c === 'image_urls' || c === 'team_ids' ? `$${i + 1}::jsonb` : `$${i + 1}`,
  );
  const [row] = await tx.query<Record<string, unknown>[]>(
    `INSERT INTO request (${columns.join(', ')}) VALUES (${placeholders.join(', ')}) RETURNING ${REQUEST_COLUMNS}`,
    values,
  );
  if (!row) throw new Error('insert returned no row');
  return toRequest(row);
}

/** Whole request rows (ids from reserveRequests), inserted in the given order. */
export function requestRowsInsert(rows: readonly RequestRow[]): JsonInsert {
  const first = rows[0];
  const columns = first ? Object.keys(first).map(snake).join(', ') : '';
  return {
    sql: `INSERT INTO request (${columns}) OVERRIDING SYSTEM VALUE
          SELECT ${columns} FROM jsonb_populate_recordset(NULL::request, $1::jsonb) WITH ORDINALITY AS x
          ORDER BY x.ordinality`,
    rows: rows.map((row) =>
      Object.fromEntries(Object.entries(row).map(([key, value]) => [snake(key), value])),
    ),
  };
}

export type RequestPatch = Partial<
  Pick<
    RequestRow,
    | 'status'
    | 'assigneeId'
    | 'escalationLevel'
    | 'council'
    | 'rating'
    | 'ratingNote'
    | 'reopenCount'
    | 'acknowledgedAt'
    | 'resolvedAt'
    | 'closedAt'
    | 'withdrawnAt'
    | 'resolveDueAt'
  >
> & { updatedAt: Date };

export async function updateRequest(tx: EntityManager, id: string, patch: RequestPatch): Promise<RequestRow> {
  const { columns, values } = columnsAndValues(patch);
  const sets = columns.map((c, i) => `${c} = $${i + 1}`);
  const [row] = await updateReturning(
    tx,
    `UPDATE request SET ${sets.join(', ')} WHERE id = $${columns.length + 1} RETURNING ${REQUEST_COLUMNS}`,
    [...values, id],
  );
  if (!row) throw new Error(`request ${id} vanished during an update`);
  return toRequest(row);
}

/** Loads a request by its number; with lock, holds it until the transaction ends. */
export async function findRequestByNo(db: Db, no: number, lock = false): Promise<RequestRow | null> {
  const [row] = await db.query<Record<string, unknown>[]>(
    `SELECT ${REQUEST_COLUMNS} FROM request WHERE no = $1${lock ? ' FOR UPDATE' : ''}`,
    [no],
  );
  return row ? toRequest(row) : null;
}

/** The event a detail the reporter or handler adds is kept as: the pages and 查询 name it 补充. */
export const SUPPLEMENT_EVENT = 'supplement';

export interface NewEvent {
  readonly type: string;
  readonly actorId: string | null;
  readonly at: Date;
  readonly note?: string | null;
  readonly data?: Record<string, unknown>;
  /** The one-time key of the street office form that wrote it (unique): see findEventByFormKey. */
  readonly formKey?: string;
}

export async function addEvent(tx: EntityManager, requestId: string, event: NewEvent): Promise<void> {
  await tx.query(
    `INSERT INTO request_event (request_id, type, actor_id, at, note, data, form_key)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)`,
    [
      requestId,
      event.type,
      event.actorId,
      event.at,
      event.note ?? null,
      JSON.stringify(event.data ?? {}),
      event.formKey ?? null,
    ],
  );
}

/** The event a street office form wrote, if it was sent before (whatever request it was about). */
export async function findEventByFormKey(db: Db, formKey: string): Promise<EventRow | null> {
  const [row] = await db.query<Record<string, unknown>[]>(
    `SELECT ${EVENT_COLUMNS} FROM request_event WHERE form_key = $1`,
    [formKey],
  );
  return row ? toEvent(row) : null;
}

/** Several requests' events, inserted in the given order. */
export function eventsInsert(events: readonly (NewEvent & { readonly requestId: string })[]): JsonInsert {
  return {
    sql: `INSERT INTO request_event (request_id, type, actor_id, at, note, data)
          SELECT request_id, type, actor_id, at, note, data
          FROM jsonb_populate_recordset(NULL::request_event, $1::jsonb) WITH ORDINALITY AS x
          ORDER BY x.ordinality`,
    rows: events.map((e) => ({
      request_id: e.requestId,
      type: e.type,
      actor_id: e.actorId,
      at: e.at,
      note: e.note ?? null,
      data: e.data ?? {},
    })),
  };
}

export async function listEvents(db: Db, requestIds: readonly string[]): Promise<EventRow[]> {
  if (requestIds.length === 0) return [];
  const rows = await db.query<Record<string, unknown>[]>(
    `SELECT ${EVENT_COLUMNS} FROM request_event WHERE request_id = ANY($1::bigint[]) ORDER BY request_id, id`,
    [requestIds],
  );
  return rows.map(toEvent);
}
