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

/** The group a request notice is for: its reporter's chat or its building's, as the ledger knows them. */
function requestGroupPlace(
  ledger: Ledger,
  audience: { readonly chatId: string | null; readonly buildingId: string | null },
): BuildingPlace | undefined {
  return (
    (audience.chatId ? ledger.placeOfChat(audience.chatId) : undefined) ??
    (audience.buildingId ? ledger.placeOfBuilding(audience.buildingId) : undefined)
  );
}

/**
 * Turns request notices into plain messages. Typed in the request's group, a notice is a reply
 * there, as before. Typed anywhere else (a private chat, another building's group, the leadership
 * group), it goes to the request's group, or privately to the people it @-mentions when that group
 * has no push key, and the sender gets a short confirmation without anyone @-ed: @-ing people in a
 * chat they are not in reaches no one. With nowhere to send it, the sender gets the whole notice
 * to pass on.
 */
function addressRequestNotices(
  messages: readonly OutgoingMessage[],
  origin: Origin,
  ledger: Ledger,
  privateNotices: boolean,
): OutgoingMessage[] {
  const here = { to: 'here' } as const;
  return messages.flatMap((m): OutgoingMessage[] => {
    const a = m.audience;
    if (a.to !== 'request_group') return [m];
    const target = requestGroupPlace(ledger, a);
    if (!target || target.building.id === origin.place?.building.id) return [{ ...m, audience: here }];
    const firstLine = m.content.split('\n')[0] ?? '';
    const groupName = `${target.building.name}群`;
    if (target.building.webhook_key) {
      return [
        { ...m, audience: here, content: `${firstLine}\n已发到${groupName}`, mentions: [] },
        { ...m, audience: { to: 'building', buildingId: target.building.id } },
      ];
    }
    if (privateNotices) {
      return [
        { ...m, audience: here, content: `${firstLine}\n已私信告知`, mentions: [] },
        { ...m, audience: { to: 'people', userIds: m.mentions }, mentions: [] },
      ];
    }
    return [
      { ...m, audience: here, content: `${m.content}\n没能发到${groupName}，请代为转告`, mentions: [] },
    ];
  });
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

  for (const m of addressRequestNotices(messages, origin, ledger, privateNotices)) {
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
            : a.to === 'people'
              ? privately(a.userIds)
              : null; // request_group: addressed above
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
