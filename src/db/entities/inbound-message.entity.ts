import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type InboundStatus = 'received' | 'processed' | 'failed';

/** Every verified callback, stored once (unique per channel and dedupe key) before it is answered. */
@Entity('inbound_message')
@Index('uq_inbound_message_dedupe', ['channel', 'dedupeKey'], { unique: true })
export class InboundMessageRecord {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ type: 'varchar', length: 8 })
  channel!: string;

  @Column({ name: 'dedupe_key', type: 'text' })
  dedupeKey!: string;

  @Column({ name: 'msg_id', type: 'text', nullable: true })
  msgId!: string | null;

  @Column({ name: 'msg_type', type: 'text' })
  msgType!: string;

  @Column({ name: 'chat_id', type: 'text', nullable: true })
  chatId!: string | null;

  @Column({ name: 'chat_type', type: 'text', nullable: true })
  chatType!: string | null;

  @Column({ name: 'sender_id', type: 'text' })
  senderId!: string;

  @Column({ type: 'text', nullable: true })
  text!: string | null;

  @Column({ name: 'quoted_text', type: 'text', nullable: true })
  quotedText!: string | null;

  @Column({ name: 'image_urls', type: 'jsonb', default: () => "'[]'::jsonb" })
  imageUrls!: string[];

  @Column({ type: 'text', nullable: true })
  event!: string | null;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ name: 'reply_url', type: 'text', nullable: true })
  replyUrl!: string | null;

  /** The decrypted payload exactly as WeCom sent it. */
  @Column({ type: 'text' })
  raw!: string;

  @Column({ type: 'varchar', length: 16, default: 'received' })
  status!: InboundStatus;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt!: Date | null;

  @Column({ name: 'process_error', type: 'text', nullable: true })
  processError!: string | null;
}
