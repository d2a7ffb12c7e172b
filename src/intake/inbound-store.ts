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
