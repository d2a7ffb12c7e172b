import {
  MESSAGE_LIMITS,
  TRUNCATION_MARK,
  splitMessage,
  truncateMessage,
  utf8Length,
} from '../../../../src/wecom/client';

const PREFIX = /^\((\d+)\/(\d+)\)\n/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Each part within the limit, numbered 1..n, no broken characters; returns the bodies. */
function checkParts(parts: string[], maxBytes: number): string[] {
  return parts.map((part, i) => {
    expect(utf8Length(part)).toBeLessThanOrEqual(maxBytes);
    expect(LONE_SURROGATE.test(part)).toBe(false);
    // A string that survives a UTF-8 round trip unchanged was not cut inside a character.
    expect(Buffer.from(part, 'utf8').toString('utf8')).toBe(part);
    const m = PREFIX.exec(part);
    expect(m?.[1]).toBe(String(i + 1));
    expect(m?.[2]).toBe(String(parts.length));
    return part.replace(PREFIX, '');
  });
}

describe('splitMessage', () => {
  it('returns content within the limit unchanged, without a number', () => {
    expect(splitMessage('#报修 3号楼2单元 楼道灯不亮', 2048)).toEqual(['#报修 3号楼2单元 楼道灯不亮']);
    const exact = '好'.repeat(682) + 'ab'; // 2046 + 2 = 2048 bytes
    expect(utf8Length(exact)).toBe(2048);
    expect(splitMessage(exact, 2048)).toEqual([exact]);
  });

  it('splits Chinese lines at line boundaries into numbered parts, keeping every line whole', () => {
    const lines = Array.from(
      { length: 60 },
      (_, i) => `${i + 1}. 3号楼${i}单元：楼道灯不亮，已派单给王师傅处理。`,
    );
    const content = lines.join('\n');
    const parts = splitMessage(content, 400);
    expect(parts.length).toBeGreaterThan(5);
    const bodies = checkParts(parts, 400);
    expect(bodies.join('\n')).toBe(content);
    for (const body of bodies) for (const line of body.split('\n')) expect(lines).toContain(line);
  });

  it('numbers with two digits when there are ten parts or more', () => {
    const content = Array.from({ length: 40 }, (_, i) => `第${i}行：${'水'.repeat(20)}`).join('\n');
    const parts = splitMessage(content, 120);
    expect(parts.length).toBeGreaterThanOrEqual(10);
    expect(checkParts(parts, 120).join('\n')).toBe(content);
    expect(parts[9]).toMatch(/^\(10\/\d\d\)\n/);
  });

  it('cuts a single line longer than a part between characters: Chinese (3 bytes)', () => {
    const content = '停水通知'.repeat(300); // 3600 bytes, no newline
    const parts = splitMessage(content, MESSAGE_LIMITS.text);
    expect(parts).toHaveLength(2);
    expect(checkParts(parts, MESSAGE_LIMITS.text).join('')).toBe(content);
  });

  it('never cuts inside an emoji: 4-byte emoji, flags, skin tones and ZWJ families stay whole', () => {
    const family = '👨‍👩‍👧‍👦'; // 25 bytes, 7 code points
    const graphemes = ['😀', '🇨🇳', '👍🏽', family, '水', 'a'];
    const content = Array.from({ length: 200 }, (_, i) => graphemes[i % graphemes.length]).join('');
    for (const limit of [40, 41, 42, 43, 57, 100]) {
      const bodies = checkParts(splitMessage(content, limit), limit);
      expect(bodies.join('')).toBe(content);
      const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
      for (const body of bodies) {
        for (const { segment } of segmenter.segment(body)) expect(graphemes).toContain(segment);
      }
    }
  });

  it('mixes whole lines and cut lines in order', () => {
    const content = ['短行一', '长'.repeat(100), '短行二', '🙂'.repeat(50), '短行三'].join('\n');
    const bodies = checkParts(splitMessage(content, 80), 80);
    expect(bodies.join('\n').replace(/\n/g, '')).toBe(content.replace(/\n/g, ''));
    expect(bodies[0]).toBe('短行一');
    expect(bodies[bodies.length - 1]?.endsWith('短行三')).toBe(true);
  });

  it('does not make parts of blank lines alone', () => {
    const content = `${'甲'.repeat(20)}\n\n\n\n${'乙'.repeat(20)}`;
    const parts = splitMessage(content, 70);
    for (const body of checkParts(parts, 70)) expect(body.trim()).not.toBe('');
  });

  it('keeps markdown headings intact: the number is on a line of its own', () => {
    const content = Array.from(
      { length: 30 },
      (_, i) => `## 第${i}周\n> 报修 <font color="info">${i}</font> 起`,
    ).join('\n');
    const parts = splitMessage(content, MESSAGE_LIMITS.appMarkdown / 8);
    for (const body of checkParts(parts, MESSAGE_LIMITS.appMarkdown / 8)) expect(body).toMatch(/^(##|>)/);
  });

  it('refuses a limit too small to hold a number and a character', () => {
    expect(() => splitMessage('一二三四五六七八九十', 8)).toThrow(RangeError);
  });
});

describe('truncateMessage', () => {
  it('keeps content within the limit and marks the cut', () => {
    expect(truncateMessage('短', 100)).toBe('短');
    const cut = truncateMessage('🙂'.repeat(10_000), MESSAGE_LIMITS.responseUrlMarkdown);
    expect(utf8Length(cut)).toBeLessThanOrEqual(MESSAGE_LIMITS.responseUrlMarkdown);
    expect(cut.endsWith(TRUNCATION_MARK)).toBe(true);
    expect(LONE_SURROGATE.test(cut)).toBe(false);
  });
});
