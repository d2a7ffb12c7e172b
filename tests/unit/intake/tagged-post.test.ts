import {
  DEFAULT_CATEGORY_TABLE,
  buildCategoryTable,
  parseTaggedPost,
  suggestTag,
} from '../../../src/intake/parse';

const table = DEFAULT_CATEGORY_TABLE;

describe('parseTaggedPost: requests', () => {
  it.each([
    // Start tags, every form.
    ['#报修 3号楼2单元楼道灯不亮了', 'repair', '3号楼2单元楼道灯不亮了'],
    ['＃报修 电梯按钮失灵', 'repair', '电梯按钮失灵'],
    ['【报修】电梯按钮失灵😭', 'repair', '电梯按钮失灵😭'],
    ['[报修] 门禁刷不开', 'repair', '门禁刷不开'],
    ['［投诉］晚上十点还有人在广场跳舞', 'complaint', '晚上十点还有人在广场跳舞'],
    ['报修：厨房水管漏水', 'repair', '厨房水管漏水'],
    ['报修:厨房水管漏水', 'repair', '厨房水管漏水'],
    ['#报修2单元灯坏了', 'repair', '2单元灯坏了'],
    ['#求助 家里老人摔倒了，谁能帮忙扶一下', 'help', '家里老人摔倒了，谁能帮忙扶一下'],
    ['#建议：小区门口贴个“减速慢行”的牌子', 'suggestion', '小区门口贴个“减速慢行”的牌子'],
    ['#咨询 物业费什么时候交？', 'question', '物业费什么时候交？'],
    ['【议事】车棚要不要装充电桩', 'council', '车棚要不要装充电桩'],
    // Leftover punctuation around the tag is trimmed; the user's own wording is kept.
    ['#报修，，楼道灯不亮了！！', 'repair', '楼道灯不亮了'],
    ['#报修 楼道灯坏了。。。', 'repair', '楼道灯坏了'],
    ['【报修】：4号楼地下室渗水', 'repair', '4号楼地下室渗水'],
    // End tags.
    ['楼道灯不亮了 #报修', 'repair', '楼道灯不亮了'],
    ['楼道灯不亮了#报修', 'repair', '楼道灯不亮了'],
    ['楼道灯坏了【报修】', 'repair', '楼道灯坏了'],
    ['楼下烧烤太吵了 [投诉]', 'complaint', '楼下烧烤太吵了'],
    ['楼道灯坏了！#报修', 'repair', '楼道灯坏了'],
    ['楼道灯坏了 #报修 🙏🙏', 'repair', '楼道灯坏了'],
    ['楼道灯不亮了#报修。', 'repair', '楼道灯不亮了'],
    ['垃圾站味道太大了😷 ＃投诉', 'complaint', '垃圾站味道太大了😷'],
    // Whitespace of every kind, leading and trailing.
    ['　#报修　楼道灯坏了　 ', 'repair', '楼道灯坏了'],
    ['#报修\u20055栋门口路灯不亮\n', 'repair', '5栋门口路灯不亮'],
    // The same tag at both ends is not repeated in the description.
    ['#报修 楼道灯坏了 #报修', 'repair', '楼道灯坏了'],
    // An inline quote-reply: only the sender's own words count.
    ['「王阿姨：楼道灯又坏了」\n- - - - - - - - - - - - - - -\n#报修 还是没修好', 'repair', '还是没修好'],
    ['#报修 刚才说的“电梯异响”又出现了', 'repair', '刚才说的“电梯异响”又出现了'],
    // The bot was @-ed, so a bare category word is a tag when a separator follows it (or ends
    // the message after one).
    ['报修 2单元楼道灯不亮', 'repair', '2单元楼道灯不亮'],
    ['报修，二单元楼道灯不亮。', 'repair', '二单元楼道灯不亮'],
    ['报修,3单元灯坏了', 'repair', '3单元灯坏了'],
    ['求助 我家水管爆了', 'help', '我家水管爆了'],
    ['求助！电梯里有人', 'help', '电梯里有人'],
    ['议事 小区停车难怎么办', 'council', '小区停车难怎么办'],
    ['3单元灯坏了，报修', 'repair', '3单元灯坏了'],
    ['3单元灯坏了 报修', 'repair', '3单元灯坏了'],
    ['3单元灯坏了，报修一下。', 'repair', '3单元灯坏了'],
    // A space after the mark, a closing mark, a filler after the word.
    ['＃ 报修 3单元灯坏了', 'repair', '3单元灯坏了'],
    ['# 报修3单元灯坏了', 'repair', '3单元灯坏了'],
    ['#报修# 3单元灯坏了', 'repair', '3单元灯坏了'],
    ['#报修#3单元灯坏了', 'repair', '3单元灯坏了'],
    ['#报修一下 3单元灯坏了', 'repair', '3单元灯坏了'],
    ['报修一下，3单元灯坏了', 'repair', '3单元灯坏了'],
    ['3单元灯坏了 #报修#', 'repair', '3单元灯坏了'],
    ['3单元灯坏了 # 报修', 'repair', '3单元灯坏了'],
    // 维修 and the homophone 保修 are 报修 by default.
    ['#保修 2单元楼道灯不亮', 'repair', '2单元楼道灯不亮'],
    // As are the slips pinyin input makes most often.
    ['#抱修 2单元楼道灯不亮', 'repair', '2单元楼道灯不亮'],
    ['#投述 楼下烧烤太吵', 'complaint', '楼下烧烤太吵'],
    ['#维修 2单元楼道灯不亮', 'repair', '2单元楼道灯不亮'],
    ['维修：门禁坏了', 'repair', '门禁坏了'],
    // People @-ed besides the bot are who the sender addressed, not part of the post.
    ['@王建国 #报修 3单元楼道灯不亮', 'repair', '3单元楼道灯不亮'],
    ['@王建国 @李秀兰 报修 3单元楼道灯不亮', 'repair', '3单元楼道灯不亮'],
    ['＠王建国，#报修 3单元楼道灯不亮', 'repair', '3单元楼道灯不亮'],
    ['3单元楼道灯不亮 #报修 @王建国', 'repair', '3单元楼道灯不亮'],
  ])('%j is a %s request', (text, category, description) => {
    expect(parseTaggedPost(text, table)).toEqual({ kind: 'request', category, description });
  });
});

