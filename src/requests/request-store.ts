import type { DataSource, EntityManager } from 'typeorm';

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

function camelKeys(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) out[camel(key)] = value;
  return out;
}

/** Columns are integers, booleans, text, jsonb and timestamps: the drivers already give the right JS types. */
function toRequest(row: Record<string, unknown>): RequestRow {
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
>;

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
    `INSERT INTO request (${columns.join(', ')}) VALUES (${placeholders.join(', ')}) RETURNING *`,
    values,
  );
  if (!row) throw new Error('insert returned no row');
  return toRequest(row);
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
    `UPDATE request SET ${sets.join(', ')} WHERE id = $${columns.length + 1} RETURNING *`,
    [...values, id],
  );
  if (!row) throw new Error(`request ${id} vanished during an update`);
  return toRequest(row);
}

/** Loads a request by its number; with lock, holds it until the transaction ends. */
export async function findRequestByNo(db: Db, no: number, lock = false): Promise<RequestRow | null> {
  const [row] = await db.query<Record<string, unknown>[]>(
    `SELECT * FROM request WHERE no = $1${lock ? ' FOR UPDATE' : ''}`,
    [no],
  );
  return row ? toRequest(row) : null;
}

export async function addEvent(
  tx: EntityManager,
  requestId: string,
  event: {
    type: string;
    actorId: string | null;
    at: Date;
    note?: string | null;
    data?: Record<string, unknown>;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO request_event (request_id, type, actor_id, at, note, data) VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
    [requestId, event.type, event.actorId, event.at, event.note ?? null, JSON.stringify(event.data ?? {})],
  );
}

export async function listEvents(db: Db, requestIds: readonly string[]): Promise<EventRow[]> {
  if (requestIds.length === 0) return [];
  const rows = await db.query<Record<string, unknown>[]>(
    `SELECT * FROM request_event WHERE request_id = ANY($1::bigint[]) ORDER BY request_id, id`,
    [requestIds],
  );
  return rows.map(toEvent);
}

export interface RequestFilter {
  readonly status?: RequestStatus | 'active';
  readonly buildingId?: string;
  readonly compoundId?: string;
  readonly category?: string;
  readonly assigneeId?: string;
  readonly reporterId?: string;
  readonly limit?: number;
  readonly offset?: number;
}

export async function listRequests(db: Db, filter: RequestFilter = {}): Promise<RequestRow[]> {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    values.push(value);
    where.push(sql.replace('?', `$${values.length}`));
  };
  if (filter.status === 'active') where.push(`status IN ('open', 'acknowledged')`);
  else if (filter.status) add('status = ?', filter.status);
  if (filter.buildingId) add('building_id = ?', filter.buildingId);
  if (filter.compoundId) add('compound_id = ?', filter.compoundId);
  if (filter.category) add('category = ?', filter.category);
  if (filter.assigneeId) add('assignee_id = ?', filter.assigneeId);
  if (filter.reporterId) add('reporter_id = ?', filter.reporterId);
  values.push(Math.min(filter.limit ?? 50, 500), filter.offset ?? 0);
  const rows = await db.query<Record<string, unknown>[]>(
    `SELECT * FROM request ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY no DESC LIMIT $${values.length - 1} OFFSET $${values.length}`,
    values,
  );
  return rows.map(toRequest);
}
