import { parseBotMessage, stripBotMention } from '../../../src/wecom/bot-callback';

describe('stripBotMention', () => {
  it.each([
    ['@睦邻助手 #报修 2单元楼道灯不亮', true, '#报修 2单元楼道灯不亮'],
    ['@睦邻助手\u2005接单 12', true, '接单 12'],
    ['楼道灯不亮 #报修 @睦邻助手', true, '楼道灯不亮 #报修'],
    ['@王建国 @睦邻助手 转派 3 @李秀兰', true, '@王建国 转派 3 @李秀兰'],
    // Renamed bot: the leading mention of a group message is the bot's.
    ['@楼栋小助手 #求助 帮忙搬东西', true, '#求助 帮忙搬东西'],
    // In a single chat nothing is stripped unless it names the bot.
    ['@楼栋小助手 你好', false, '@楼栋小助手 你好'],
    ['  @睦邻助手   帮助  ', true, '帮助'],
    ['@睦邻助手们 好', true, '好'],
  ])('%j (group chat: %s) → %j', (text, inGroup, expected) => {
    expect(stripBotMention(text, '睦邻助手', inGroup)).toBe(expected);
  });
});

describe('parseBotMessage', () => {
  it('uses the event sender and time as the dedupe key when an event has no msgid', () => {
    const m = parseBotMessage(
      JSON.stringify({
        from: { userid: 'u1' },
        msgtype: 'event',
        create_time: 1700000000,
        event: { eventtype: 'enter_chat' },
      }),
      '睦邻助手',
    );
    expect(m).toMatchObject({
      dedupeKey: 'event:u1:1700000000:enter_chat',
      event: 'enter_chat',
      msgId: null,
    });
  });

  it('refuses a message without msgid that is not an event', () => {
    expect(() =>
      parseBotMessage(
        JSON.stringify({ from: { userid: 'u1' }, msgtype: 'text', text: { content: 'x' } }),
        'b',
      ),
    ).toThrow(/no msgid/);
  });
});
