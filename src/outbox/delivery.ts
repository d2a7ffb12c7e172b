import {
  MESSAGE_LIMITS,
  markdownContentOf,
  splitMessage,
  truncateMessage,
  type OutgoingBody,
  type SendFailure,
  type SendOutcome,
} from '../wecom/client';
import type { OutboxBody, OutboxDestination, OutboxRow } from './outbox-types';

/** What the worker needs of the WeCom client; tests may pass a wrapper that records or stalls. */
export interface OutboxSender {
  sendToWebhook(webhookKey: string, body: OutgoingBody): Promise<SendOutcome>;
  replyViaResponseUrl(url: string, body: OutgoingBody): Promise<SendOutcome>;
  sendAppMessage(userIds: readonly string[], body: OutgoingBody): Promise<SendOutcome>;
}

export type Delivery =
  | { readonly kind: 'delivered'; readonly partsSent: number; readonly done: boolean }
  | { readonly kind: 'failed'; readonly failure: SendFailure };

/**
 * The parts a body goes out as on a destination, each within that surface's byte limit. Splitting
 * happens here, at send time, rather than at enqueue: the limit depends on the surface, and a
 * response_url that falls back to a webhook changes surface (20480 → 4096 bytes) after the row was
 * written. The split is deterministic, so `parts_sent` says where a message left off.
 *
 * A response_url can be used once, so it takes a single part, cut at 20480 bytes with a mark
 * (about 6800 Chinese characters: far beyond any reply).
 */
export function partsOf(destination: OutboxDestination, body: OutboxBody): OutgoingBody[] {
  switch (destination.type) {
    case 'response_url':
      return [
        {
          kind: 'markdown',
          content: truncateMessage(markdownContentOf(body), MESSAGE_LIMITS.responseUrlMarkdown),
        },
      ];
    case 'group_webhook':
      return splitBody(body, body.kind === 'text' ? MESSAGE_LIMITS.text : MESSAGE_LIMITS.webhookMarkdown);
    case 'app_message':
      return splitBody(body, body.kind === 'text' ? MESSAGE_LIMITS.text : MESSAGE_LIMITS.appMarkdown);
  }
}

/** Mentions ride on the first part only: one ping per message, not one per part. */
function splitBody(body: OutboxBody, limit: number): OutgoingBody[] {
  return splitMessage(body.content, limit).map((content, i): OutgoingBody => {
    if (body.kind === 'markdown') return { kind: 'markdown', content };
    return i === 0 && body.mentions
      ? { kind: 'text', content, mentions: body.mentions }
      : { kind: 'text', content };
  });
}

/**
 * Sends the row's next part. Never throws: a sender that throws counts as a retryable failure, and
 * a stored row that cannot be made into a message (a body or destination this version does not
 * understand: a hand edit, another version) fails for good. Thrown, it would leave the row on its
 * lease, claimed again after each lease and never settled, and its group's later messages behind
 * it for ever.
 */
export async function deliverNextPart(sender: OutboxSender, row: OutboxRow): Promise<Delivery> {
  let parts: OutgoingBody[];
  try {
    parts = partsOf(row.destination, row.body);
    if (!Array.isArray(parts)) throw new TypeError(`unknown destination type`);
  } catch (error) {
    const reason = `the stored message cannot be sent (${nameOf(error)}): check its body and destination`;
    return { kind: 'failed', failure: { ok: false, retry: false, reason } };
  }
  const part = parts[row.parts_sent];
  if (!part) return { kind: 'delivered', partsSent: row.parts_sent, done: true };
  let outcome: SendOutcome;
  try {
    outcome = await send(sender, row.destination, part);
  } catch (error) {
    outcome = { ok: false, retry: true, reason: `the sender threw (${nameOf(error)})` };
  }
  if (!outcome.ok) return { kind: 'failed', failure: outcome };
  return { kind: 'delivered', partsSent: row.parts_sent + 1, done: row.parts_sent + 1 >= parts.length };
}

function send(sender: OutboxSender, d: OutboxDestination, part: OutgoingBody): Promise<SendOutcome> {
  switch (d.type) {
    case 'group_webhook':
      return sender.sendToWebhook(d.webhookKey, part);
    case 'response_url':
      return sender.replyViaResponseUrl(d.url, part);
    case 'app_message':
      return sender.sendAppMessage(d.userIds, part);
  }
}

/** An error's name only: its message may quote the content. */
function nameOf(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : 'unknown';
}
