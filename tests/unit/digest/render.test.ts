import { age, change, duration, percent, rateWithCounts } from '../../../src/digest/format-figures';
import { renderBuildingNote } from '../../../src/digest/building-note';
import { packParts } from '../../../src/digest/pack-parts';
import { rate } from '../../../src/digest/weekly-figures';
import { utf8Length } from '../../../src/wecom/client';

describe('figures in words', () => {
  it('writes rates, durations and changes as leadership reads them', () => {
    expect(percent(rate(103, 134))).toBe('77%');
    expect(percent(rate(0, 0))).toBe('—');
    expect(rateWithCounts(rate(2, 3))).toBe('67%（2/3）');
    expect(rateWithCounts(rate(0, 0), '无评价')).toBe('—（无评价）');
    expect([duration(null), duration(45), duration(90), duration(843.5), duration(4878)]).toEqual([
      '—',
      '45分钟',
      '1.5小时',
      '14.1小时',
      '3.4天',
    ]);
    expect([change(5, 3), change(3, 5), change(4, 4)]).toEqual(['+2', '-2', '持平']);
    const end = new Date('2026-11-30T00:00:00+08:00');
    expect(age(new Date('2026-11-29T19:00:00+08:00'), end)).toBe('5小时');
    expect(age(new Date('2026-11-21T00:00:00+08:00'), end)).toBe('9天');
  });
});

describe('packParts', () => {
  const blocks = Array.from({ length: 40 }, (_, i) => `**第${i + 1}段**\n${'超时未办的事项'.repeat(12)}`);

  it('keeps a short digest in one message', () => {
    expect(packParts('和平街道周报 2026-W48', ['一', '二'], 4096)).toEqual([
      '# 和平街道周报 2026-W48\n\n一\n\n二',
    ]);
  });

  it('splits between blocks, numbering the parts, each within the limit', () => {
    const parts = packParts('和平街道周报 2026-W48', blocks, 4096);
    expect(parts.length).toBeGreaterThan(1);
    parts.forEach((part, i) => {
      expect(utf8Length(part)).toBeLessThanOrEqual(4096);
      expect(part.startsWith(`# 和平街道周报 2026-W48（${i + 1}/${parts.length}）\n\n**第`)).toBe(true);
    });
    // Nothing lost, nothing cut: every block is whole in exactly one part.
    const body = parts.map((p) => p.split('\n\n').slice(1).join('\n\n')).join('\n\n');
    expect(body).toBe(blocks.join('\n\n'));
  });

  it('splits a block longer than a part between its lines', () => {
    const long = Array.from({ length: 200 }, (_, i) => `> #${i + 1} 楼道灯不亮，已等待多日`).join('\n');
    const parts = packParts('周报', [long], 2048);
    for (const part of parts) expect(utf8Length(part)).toBeLessThanOrEqual(2048);
    expect(parts.join('\n')).toContain('> #200 楼道灯不亮');
  });
});

describe('packParts with links', () => {
  const link = (no: number) => `[#${no}](https://mulin.example.gov.cn/admin/requests/${no})`;
  const lines = Array.from(
    { length: 200 },
    (_, i) => `> ${link(i + 1)} 江湾小区7号楼 报修：楼道灯不亮（已3天）`,
  );

  it.each([4096, 2048])('counts the links’ bytes: parts within %i bytes, every link whole', (maxBytes) => {
    const parts = packParts(
      '和平街道周报 2026-W48',
      ['**超时未办**', lines.join('\n'), '[查看](https://x.example)'],
      maxBytes,
    );
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) expect(utf8Length(part)).toBeLessThanOrEqual(maxBytes);
    // Broken only between lines: each linked line is in exactly one part, as written.
    const kept = parts.flatMap((p) => p.split('\n')).filter((l) => l.startsWith('> ['));
    expect(kept).toEqual(lines);
  });
});

describe('renderBuildingNote', () => {
  const week = { year: 2026, week: 48 };

  it('says the building its week in one line', () => {
    expect(
      renderBuildingNote('7号楼', week, { buildingId: 'b7', received: 5, resolved: 4, stillOpen: [12, 15] }),
    ).toBe('【7号楼本周小结】11月23日—11月29日：收到 5 件，办结 4 件，还有 2 件在办（#12、#15）。谢谢大家！');
    expect(
      renderBuildingNote('7号楼', week, {
        buildingId: 'b7',
        received: 9,
        resolved: 0,
        stillOpen: [1, 2, 3, 4, 5, 6, 7],
      }),
    ).toContain('还有 7 件在办（#1、#2、#3、#4、#5等）');
  });

  it('says nothing when there is nothing to say', () => {
    expect(renderBuildingNote('7号楼', week, undefined)).toBeNull();
    expect(
      renderBuildingNote('7号楼', week, { buildingId: 'b7', received: 0, resolved: 0, stillOpen: [] }),
    ).toBeNull();
  });
});
