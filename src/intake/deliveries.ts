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

type RequestGroupAudience = Extract<OutgoingMessage['audience'], { to: 'request_group' }>;

/** Part of a notice: the group it goes to, as the ledger knows it, and whom it @-mentions there. */
interface NoticePart {
  readonly place: BuildingPlace | undefined;
  readonly mentions: readonly string[];
}

/**
 * The groups a request notice is for: its reporter's chat or its building's. A post that named
 * another building was made in one group and handled in another: a notice @-ing both the reporter
 * and a head there goes to each group with its own people @-ed, since an @ reaches only members.
 */
function noticeParts(ledger: Ledger, a: RequestGroupAudience, mentions: readonly string[]): NoticePart[] {
  const reporterPlace = a.chatId ? ledger.placeOfChat(a.chatId) : undefined;
  const buildingPlace = a.buildingId ? ledger.placeOfBuilding(a.buildingId) : undefined;
  const others = mentions.filter((id) => id !== a.reporterId);
  if (
    reporterPlace &&
    buildingPlace &&
    reporterPlace.building.id !== buildingPlace.building.id &&
    others.length > 0 &&
    others.length < mentions.length
  ) {
    return [
      { place: reporterPlace, mentions: [a.reporterId] },
      { place: buildingPlace, mentions: others },
    ];
  }
  return [{ place: reporterPlace ?? buildingPlace, mentions }];
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
  return messages.flatMap((m): OutgoingMessage[] =>
    m.audience.to === 'request_group' ? addressNotice(m, m.audience, origin, ledger, privateNotices) : [m],
  );
}

function addressNotice(
  m: OutgoingMessage,
  a: RequestGroupAudience,
  origin: Origin,
  ledger: Ledger,
  privateNotices: boolean,
): OutgoingMessage[] {
  const here = { to: 'here' } as const;
  const parts = noticeParts(ledger, a, m.mentions);
  const isHere = (p: NoticePart) => !p.place || p.place.building.id === origin.place?.building.id;
  const atHere = parts.find(isHere);
  const forwarded: OutgoingMessage[] = [];
  const notes = new Set<string>();
  let passOn = false;
  for (const { place, mentions } of parts) {
    if (!place || isHere({ place, mentions })) continue;
    const groupName = `${place.building.name}群`;
    if (place.building.webhook_key) {
      forwarded.push({ ...m, audience: { to: 'building', buildingId: place.building.id }, mentions });
      notes.add(`已发到${groupName}`);
    } else if (privateNotices) {
      forwarded.push({ ...m, audience: { to: 'people', userIds: mentions }, mentions: [] });
      notes.add('已私信告知');
    } else {
      notes.add(`没能发到${groupName}，请代为转告`);
      passOn = true;
    }
  }
  if (notes.size === 0) return [{ ...m, audience: here, mentions: atHere?.mentions ?? m.mentions }];
  const note = [...notes].join('；');
  const reply: OutgoingMessage = atHere
    ? { ...m, audience: here, content: `${m.content}\n${note}`, mentions: atHere.mentions }
    : {
        ...m,
        audience: here,
        content: `${passOn ? m.content : (m.senderNote ?? m.content.split('\n')[0] ?? '')}\n${note}`,
        mentions: [],
      };
  return [reply, ...forwarded];
}

/**
 * A reply sent through the group's push key is a new message in the group, not an answer to the
 * one it is about (the response_url's reply is, and WeCom quotes the message there): when it @s no
 * one, it @s the sender, or no one in a busy group can tell whom a refusal or an answer is for.
 */
function toSender(m: OutgoingMessage, senderId: string): OutgoingMessage {
  return m.format === 'text' && m.mentions.length === 0 ? { ...m, mentions: [senderId] } : m;
}

/**
 * Decides where each message goes: the building group through its push key when it has one (a
 * reply there @-ing its sender when it @s no one), else the reply handle of the message answered; private notices through the self-built app when
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
      const inGroup = a.to === 'here' && destination.type === 'group_webhook';
      deliveries.push({
        purpose: m.purpose,
        destination,
        body: bodyOf(inGroup ? toSender(m, origin.senderId) : m),
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
