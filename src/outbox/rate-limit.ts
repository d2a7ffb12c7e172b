import type { EntityManager } from 'typeorm';

export const RATE_WINDOW_MS = 60_000;

export type SlotReservation =
  { readonly reserved: true } | { readonly reserved: false; readonly freeAt: Date };

/**
 * Takes one of the key's sends for the last minute, or says when one frees up. The key's row in
 * outbox_rate is locked (by the upsert) until the caller's transaction ends, so instances sharing
 * the database reserve one at a time and together never exceed perMinute. A slot is taken before
 * the send and kept even if the send fails: WeCom may well count refused calls too.
 */
export async function reserveSlot(
  tx: EntityManager,
  rateKey: string,
  now: Date,
  perMinute: number,
): Promise<SlotReservation> {
  const rows = await tx.query<{ recent: unknown }[]>(
    `INSERT INTO outbox_rate (rate_key) VALUES ($1)
     ON CONFLICT (rate_key) DO UPDATE SET rate_key = EXCLUDED.rate_key
     RETURNING recent`,
    [rateKey],
  );
  const nowMs = now.getTime();
  const recent = timesOf(rows[0]?.recent)
    .filter((t) => t > nowMs - RATE_WINDOW_MS)
    .sort((a, b) => a - b);
  if (recent.length >= perMinute) {
    const oldestThatMustExpire = recent[recent.length - perMinute] ?? nowMs;
    return { reserved: false, freeAt: new Date(oldestThatMustExpire + RATE_WINDOW_MS) };
  }
  recent.push(nowMs);
  await tx.query(`UPDATE outbox_rate SET recent = $2::jsonb WHERE rate_key = $1`, [
    rateKey,
    JSON.stringify(recent),
  ]);
  return { reserved: true };
}

function timesOf(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((t): t is number => typeof t === 'number') : [];
}
