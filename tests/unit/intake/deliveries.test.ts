import { planDeliveries } from '../../../src/intake/deliveries';
import { Ledger } from '../../../src/ledger/ledger';
import { readLedgerFile } from '../../../src/ledger';
import type { OutgoingMessage } from '../../../src/requests/outgoing';

const parsed = readLedgerFile('examples/ledger.yaml');
if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
const ledger = new Ledger(parsed.ledger, 1);
const withKey = ledger.placeOfChat('wrkB7FAKEjiangwan07'); // 7号楼: has a push key
const withoutKey = ledger.placeOfChat('wrkB7FAKEjinianlu04'); // 纪念路 4号楼: no push key

const msg = (
  audience: OutgoingMessage['audience'],
  content = 'x',
  mentions: string[] = [],
): OutgoingMessage => ({
  audience,
  format: 'text',
  content,
  mentions,
  purpose: 'reply',
});

describe('planDeliveries', () => {
  it('sends to the group through its push key when it has one', () => {
    const { deliveries } = planDeliveries(
      [msg({ to: 'here' }, 'hi', ['li.xl'])],
      { place: withKey, replyUrl: 'https://r', senderId: 'u' },
      ledger,
      false,
    );
    expect(deliveries).toEqual([
      {
        purpose: 'reply',
        destination: { type: 'group_webhook', webhookKey: withKey?.building.webhook_key },
        body: { kind: 'text', content: 'hi', mentions: ['li.xl'] },
      },
    ]);
  });

  it('joins replies into one markdown answer through the one-use response_url when the group has no key', () => {
    const { deliveries } = planDeliveries(
      [msg({ to: 'here' }, '第一条', ['you.zm']), msg({ to: 'here' }, '第二条')],
      { place: withoutKey, replyUrl: 'https://r/1', senderId: 'u' },
      ledger,
      false,
    );
    expect(deliveries).toEqual([
      {
        purpose: 'reply',
        destination: { type: 'response_url', url: 'https://r/1' },
        body: { kind: 'markdown', content: '第一条\n<@you.zm>\n\n第二条' },
      },
    ]);
  });

  it('@s the sender in a reply through the push key that @s no one', () => {
    // Sent through the push key, a reply is a new message in a busy group: without an @ no one
    // can tell whom it answers. A reply that @s others is a notice to them and stays as it is.
    const replies = [
      msg({ to: 'here' }, '只有报事人本人可以评价 #11'),
      msg({ to: 'here' }, '#11 已接单', ['zm']),
    ];
    const inGroup = planDeliveries(
      replies,
      { place: withKey, replyUrl: 'https://r', senderId: 'chen.ay' },
      ledger,
      false,
    );
    expect(inGroup.deliveries.map((d) => d.body)).toEqual([
      { kind: 'text', content: '只有报事人本人可以评价 #11', mentions: ['chen.ay'] },
      { kind: 'text', content: '#11 已接单', mentions: ['zm'] },
    ]);
    // Through the message's own response_url the reply answers it (WeCom quotes it): no @ added.
    const byReply = planDeliveries(
      replies,
      { place: withoutKey, replyUrl: 'https://r/2', senderId: 'chen.ay' },
      ledger,
      false,
    );
    expect(byReply.deliveries.map((d) => d.body)).toEqual([
      { kind: 'markdown', content: '只有报事人本人可以评价 #11\n\n#11 已接单\n<@zm>' },
    ]);
    // In a private chat there is no one else to tell it from.
    const alone = planDeliveries(
      replies.slice(0, 1),
      { place: undefined, replyUrl: null, senderId: 'chen.ay' },
      ledger,
      true,
    );
    expect(alone.deliveries.map((d) => [d.destination, d.body])).toEqual([
      [
        { type: 'app_message', userIds: ['chen.ay'] },
        { kind: 'text', content: '只有报事人本人可以评价 #11', mentions: [] },
      ],
    ]);
  });

  it('sends private notices only when the self-built app is configured, and reports what has nowhere to go', () => {
    const messages = [
      msg({ to: 'people', userIds: ['liu.t'] }),
      msg({ to: 'leadership' }),
      msg({ to: 'building', buildingId: 'jw-b8' }),
    ];
    const on = planDeliveries(messages, { place: withKey, replyUrl: null, senderId: 'u' }, ledger, true);
    expect(on.deliveries.map((d) => d.destination)).toEqual([
      { type: 'app_message', userIds: ['liu.t'] },
      { type: 'group_webhook', webhookKey: ledger.document.leadership.webhook_key },
    ]);
    // 8号楼 has no group yet.
    expect(on.undeliverable.map((m) => m.audience)).toEqual([{ to: 'building', buildingId: 'jw-b8' }]);
    const off = planDeliveries(messages, { place: withKey, replyUrl: null, senderId: 'u' }, ledger, false);
    expect(off.undeliverable).toHaveLength(2);
  });

  it('sends a request notice privately when its group has no push key and the app is configured', () => {
    const notice = {
      ...msg(
        { to: 'request_group', chatId: 'wrkB7FAKEjinianlu04', buildingId: 'jnl-b4', reporterId: 'zm' },
        '#5 已办结',
        ['zm'],
      ),
      requestId: 'r5',
    };
    const { deliveries } = planDeliveries(
      [notice],
      { place: withKey, replyUrl: null, senderId: 'u' },
      ledger,
      true,
    );
    expect(deliveries.map((d) => [d.destination, d.body])).toEqual([
      [
        { type: 'group_webhook', webhookKey: withKey?.building.webhook_key },
        { kind: 'text', content: '#5 已办结\n已私信告知', mentions: ['u'] },
      ],
      [
        { type: 'app_message', userIds: ['zm'] },
        { kind: 'text', content: '#5 已办结', mentions: [] },
      ],
    ]);
  });
  it("sends a notice typed privately to the reporter's group and the handler's, each @-ing its own", () => {
    // Posted in 7号楼's group about 5号楼; the reporter and 5号楼's unit head are @-ed.
    const notice = {
      ...msg(
        { to: 'request_group', chatId: 'wrkB7FAKEjiangwan07', buildingId: 'jw-b5', reporterId: 'zm' },
        '#6 刘婷 已接单',
        ['zm', 'zheng.hp'],
      ),
      requestId: 'r6',
    };
    const { deliveries } = planDeliveries(
      [notice],
      { place: undefined, replyUrl: null, senderId: 'liu.t' },
      ledger,
      true,
    );
    const b5 = ledger.placeOfBuilding('jw-b5')?.building.webhook_key;
    expect(deliveries.map((d) => [d.destination, d.body])).toEqual([
      [
        { type: 'app_message', userIds: ['liu.t'] },
        { kind: 'text', content: '#6 刘婷 已接单\n已发到7号楼群；已发到5号楼群', mentions: [] },
      ],
      [
        { type: 'group_webhook', webhookKey: withKey?.building.webhook_key },
        { kind: 'text', content: '#6 刘婷 已接单', mentions: ['zm'] },
      ],
      [
        { type: 'group_webhook', webhookKey: b5 },
        { kind: 'text', content: '#6 刘婷 已接单', mentions: ['zheng.hp'] },
      ],
    ]);
  });
});
