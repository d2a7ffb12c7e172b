import type { EntityManager } from 'typeorm';
import { InboundMessageRecord } from '../db/entities';
import type { InboundMessage } from '../wecom';

/**
 * Inserts the message unless its (channel, dedupe key) is already stored. Returns the stored
 * row, or null for a repeat. Concurrent copies race on the unique index, so exactly one wins.
 */
export async function insertInboundOnce(
  tx: EntityManager,
  m: InboundMessage,
): Promise<InboundMessageRecord | null> {
  const result = await tx
    .createQueryBuilder()
    .insert()
    .into(InboundMessageRecord)
    .values({
      channel: m.channel,
      dedupeKey: m.dedupeKey,
      msgId: m.msgId,
      msgType: m.msgType,
      chatId: m.chatId,
      chatType: m.chatType,
      senderId: m.senderId,
      text: m.text,
      quotedText: m.quotedText,
      imageUrls: [...m.imageUrls],
      event: m.event,
      sentAt: m.sentAt,
      replyUrl: m.replyUrl,
      raw: m.raw,
    })
    .orIgnore()
    .returning(['id', 'receivedAt'])
    .execute();
  const row = result.raw as { id: string; received_at: Date }[];
  const first = row[0];
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
    reply_url: m.replyUrl,
    raw: m.raw,
    status: 'processed',
    processed_at: processedAt,
  }));
  const columns = Object.keys(records[0] ?? {}).join(', ');
  if (columns === '') return [];
  const rows = await tx.query<{ id: string; received_at: Date; channel: string; dedupe_key: string }[]>(
    `INSERT INTO inbound_message (${columns})
     SELECT ${columns} FROM jsonb_populate_recordset(NULL::inbound_message, $1::jsonb) WITH ORDINALITY AS x
     ORDER BY x.ordinality
     ON CONFLICT (channel, dedupe_key) DO NOTHING
     RETURNING id, received_at, channel, dedupe_key`,
    [JSON.stringify(records)],
  );
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
