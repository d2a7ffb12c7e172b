import type { Ledger, BuildingPlace } from '../ledger/ledger';
import type { OutgoingMessage } from '../requests/outgoing';
import type { OutboxDestination, OutboxItem } from '../outbox/outbox-types';
import type { OutgoingBody } from '../wecom/client';

export type Delivery = OutboxItem;

export interface Origin {
  readonly place: BuildingPlace | undefined;
  /** The one-use reply handle of the triggering message. */
  readonly replyUrl: string | null;
  readonly senderId: string;
}

function bodyOf(m: Pick<OutgoingMessage, 'format' | 'content' | 'mentions'>): OutgoingBody {
  return m.format === 'markdown'
    ? { kind: 'markdown', content: m.content }
    : { kind: 'text', content: m.content, mentions: [...m.mentions] };
}

/**
 * response_url takes one markdown message, once: mentions are written inline as <@userid>, and
 * several replies to one message are joined into that one.
 */
function asReplyMarkdown(messages: readonly OutgoingMessage[]): OutgoingBody {
  const parts = messages.map((m) => {
    const mentions = m.mentions.map((id) => `<@${id}>`).join(' ');
    return mentions ? `${m.content}\n${mentions}` : m.content;
  });
  return { kind: 'markdown', content: parts.join('\n\n') };
}

/**
 * Decides where each message goes: the building group through its push key when it has one, else
 * the reply handle of the message being answered; private notices through the self-built app when
 * it is configured. Messages with nowhere to go are returned as undeliverable, for the log.
 */
export function planDeliveries(
  messages: readonly OutgoingMessage[],
  origin: Origin,
  ledger: Ledger,
  privateNotices: boolean,
): { deliveries: Delivery[]; undeliverable: OutgoingMessage[] } {
  const deliveries: Delivery[] = [];
  const undeliverable: OutgoingMessage[] = [];
  const hereViaReply: OutgoingMessage[] = [];
  const hereKey = origin.place?.building.webhook_key;
  const webhook = (key: string | undefined): OutboxDestination | null =>
    key ? { type: 'group_webhook', webhookKey: key } : null;
  const privately = (userIds: readonly string[]): OutboxDestination | null =>
    privateNotices && userIds.length > 0 ? { type: 'app_message', userIds: [...userIds] } : null;

  for (const m of messages) {
    const a = m.audience;
    if (a.to === 'here' && !hereKey && origin.replyUrl) {
      hereViaReply.push(m);
      continue;
    }
    const destination =
      a.to === 'here'
        ? (webhook(hereKey) ?? privately([origin.senderId]))
        : a.to === 'building'
          ? webhook(ledger.placeOfBuilding(a.buildingId)?.building.webhook_key)
          : a.to === 'leadership'
            ? webhook(ledger.document.leadership.webhook_key)
            : privately(a.userIds);
    if (destination) {
      deliveries.push({
        purpose: m.purpose,
        destination,
        body: bodyOf(m),
        ...(m.requestId ? { requestId: m.requestId } : {}),
      });
    } else {
      undeliverable.push(m);
    }
  }
  const first = hereViaReply[0];
  if (first && origin.replyUrl) {
    deliveries.unshift({
      purpose: first.purpose,
      destination: { type: 'response_url', url: origin.replyUrl },
      body: asReplyMarkdown(hereViaReply),
      ...(first.requestId ? { requestId: first.requestId } : {}),
    });
  }
  return { deliveries, undeliverable };
}
