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

interface PhotoRow {
  request_id: string;
  id: string;
  inbound_id: string;
  position: number;
  status: PhotoStatus;
  expired: boolean;
}

/**
 * The photos of the given requests, by request id, in the order they were sent: those that came
 * with the post (found through request.inbound_id), then those sent after it and attached
 * (inbound_photo.request_id; see src/requests/later-photos.ts).
 */
export async function photosOfRequests(
  dataSource: DataSource,
  requestIds: readonly string[],
): Promise<Map<string, PhotoSummary[]>> {
  const byRequest = new Map<string, PhotoSummary[]>();
  if (requestIds.length === 0) return byRequest;
  const columns = `p.id, p.inbound_id, p.position, p.status,
    coalesce(p.error LIKE 'link expired%', false) AS expired`;
  const rows = await dataSource.query<PhotoRow[]>(
    `SELECT r.id AS request_id, ${columns}
     FROM request r JOIN inbound_photo p ON p.inbound_id = r.inbound_id
     WHERE r.id = ANY($1::bigint[])
     UNION ALL
     SELECT p.request_id, ${columns}
     FROM inbound_photo p WHERE p.request_id = ANY($1::bigint[])
     ORDER BY request_id, inbound_id, position`,
    [requestIds],
  );
  for (const r of rows) {
    const list = byRequest.get(r.request_id) ?? [];
    list.push({
      id: r.id,
      inboundId: r.inbound_id,
      position: r.position,
      status: r.status,
      expired: r.expired,
    });
    byRequest.set(r.request_id, list);
  }
  return byRequest;
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