describe('parseTaggedPost: tag without a description', () => {
  it.each([
    ['#报修', 'repair'],
    ['＃投诉', 'complaint'],
    ['【报修】', 'repair'],
    ['[求助]', 'help'],
    ['报修：', 'repair'],
    ['#报修！！', 'repair'],
    ['#报修 。', 'repair'],
    ['#报修 😭😭', 'repair'],
    ['#报修 [捂脸]', 'repair'],
    ['【报修】  ', 'repair'],
    ['「张三：门禁坏了」 - - - - - - - - - #报修', 'repair'],
    ['报修', 'repair'],
    ['报修！', 'repair'],
    ['报修一下', 'repair'],
    ['#报修一下', 'repair'],
    ['#报修#', 'repair'],
    ['@王建国 #报修', 'repair'],
  ])('%j asks for a description of %s', (text, category) => {
    expect(parseTaggedPost(text, table)).toEqual({ kind: 'missing_description', category });
  });
});

describe('parseTaggedPost: not a tagged post', () => {
  it.each([
    ['我想#报修一下楼道灯'],
    ['昨天说的报修还没人来'],
    ['楼道灯坏了 #报修 谢谢'],
    // A category word inside a sentence, or glued to the words after it, is not a tag.
    ['报修二单元楼道灯不亮'],
    ['我要报修，3单元灯坏了'],
    ['报修电话是多少'],
    ['楼道灯坏了想报修一下'],
    ['谢谢大家的建议'],
    ['投诉有用吗'],
    ['@王建国 你好'],
    ['@王建国'],
    ['师傅说：明天来修'],
    ['#闲聊 今天天气不错'],
    ['#12 怎么样了'],
    ['楼道灯坏了[捂脸]'],
    ['大家好[强]'],
    ['谢谢大家🙏'],
    [''],
    ['   '],
    ['「王阿姨：#报修 灯坏了」 - - - - - - - - - 收到'],
  ])('%j is null', (text) => {
    expect(parseTaggedPost(text, table)).toBeNull();
  });
});

describe('suggestTag', () => {
  it.each([
    // A clause that only asks to report is left out of the example.
    ['我要报修，3单元灯坏了', 'repair', '3单元灯坏了'],
    ['3单元灯坏了，我想报修一下', 'repair', '3单元灯坏了'],
    ['3单元灯坏了，我要报修，谢谢', 'repair', '3单元灯坏了，谢谢'],
    ['@王建国 我要投诉 楼下烧烤太吵', 'complaint', '楼下烧烤太吵'],
    // A category word that opens the message is the tag they meant, run into their words (voice
    // input does this): the example does not say it twice.
    ['报修二单元楼道灯不亮', 'repair', '二单元楼道灯不亮'],
    ['  投诉楼下烧烤太吵', 'complaint', '楼下烧烤太吵'],
    // Unless it is part of what they say about it.
    ['报修的师傅什么时候来', 'repair', '报修的师傅什么时候来'],
    ['报修了三天还没人来', 'repair', '报修了三天还没人来'],
    ['报修单怎么填', 'repair', '报修单怎么填'],
    // Otherwise the sender's words are kept as typed, less a # stuck inside them.
    ['楼道灯坏了想报修一下', 'repair', '楼道灯坏了想报修一下'],
    ['我想#报修一下楼道灯', 'repair', '我想报修一下楼道灯'],
    ['昨天说的报修还没人来', 'repair', '昨天说的报修还没人来'],
    ['有个建议：晚上关好门', 'suggestion', '有个建议：晚上关好门'],
    // Nothing said besides asking.
    ['我要报修', 'repair', ''],
    ['我想报修一下！', 'repair', ''],
  ])('%j suggests #%s with %j', (text, category, description) => {
    expect(suggestTag(text, table)).toEqual({ category, description });
  });

  it("reads the ledger's words, and a word that is itself content stays in the example", () => {
    const ledger = buildCategoryTable([{ code: 'repair', name: '报修', synonyms: ['坏了'] }]);
    expect(suggestTag('楼道灯坏了', ledger)).toEqual({ category: 'repair', description: '楼道灯坏了' });
  });

  it.each([['谢谢大家'], ['今天天气真好'], ['']])('%j names no category', (text) => {
    expect(suggestTag(text, table)).toBeNull();
  });
});
