import type { Ledger } from '../ledger/ledger';
import { categoryName, maskPhones, shorten } from '../requests/format';
import { markdownRef, type PageLinks } from '../requests/page-links';
import { MESSAGE_LIMITS } from '../wecom/client';
import type { CompoundDigest, Digest } from './build-digest';
import { formatMonthDay, weekDates } from './calendar';
import { age, change, duration, rateWithCounts, percent } from './format-figures';
import { packParts } from './pack-parts';
import type { OverdueRequest, RequestBrief } from './week-exceptions';
import type { WeeklyFigures } from './weekly-figures';

/** Longer lists are cut with a count of the rest: the digest is read on a phone. */
const LIST_LIMIT = 10;

interface Names {
  readonly ledger: Ledger;
  building(id: string | null): string;
  category(code: string): string;
  /** #12, linked to its page when the pages have an address. */
  request(no: number): string;
}

function namesOf(ledger: Ledger, links: PageLinks | undefined): Names {
  return {
    ledger,
    request: (no) => markdownRef(no, links),
    // Building names repeat across compounds (1号楼): lists that mix compounds name both.
    building: (id) => {
      const names = ledger.buildingNames(id);
      return names ? `${names.compound}${names.building}` : (id ?? '未知楼栋');
    },
    category: (code) => categoryName(ledger.categories, code),
  };
}

/** The first LIST_LIMIT items as lines (only those are written), and a count of the rest. */
function capped<T>(items: readonly T[], line: (item: T) => string, unit = '件'): string[] {
  const lines = items.slice(0, LIST_LIMIT).map(line);
  if (items.length <= LIST_LIMIT) return lines;
  return [...lines, `> 另有 ${items.length - LIST_LIMIT} ${unit}，见街道后台`];
}

function briefLine(r: RequestBrief, names: Names, end: Date): string {
  return `> ${names.request(r.no)} ${names.building(r.buildingId)} ${names.category(r.category)}：${shorten(maskPhones(r.text), 16)}（已${age(r.createdAt, end)}）`;
}

function overdueBlock(digest: Digest, names: Names): string {
  const { overdue } = digest.exceptions;
  if (overdue.length === 0) return '**超时未办** 0 件';
  const byBuilding = new Map<string, OverdueRequest[]>();
  for (const r of overdue) {
    const key = r.buildingId ?? '';
    const list = byBuilding.get(key);
    if (list) list.push(r);
    else byBuilding.set(key, [r]);
  }
  // Buildings with the most overdue first; the list within each is already oldest first.
  const buildings = [...byBuilding.values()].sort(
    (a, b) => b.length - a.length || (a[0]?.no ?? 0) - (b[0]?.no ?? 0),
  );
  const unacknowledged = overdue.filter((r) => r.unacknowledged).length;
  return [
    `**超时未办** <font color="warning">${overdue.length}</font> 件（其中未接单 ${unacknowledged} 件）`,
    ...capped(
      buildings,
      (list) => {
        const oldest = list[0] as OverdueRequest;
        return `> ${names.building(oldest.buildingId)} ${list.length} 件，最久 ${names.request(oldest.no)} ${names.category(oldest.category)}，已${age(oldest.createdAt, digest.end)}`;
      },
      '栋楼',
    ),
  ].join('\n');
}

function exceptionBlocks(digest: Digest, names: Names): string[] {
  const { reopened, escalations, streetList, council } = digest.exceptions;
  const blocks = [`## 需要关注`, overdueBlock(digest, names)];
  blocks.push(
    [
      `**不满意、重新打开** ${reopened.length} 件`,
      ...capped(reopened, (r) => {
        const why = r.note ? `：${shorten(maskPhones(r.note), 16)}` : '';
        return `> ${names.request(r.no)} ${names.building(r.buildingId)} ${names.category(r.category)}${r.ratedBad ? ' 不满意' : ' 重新打开'}${why}`;
      }),
    ].join('\n'),
  );
  blocks.push(
    [
      `**上报** ${escalations.total} 次（网格员 ${escalations.toGridWorker}，街道 ${escalations.toStreet}）；街道督办 ${streetList.length} 件`,
      ...capped(streetList, (r) => briefLine(r, names, digest.end)),
    ].join('\n'),
  );
  const fresh = council.filter((c) => c.isNew).length;
  blocks.push(
    [
      `**居民议事会议题** ${council.length} 件（本周新增 ${fresh} 件）`,
      ...capped(council, (c) => {
        const kind = c.category === 'council' ? '议事' : `转议·${names.category(c.category)}`;
        return `> ${names.request(c.no)} ${names.building(c.buildingId)} ${kind}：${shorten(maskPhones(c.text), 16)}${c.isNew ? '（新）' : ''}`;
      }),
    ].join('\n'),
  );
  return blocks;
}

