import type { DataSource } from 'typeorm';

export type PhotoStatus = 'pending' | 'kept' | 'failed';

/** A photo as a page lists it: no bytes, no link. */
export interface PhotoSummary {
  readonly id: string;
  readonly inboundId: string;
  readonly position: number;
  readonly status: PhotoStatus;
  /** Failed because its link died before it could be fetched (rather than not being an image). */
  readonly expired: boolean;
}

/** The photos of the given messages, in the order they were sent. */
export async function photosOfMessages(
  dataSource: DataSource,
  inboundIds: readonly string[],
): Promise<PhotoSummary[]> {
  if (inboundIds.length === 0) return [];
  const rows = await dataSource.query<
    { id: string; inbound_id: string; position: number; status: PhotoStatus; expired: boolean }[]
  >(
    `SELECT id, inbound_id, position, status, coalesce(error LIKE 'link expired%', false) AS expired
     FROM inbound_photo
     WHERE inbound_id = ANY($1::bigint[]) ORDER BY inbound_id, position`,
    [inboundIds],
  );
  return rows.map((r) => ({
    id: r.id,
    inboundId: r.inbound_id,
    position: r.position,
    status: r.status,
    expired: r.expired,
  }));
}

/** A kept photo's bytes and type; null when there is no such photo or it is not kept. */
export async function keptPhoto(
  dataSource: DataSource,
  id: string,
): Promise<{ bytes: Buffer; contentType: string } | null> {
  const [row] = await dataSource.query<{ bytes: Uint8Array; content_type: string }[]>(
    `SELECT bytes, content_type FROM inbound_photo WHERE id = $1 AND status = 'kept'`,
    [id],
  );
  if (!row) return null;
  // pg hands bytea over as a Buffer, the embedded database as a Uint8Array.
  return {
    bytes: Buffer.from(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength),
    contentType: row.content_type,
  };
}
