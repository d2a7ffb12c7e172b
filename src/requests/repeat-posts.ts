import type { EntityManager } from 'typeorm';
import { REQUEST_COLUMNS, toRequest, type RequestRow } from './request-store';

/**
 * Residents send a post again when the first seems not to have gone through (a slow receipt, a
 * phone that showed an error). WeCom gives the second a new msgid, so the inbound dedupe cannot
 * tell; the desk answers it with the first one's number instead of filing it twice.
 */

/** How long after a post the same words from the same reporter are taken for it sent again. */
export const REPEAT_WINDOW_MS = 30 * 60_000;

/**
 * A post's words as compared for repeats: full- and half-width alike (NFKC) and case aside, with
 * no spaces, punctuation, symbols or format characters, so `1单元 门口地砖松了！` and
 * `１单元门口地砖松了` are the same words. One pass over the text, whatever its length.
 */
export function wordsOf(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\s\p{P}\p{S}\p{Cf}]/gu, '')
    .toLowerCase();
}

/** The post being filed, as repeats are told by. */
export interface NewPost {
  readonly buildingId: string;
  readonly text: string;
  readonly hasPhotos: boolean;
}

/**
 * The request a new post repeats, among its reporter's active requests of the last 30 minutes
 * (activeRequestsBy): the newest about the same building in the same words. A post that brings
 * photos when the earlier one had none is filed on its own, or its photos would be lost.
 */
export function repeatOf(post: NewPost, earlier: readonly RequestRow[], now: Date): RequestRow | undefined {
  const since = now.getTime() - REPEAT_WINDOW_MS;
  const words = wordsOf(post.text);
  return earlier
    .filter(
      (r) =>
        r.createdAt.getTime() >= since &&
        (r.status === 'open' || r.status === 'acknowledged') &&
        r.buildingId === post.buildingId &&
        (!post.hasPhotos || r.imageUrls.length > 0) &&
        wordsOf(r.text) === words,
    )
    .reduce<RequestRow | undefined>((newest, r) => (newest && newest.no > r.no ? newest : r), undefined);
}

/** The start of the window repeats are looked for in. */
export function repeatWindowStart(now: Date): Date {
  return new Date(now.getTime() - REPEAT_WINDOW_MS);
}

/**
 * These reporters' requests created since `since` and still open or being handled, by reporter,
 * each reporter's newest 20 (through ix_request_reporter): one flooding the desk cannot make the
 * read large, and a repeat is of a post just made.
 */
export async function activeRequestsBy(
  tx: EntityManager,
  reporterIds: readonly string[],
  since: Date,
): Promise<Map<string, RequestRow[]>> {
  const rows = await tx.query<Record<string, unknown>[]>(
    `SELECT ${REQUEST_COLUMNS} FROM unnest($1::text[]) AS who (reporter)
       CROSS JOIN LATERAL (
         SELECT ${REQUEST_COLUMNS} FROM request
          WHERE reporter_id = who.reporter AND created_at >= $2 AND status IN ('open', 'acknowledged')
          ORDER BY created_at DESC LIMIT 20
       ) AS r`,
    [reporterIds, since],
  );
  const byReporter = new Map<string, RequestRow[]>(reporterIds.map((id) => [id, []]));
  for (const row of rows.map(toRequest)) byReporter.get(row.reporterId)?.push(row);
  return byReporter;
}