function categoriesLine(figures: WeeklyFigures, names: Names): string {
  const top = figures.categories.slice(0, 3).map((c) => `${names.category(c.category)} ${c.count}`);
  return top.length > 0 ? top.join('、') : '无';
}

function totalBlock(digest: Digest, names: Names): string {
  const { current: c, previous: p } = digest.total;
  return [
    `## 全街道`,
    `收到 **${c.received}** 件（上周 ${p.received}，${change(c.received, p.received)}），办结 ${c.resolved} 件（上周 ${p.resolved}）`,
    `按时接单率 **${percent(c.response)}**（${c.response.numerator}/${c.response.denominator}，上周 ${percent(p.response)}）`,
    `按时办结率 **${percent(c.resolution)}**（${c.resolution.numerator}/${c.resolution.denominator}，上周 ${percent(p.resolution)}）`,
    `满意率 **${percent(c.satisfaction)}**（${c.satisfaction.numerator}/${c.satisfaction.denominator}，上周 ${percent(p.satisfaction)}）`,
    `接单用时中位数 ${duration(c.medianAckMinutes)}（上周 ${duration(p.medianAckMinutes)}），办结用时中位数 ${duration(c.medianResolveMinutes)}（上周 ${duration(p.medianResolveMinutes)}）`,
    `主要类别：${categoriesLine(c, names)}`,
  ].join('\n');
}

function compoundBlock(compound: CompoundDigest, names: Names): string {
  const { current: c, previous: p } = compound;
  const quiet = compound.quietBuildings.map((b) => (b.hasGroup ? b.name : `${b.name}（未建群）`));
  return [
    `**${compound.name}** 收到 ${c.received} 件（上周 ${p.received}，${change(c.received, p.received)}），办结 ${c.resolved} 件`,
    `> 按时接单 ${rateWithCounts(c.response)}，上周 ${percent(p.response)}`,
    `> 按时办结 ${rateWithCounts(c.resolution)}，上周 ${percent(p.resolution)}`,
    `> 满意 ${rateWithCounts(c.satisfaction, '无评价')}，上周 ${percent(p.satisfaction)}`,
    `> 接单中位 ${duration(c.medianAckMinutes)}，办结中位 ${duration(c.medianResolveMinutes)}；${categoriesLine(c, names)}`,
    `> 本周无诉求的楼栋：${quiet.length > 0 ? quiet.join('、') : '无'}`,
  ].join('\n');
}

/**
 * The digest as WeCom markdown messages for the leadership group: exceptions first, then the
 * street's figures, then each compound's. Split into parts within the group robot's byte limit,
 * links included. With the pages' address (links), each request listed links to its page and the
 * digest ends with a link to the weekly figures: leadership and street staff can sign in there.
 */
export function renderDigest(
  digest: Digest,
  ledger: Ledger,
  maxBytes: number = MESSAGE_LIMITS.webhookMarkdown,
  links?: PageLinks,
): string[] {
  const names = namesOf(ledger, links);
  const { monday, sunday } = weekDates(digest.week);
  const title = `${ledger.streetName}周报 ${digest.label}`;
  const blocks = [
    `${formatMonthDay(monday)}—${formatMonthDay(sunday)}，数据截至周日24时`,
    ...exceptionBlocks(digest, names),
    totalBlock(digest, names),
    `## 各小区`,
    ...digest.compounds.map((c) => compoundBlock(c, names)),
    ...(links ? [`[在街道工作台查看周报数据](${links.figures()})`] : []),
  ];
  return packParts(title, blocks, maxBytes);
}
