import type { EntityManager } from 'typeorm';
import { InboundMessageRecord } from '../db/entities';
import type { InboundMessage } from '../wecom';

interface StoredRow {
  id: string;
  received_at: Date;
  channel: string;
  dedupe_key: string;
}

/**
 * One statement: the messages, each unless its (channel, dedupe key) is already stored (or came
 * earlier in the list), and a pending inbound_photo row for each image link of a robot message
 * inserted now. The photo rows come from the rows the first INSERT returned, so a repeat delivery
 * (not inserted) adds no photo and the hot path pays no extra round trip. Only the robot's links
 * are kept: they are encrypted and die after 5 minutes (see src/photos).
 */
async function insertMessages(
  tx: EntityManager,
  messages: readonly InboundMessage[],
  extra: { receivedAt: Date; status?: string; processedAt?: Date },
): Promise<StoredRow[]> {
  const records = messages.map((m) => ({
    channel: m.channel,
    dedupe_key: m.dedupeKey,
    msg_id: m.msgId,
    msg_type: m.msgType,
    chat_id: m.chatId,
    chat_type: m.chatType,
    sender_id: m.senderId,
    text: m.text,
    quoted_text: m.quotedText,
    image_urls: m.imageUrls,
    event: m.event,
    sent_at: m.sentAt,
    // From the injected clock: the photo keeper measures the links' 5 minutes from it.
    received_at: extra.receivedAt,
    reply_url: m.replyUrl,
    raw: m.raw,
    ...(extra.status === undefined ? {} : { status: extra.status }),
    ...(extra.processedAt === undefined ? {} : { processed_at: extra.processedAt }),
  }));
  const columns = Object.keys(records[0] ?? {}).join(', ');
  if (columns === '') return [];
  return tx.query<StoredRow[]>(
    `WITH stored AS (
       INSERT INTO inbound_message (${columns})
       SELECT ${columns} FROM jsonb_populate_recordset(NULL::inbound_message, $1::jsonb) WITH ORDINALITY AS x
       ORDER BY x.ordinality
       ON CONFLICT (channel, dedupe_key) DO NOTHING
       RETURNING id, received_at, channel, dedupe_key, image_urls
     ), photos AS (
       INSERT INTO inbound_photo (inbound_id, position, url, next_attempt_at)
       SELECT s.id, u.position::int, u.url, s.received_at
       FROM stored s
       CROSS JOIN LATERAL jsonb_array_elements_text(s.image_urls) WITH ORDINALITY AS u(url, position)
       WHERE s.channel = 'bot'
       ON CONFLICT (inbound_id, position) DO NOTHING
     )
     SELECT id, received_at, channel, dedupe_key FROM stored`,
    [JSON.stringify(records)],
  );
}

/**
 * Inserts the message unless its (channel, dedupe key) is already stored. Returns the stored
 * row, or null for a repeat. Concurrent copies race on the unique index, so exactly one wins.
 */
export async function insertInboundOnce(
  tx: EntityManager,
  m: InboundMessage,
  receivedAt: Date,
): Promise<InboundMessageRecord | null> {
  const [first] = await insertMessages(tx, [m], { receivedAt });
  if (!first) return null;
  return tx.getRepository(InboundMessageRecord).create({
    ...m,
    imageUrls: [...m.imageUrls],
    id: first.id,
    receivedAt: first.received_at,
    status: 'received',
    processedAt: null,
    processError: null,
  });
}

/**
 * Inserts several messages in one statement, in order, each unless its (channel, dedupe key) is
 * already stored (or came earlier in the same batch). Returns, for each message, its stored row or
 * null for a repeat. Rows are stored as processed: the batch commits only when every message in it
 * was handled.
 */
export async function insertInboundBatch(
  tx: EntityManager,
  messages: readonly InboundMessage[],
  processedAt: Date,
): Promise<(InboundMessageRecord | null)[]> {
  const rows = await insertMessages(tx, messages, {
    receivedAt: processedAt,
    status: 'processed',
    processedAt,
  });
  const byKey = new Map(rows.map((row) => [`${row.channel}\n${row.dedupe_key}`, row]));
  const repo = tx.getRepository(InboundMessageRecord);
  return messages.map((m) => {
    const key = `${m.channel}\n${m.dedupeKey}`;
    const row = byKey.get(key);
    if (!row) return null;
    byKey.delete(key); // a second copy in the same batch is a repeat
    return repo.create({
      ...m,
      imageUrls: [...m.imageUrls],
      id: row.id,
      receivedAt: row.received_at,
      status: 'processed',
      processedAt,
      processError: null,
    });
  });
}
