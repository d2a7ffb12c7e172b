import type { EntityManager } from 'typeorm';
import type { JsonInsert } from '../db/json-insert';
import type { OutboxDestination, OutboxItem } from './outbox-types';
import { APP_RATE_KEY_PREFIX } from './rate-limit';

/** What became of one row of an enqueued item. */
export interface EnqueueResult {
  readonly id: string;
  /** false when a row with the same dedupe key was already stored (nothing new was written). */
  readonly created: boolean;
}

/**
 * Writes a message to the outbox inside the caller's transaction, so it commits (and is sent)
 * together with the change that caused it, or not at all. Call the worker's wakeUp() after the
 * commit for a prompt send. The message is stored whole; the worker splits it at send time.
 *
 * Returns a result for each row written or found: one, or one per person for a private notice to
 * several people (rowsOf).
 *
 * @param now the caller's clock reading, stored as created_at (and as due time); default the
 *   database's now(). Pass clock.now() wherever a clock is at hand.
 */
export async function enqueue(tx: EntityManager, item: OutboxItem, now?: Date): Promise<EnqueueResult[]> {
  checkItem(item);
  const results: EnqueueResult[] = [];
  for (const row of rowsOf(item)) results.push(await insertRow(tx, row, now));
  return results;
}

async function insertRow(tx: EntityManager, item: OutboxItem, now?: Date): Promise<EnqueueResult> {
  const destination = item.destination;
  const dedupeKey = item.dedupeKey ?? null;
  const inserted = await tx.query<{ id: string }[]>(
    `INSERT INTO outbox (purpose, destination, rate_key, body, request_id, dedupe_key, created_at, next_attempt_at)
     VALUES ($1, $2::jsonb, $3, $4::jsonb, $5, $6, COALESCE($7::timestamptz, now()),
             COALESCE($8::timestamptz, $7::timestamptz, now()))
     ON CONFLICT (dedupe_key) DO NOTHING
     RETURNING id`,
    [
      item.purpose,
      JSON.stringify(destination),
      rateKeyOf(destination),
      JSON.stringify(item.body),
      item.requestId === undefined || item.requestId === null ? null : String(item.requestId),
      dedupeKey,
      now?.toISOString() ?? null,
      item.notBefore?.toISOString() ?? null,
    ],
  );
  const first = inserted[0];
  if (first) return { id: first.id, created: true };
  const existing = await tx.query<{ id: string }[]>(`SELECT id FROM outbox WHERE dedupe_key = $1`, [
    dedupeKey,
  ]);
  const id = existing[0]?.id;
  if (id === undefined) throw new Error('outbox insert stored nothing and found no row with its dedupe key');
  return { id, created: false };
}

/**
 * Several messages for the outbox, inserted in the given order (so a key's messages keep it), to
 * run with runInserts inside the caller's transaction; a private notice to several people as a
 * row for each (rowsOf). Rows whose dedupe key is already stored are skipped. Throws on a
 * malformed item.
 */
export function outboxInsert(items: readonly OutboxItem[], now: Date): JsonInsert {
  items.forEach(checkItem);
  return {
    sql: `INSERT INTO outbox (purpose, destination, rate_key, body, request_id, dedupe_key, created_at, next_attempt_at)
          SELECT purpose, destination, rate_key, body, request_id, dedupe_key, created_at, next_attempt_at
          FROM jsonb_populate_recordset(NULL::outbox, $1::jsonb) WITH ORDINALITY AS x
          ORDER BY x.ordinality
          ON CONFLICT (dedupe_key) DO NOTHING`,
    rows: items.flatMap(rowsOf).map((item) => ({
      purpose: item.purpose,
      destination: item.destination,
      rate_key: rateKeyOf(item.destination),
      body: item.body,
      request_id: item.requestId === undefined || item.requestId === null ? null : String(item.requestId),
      dedupe_key: item.dedupeKey ?? null,
      created_at: now,
      next_attempt_at: item.notBefore ?? now,
    })),
  };
}

/**
 * The rows an item is stored as. A private notice to several people (the street admins) is a row
 * for each of them: WeCom drops without an error the app messages past 30 a minute to one member
 * (PROTOCOL.md 5.4), so each person needs their own rate key, and a row for each is also retried,
 * and fails, on its own. Each row's dedupe key names its person (any private notice's, so that it
 * stays the same whoever else the notice is for): a retried enqueue finds everyone's row, and
 * only someone added to the list in between gets a new one. Anything else is one row as it is.
 */
function rowsOf(item: OutboxItem): OutboxItem[] {
  if (item.destination.type !== 'app_message') return [item];
  const dedupeKey = item.dedupeKey;
  return [...new Set(item.destination.userIds)].map((userId) => ({
    ...item,
    destination: { type: 'app_message', userIds: [userId] },
    ...(dedupeKey ? { dedupeKey: `${dedupeKey}:${userId}` } : {}),
  }));
}

/**
 * What a row is rate-limited and kept in order by: a group robot's webhook key (WeCom takes 20 a
 * minute per key), or `app:` and the userid for a private notice, which is to one person (rowsOf):
 * a key's 20 a minute stay under WeCom's 30 a minute per member, and the prefix gives the key
 * WeCom's 1,000 an hour per member too (rate-limit.ts). A response_url has no key.
 */
function rateKeyOf(destination: OutboxDestination): string | null {
  if (destination.type === 'group_webhook') return destination.webhookKey;
  if (destination.type === 'app_message' && destination.userIds.length === 1) {
    return `${APP_RATE_KEY_PREFIX}${destination.userIds[0]}`;
  }
  return null;
}

/** A malformed item is a bug in the caller: fail its transaction rather than store an unsendable row. */
function checkItem(item: OutboxItem): void {
  const problems: string[] = [];
  if (item.purpose === '') problems.push('purpose is empty');
  if (typeof item.body.content !== 'string' || item.body.content.trim() === '')
    problems.push('content is empty');
  if (item.body.kind === 'text' && item.body.mentions?.some((m) => typeof m !== 'string' || m === '')) {
    problems.push('a mention is empty');
  }
  problems.push(...destinationProblems(item.destination));
  if (item.dedupeKey === '') problems.push('dedupeKey is empty (use null for none)');
  if (problems.length > 0)
    throw new TypeError(`invalid outbox item (${item.purpose}): ${problems.join('; ')}`);
}

function destinationProblems(d: OutboxDestination): string[] {
  switch (d.type) {
    case 'group_webhook':
      return d.webhookKey === '' ? ['webhookKey is empty'] : [];
    case 'response_url':
      return [
        ...(/^https?:\/\/\S+$/.test(d.url) ? [] : ['url is not an http(s) URL']),
        ...(d.fallbackWebhookKey === '' ? ['fallbackWebhookKey is empty (leave it out for none)'] : []),
      ];
    case 'app_message':
      if (d.userIds.length === 0) return ['userIds is empty'];
      if (d.userIds.length > 1000) return ['more than 1000 userIds'];
      return d.userIds.some((id) => id === '' || id.includes('|'))
        ? ['a userid is empty or contains "|"']
        : [];
  }
}
