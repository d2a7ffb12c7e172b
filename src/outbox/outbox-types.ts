import type { OutgoingBody } from '../wecom/client';

/** Where a message goes. */
export type OutboxDestination =
  | { readonly type: 'group_webhook'; readonly webhookKey: string }
  /**
   * The one-use reply handle of a robot message (valid 1 hour). When it cannot be used (refused,
   * or too old by the time the row is sent) the message goes to the fallback group webhook.
   */
  | { readonly type: 'response_url'; readonly url: string; readonly fallbackWebhookKey?: string }
  /** A private notice; one to several people is stored as a row for each. */
  | { readonly type: 'app_message'; readonly userIds: readonly string[] };

export type OutboxBody = OutgoingBody;

/** Why the message exists; for operators and metrics, never interpreted by the worker. */
export type OutboxPurpose = 'receipt' | 'reply' | 'notice' | 'reminder' | 'digest' | (string & {});

export type OutboxStatus = 'pending' | 'sent' | 'failed' | 'dead';
export const OUTBOX_STATUSES: readonly OutboxStatus[] = ['pending', 'sent', 'failed', 'dead'];

export interface OutboxItem {
  readonly purpose: OutboxPurpose;
  readonly destination: OutboxDestination;
  readonly body: OutboxBody;
  /** The request this message is about (bigint, as a string). */
  readonly requestId?: string | number | null;
  /**
   * Makes the enqueue idempotent: a second item with the same key is not stored. A private
   * notice's rows are keyed `${dedupeKey}:${userid}`, a key for each person.
   */
  readonly dedupeKey?: string | null;
  /** Not to be sent before this instant (a scheduled reminder); default: at once. */
  readonly notBefore?: Date;
}

/** A row as the worker handles it. */
export interface OutboxRow {
  readonly id: string;
  readonly purpose: string;
  readonly destination: OutboxDestination;
  readonly rate_key: string | null;
  readonly body: OutboxBody;
  /** Tries of the current part, this claim included. */
  readonly attempts: number;
  /** Parts of a split message already delivered. */
  readonly parts_sent: number;
  readonly created_at: Date;
}
