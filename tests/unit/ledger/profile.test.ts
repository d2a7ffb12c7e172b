import { parseLedger, serializeLedger } from '../../../src/ledger';
import { looseLedger, minimalLedger, problemsOf } from './fixtures';

describe("a building's profile (楼栋画像)", () => {
  it('takes free labels with text, numbers, yes/no and lists, and round-trips them', () => {
    const ledger = minimalLedger();
    ledger.compounds[0]!.buildings[0]!.profile = {
      居民结构: '老年人约占六成，独居老人 5 户',
      设施: ['声控楼道灯', '非机动车棚'],
      自治基础: '楼组长制度健全',
      志愿者: 6,
      加装电梯: false,
    };
    expect(problemsOf(ledger)).toEqual([]);
    for (const format of ['yaml', 'json'] as const) {
      expect(parseLedger(serializeLedger(ledger, format), format)).toEqual({ ok: true, ledger });
    }
  });

  it('says what a value may be, at its path', () => {
    const ledger = looseLedger();
    ledger.compounds[0].buildings[0].profile = { 居民结构: '', 设施: { 电梯: true }, ' 空格': 'x' };
    expect(problemsOf(ledger, 'json')).toEqual([
      'compounds[0].buildings[0].profile[" 空格"]: expected a short label (at most 40 characters, no outer spaces)',
      'compounds[0].buildings[0].profile.居民结构: expected text, a number, true/false or a list of text',
      'compounds[0].buildings[0].profile.设施: expected text, a number, true/false or a list of text',
    ]);
  });

  it('keeps phone numbers out, as the building page shows it to everyone signed in', () => {
    const ledger = looseLedger();
    ledger.compounds[0].buildings[0].profile = {
      居民结构: '独居老人 5 户，联系人王阿姨 13800000027',
      设施: ['充电桩 2 个', '维修电话 021-65432100'],
      户数: 48,
    };
    expect(problemsOf(ledger)).toEqual([
      'compounds[0].buildings[0].profile.居民结构: a phone number here would be shown on the pages; staff numbers belong in people[].phone',
      'compounds[0].buildings[0].profile.设施[1]: a phone number here would be shown on the pages; staff numbers belong in people[].phone',
    ]);
  });

  it('is optional', () => {
    const ledger = minimalLedger();
    expect(ledger.compounds[0]!.buildings[1]!.profile).toBeUndefined();
    expect(problemsOf(ledger)).toEqual([]);
  });
});
