import type { DataSource } from 'typeorm';

/** Where the photo tests' photos ended up, read straight from the tables. */

/** The photos request `no` has besides its post's own: as rows, and as its count of them. */
export async function laterPhotos(
  dataSource: DataSource,
  no: number,
): Promise<{ rows: number; count: number }> {
  const [row] = await dataSource.query<{ rows: number; count: number }[]>(
    `SELECT (SELECT count(*)::int FROM inbound_photo p WHERE p.request_id = r.id) AS rows,
            r.later_photos AS count
     FROM request r WHERE r.no = $1`,
    [no],
  );
  return row ?? { rows: -1, count: -1 };
}

/** Photos kept with no request: neither a post's own nor attached after one. */
export async function unattachedPhotos(dataSource: DataSource): Promise<number> {
  const [row] = await dataSource.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM inbound_photo p
     WHERE p.request_id IS NULL AND NOT EXISTS (SELECT 1 FROM request r WHERE r.inbound_id = p.inbound_id)`,
  );
  return row?.n ?? -1;
}
