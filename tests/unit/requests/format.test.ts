import { Ledger } from '../../../src/ledger/ledger';
import { formatDay, formatMoment, requestDetail, shorten } from '../../../src/requests/format';
import { minimalLedger } from '../ledger/fixtures';

describe("moments in the street's time zone", () => {
  it("writes month, day, hour and minute as the street's clock shows them", () => {
    expect(formatMoment(new Date('2026-11-28T01:05:00Z'), 'Asia/Shanghai')).toBe('11-28 09:05');
    // Past 16:00 UTC it is already the next day in Shanghai.
    expect(formatMoment(new Date('2026-12-31T16:00:00Z'), 'Asia/Shanghai')).toBe('01-01 00:00');
    expect(formatMoment(new Date('2026-12-31T16:00:00Z'), 'UTC')).toBe('12-31 16:00');
  });

  it("names the street's calendar day", () => {
    expect(formatDay(new Date('2026-12-31T15:59:59Z'), 'Asia/Shanghai')).toBe('2026-12-31');
    expect(formatDay(new Date('2026-12-31T16:00:00Z'), 'Asia/Shanghai')).toBe('2027-01-01');
  });
});

describe('shorten', () => {
  it('keeps a text of at most the limit as it is', () => {
    expect(shorten('楼道灯不亮', 5)).toBe('楼道灯不亮');
    expect(shorten('', 5)).toBe('');
  });

  it('cuts a longer text to the limit in characters as people see them, ending with …', () => {
    expect(shorten('2单元楼道灯不亮好几天了', 6)).toBe('2单元楼道…');
    // A family emoji is one character on screen but several code points: it is never split.
    const family = '👨‍👩‍👧';
    expect(shorten(`${family}${family}${family}`, 2)).toBe(`${family}…`);
    expect(shorten(`${family}${family}`, 2)).toBe(`${family}${family}`);
  });

  // The receipt for a new post shortens its text on the inbound path, where segmenting a whole
  // 90,000-character text held the event loop for about 35 s (V8's segmenter is superlinear).
  it('keeps the head of a long text', () => {
    const post = `2单元楼道灯不亮${'好几天了'.repeat(25_000)}`;
    expect(shorten(post, 6)).toBe('2单元楼道…');
  });
});

describe('requestDetail', () => {
  // 江湾小区 (jiangwan) has 7号楼; 翠苑小区's 1号楼 (cy-b1) left the ledger with its compound.
  const ledger = new Ledger(minimalLedger(), 2, {
    people: new Map(),
    buildings: new Map([['cy-b1', { compoundId: 'cuiyuan', compoundName: '翠苑小区', name: '1号楼' }]]),
  });
  const request = {
    category: 'repair',
    priority: 'urgent' as const,
    compoundId: 'jiangwan',
    buildingId: 'jw-b7',
    unitNo: 2,
    room: null,
    text: '厨房有煤气味，电话13912345678',
  };

  it('says 紧急, the kind, the place and the text, masked before it is cut', () => {
    expect(requestDetail(ledger, request, { compound: false, max: 16 })).toBe(
      '紧急报修 7号楼2单元 厨房有煤气味，电话139***…',
    );
    expect(requestDetail(ledger, { ...request, priority: 'normal' }, { compound: true, max: 40 })).toBe(
      '报修 江湾小区7号楼2单元 厨房有煤气味，电话139****5678',
    );
  });

  it('names a building the ledger dropped as it last did, and leaves out a place it does not know', () => {
    const former = { ...request, compoundId: 'cuiyuan', buildingId: 'cy-b1', unitNo: null };
    expect(requestDetail(ledger, former, { compound: true, max: 40 })).toMatch(/^紧急报修 翠苑小区1号楼 /);
    const nowhere = { ...request, compoundId: null, buildingId: null, unitNo: null };
    expect(requestDetail(ledger, nowhere, { compound: true, max: 6 })).toBe('紧急报修 厨房有煤气…');
  });
});
