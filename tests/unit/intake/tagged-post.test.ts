import { DEFAULT_CATEGORY_TABLE, parseTaggedPost } from '../../../src/intake/parse';

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
  ])('%j asks for a description of %s', (text, category) => {
    expect(parseTaggedPost(text, table)).toEqual({ kind: 'missing_description', category });
  });
});

describe('parseTaggedPost: not a tagged post', () => {
  it.each([
    ['我想#报修一下楼道灯'],
    ['昨天说的报修还没人来'],
    ['楼道灯坏了 #报修 谢谢'],
    ['报修 楼道灯坏了'],
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
