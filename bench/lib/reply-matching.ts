import type { SimulatedMessage } from '../../src/wecom/simulator';
import type { PlannedMessage } from './callbacks';

/**
 * The end-to-end check's matching of replies to callbacks. A group's messages leave in order, so
 * the j-th reply a group's key received answers the j-th callback answered 200 in that group; a
 * post's receipt must also carry the post's marker. Commands and chatter carry nothing of their
 * callback into the reply: for them only the count and the order can be checked.
 */
export interface ReplyMatch {
  /** Per matched callback, its index and its reply. */
  readonly matched: readonly { readonly index: number; readonly reply: SimulatedMessage }[];
  /** Callbacks answered 200 with no reply in their group. */
  readonly unmatched: number;
  /** Group messages beyond the matched replies. */
  readonly extra: number;
  /** Posts whose reply in their place does not carry their marker. */
  readonly wrongReceipt: number;
}

/** The simulator's messages per webhook key, in the order it accepted them. */
export function byKey(messages: readonly SimulatedMessage[]): Map<string, SimulatedMessage[]> {
  const out = new Map<string, SimulatedMessage[]>();
  for (const m of messages) {
    if (m.destination.type !== 'group_webhook') continue;
    const list = out.get(m.destination.webhookKey) ?? [];
    list.push(m);
    out.set(m.destination.webhookKey, list);
  }
  return out;
}

export function matchReplies(
  planned: readonly PlannedMessage[],
  answeredIndexes: readonly number[],
  messages: readonly SimulatedMessage[],
  keyOf: (buildingIndex: number) => string,
): ReplyMatch {
  const replies = byKey(messages);
  const matched: { index: number; reply: SimulatedMessage }[] = [];
  let unmatched = 0;
  let wrongReceipt = 0;
  const perBuilding = new Map<number, number[]>();
  for (const index of [...answeredIndexes].sort((a, b) => a - b)) {
    const m = planned[index];
    if (!m) continue;
    const list = perBuilding.get(m.buildingIndex) ?? [];
    list.push(index);
    perBuilding.set(m.buildingIndex, list);
  }
  for (const [building, indexes] of perBuilding) {
    const got = replies.get(keyOf(building)) ?? [];
    indexes.forEach((index, j) => {
      const reply = got[j];
      const m = planned[index];
      if (!reply || !m) {
        unmatched++;
        return;
      }
      if (m.kind === 'post' && !reply.body.content.includes(m.text.slice(m.text.lastIndexOf(' ') + 1)))
        wrongReceipt++;
      matched.push({ index, reply });
    });
  }
  // Counted over every group, not only those sent callbacks: a reply also sent to another group
  // is a duplicate too (the smoke run reaches half the street's groups).
  const groupMessages = [...replies.values()].reduce((n, list) => n + list.length, 0);
  return { matched, unmatched, extra: groupMessages - matched.length, wrongReceipt };
}
