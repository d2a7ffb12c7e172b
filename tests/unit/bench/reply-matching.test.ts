import type { PlannedMessage } from '../../../bench/lib/callbacks';
import { matchReplies } from '../../../bench/lib/reply-matching';
import type { SimulatedMessage } from '../../../src/wecom/simulator';

/** The end-to-end benchmark's check that every callback got exactly one reply in its group. */
const keyOf = (building: number) => `key${building}`;

function planned(kind: PlannedMessage['kind'], buildingIndex: number, seq: number): PlannedMessage {
  const text = kind === 'post' ? `#报修 1单元楼道灯不亮 mrun${seq}` : kind === 'command' ? '帮助' : '收到';
  return { seq, kind, buildingIndex, chatId: `c${buildingIndex}`, senderId: 'u', text, msgid: `m${seq}` };
}

function reply(building: number, content: string, at = 1000): SimulatedMessage {
  return {
    at: new Date(at),
    destination: { type: 'group_webhook', webhookKey: keyOf(building) },
    body: { msgtype: 'text', content },
  } as unknown as SimulatedMessage;
}

const plan = [planned('post', 0, 0), planned('command', 1, 1), planned('chatter', 0, 2)];
const answered = [0, 1, 2];
const exact = [reply(0, '已收到 #1 mrun0'), reply(1, '帮助…'), reply(0, '怎么报事…')];

describe('end-to-end reply matching', () => {
  it('matches each callback to the reply in its place in its group', () => {
    const result = matchReplies(plan, answered, exact, keyOf);
    expect(result).toMatchObject({ unmatched: 0, extra: 0, wrongReceipt: 0 });
    expect(result.matched.map((m) => m.index)).toEqual([0, 2, 1]);
  });

  it('counts a missing reply and a surplus one in the group', () => {
    expect(matchReplies(plan, answered, exact.slice(0, 2), keyOf).unmatched).toBe(1);
    expect(matchReplies(plan, answered, [...exact, reply(1, '帮助…')], keyOf).extra).toBe(1);
  });

  it('counts a reply sent to a group that was sent no callback', () => {
    expect(matchReplies(plan, answered, [...exact, reply(7, '已收到 #1 mrun0')], keyOf).extra).toBe(1);
  });

  it("finds a post's receipt out of its place", () => {
    const swapped = [reply(0, '怎么报事…'), reply(1, '帮助…'), reply(0, '已收到 #1 mrun0')];
    expect(matchReplies(plan, answered, swapped, keyOf).wrongReceipt).toBe(1);
  });
});
