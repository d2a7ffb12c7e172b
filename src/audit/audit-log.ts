import type { DataSource, EntityManager } from 'typeorm';

type Db = EntityManager | DataSource;

/** What an entry records. */
export const AUDIT_ACTIONS = ['sign_in', 'sign_in_failed', 'export_csv', 'urge', 'reassign', 'note'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * One thing done on the street office's pages. Who: `actorId` is a ledger userid, or one of the
 * pages' own actors (`street:office` for a name typed at sign-in or a session from before names,
 * `api:token` for the bearer token); `actorName` is the name shown then. Callers never put a
 * secret (the token) or a phone number in any field: the typed names are checked for both at
 * sign-in, and `detail` holds codes, counts and masked filters only.
 */
export interface AuditEntry {
  readonly at: Date;
  readonly action: AuditAction;
  readonly actorId: string | null;
  readonly actorName: string | null;
  /** The client's address (src/http/client-address.ts), where there is a client. */
  readonly address?: string | null;
  readonly requestNo?: number | null;
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** An entry as read back; `action` is a string, as an instance newer than this one may write others. */
export interface AuditRow extends Omit<Required<AuditEntry>, 'action'> {
  readonly id: string;
  readonly action: AuditAction | (string & {});
}

/**
 * Appends an entry. Pass the transaction of the change it records, so that the two are kept or
 * lost together: an action never happens unrecorded, and no record tells of one that rolled back.
 */
export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_entry (at, action, actor_id, actor_name, address, request_no, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
    [
      entry.at,
      entry.action,
      entry.actorId,
      entry.actorName,
      entry.address ?? null,
      entry.requestNo ?? null,
      JSON.stringify(entry.detail ?? {}),
    ],
  );
}

interface RawRow {
  id: string;
  at: Date | string;
  action: string;
  actor_id: string | null;
  actor_name: string | null;
  address: string | null;
  request_no: number | null;
  detail: Record<string, unknown> | string;
}

/** The newest entries first (a page of them), and how many there are in all. */
export async function latestAudit(
  db: Db,
  page: { readonly limit: number; readonly offset: number },
): Promise<{ readonly rows: AuditRow[]; readonly total: number }> {
  const [rows, counted] = await Promise.all([
    db.query<RawRow[]>(
      `SELECT id, at, action, actor_id, actor_name, address, request_no, detail
         FROM audit_entry ORDER BY at DESC, id DESC LIMIT $1 OFFSET $2`,
      [page.limit, page.offset],
    ),
    db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM audit_entry`),
  ]);
  return {
    total: counted[0]?.n ?? 0,
    rows: rows.map((r) => ({
      id: r.id,
      at: new Date(r.at),
      action: r.action,
      actorId: r.actor_id,
      actorName: r.actor_name,
      address: r.address,
      requestNo: r.request_no,
      detail: typeof r.detail === 'string' ? (JSON.parse(r.detail) as Record<string, unknown>) : r.detail,
    })),
  };
}
