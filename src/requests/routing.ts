import { formatLocation, type Location } from '../intake/parse';
import { buildingLabel } from '../ledger/building-label';
import type { BuildingPlace, Ledger } from '../ledger/ledger';
import type { Building } from '../ledger/schema';
import { categoryName } from './format';

/** Where a post is about, read against the ledger. */
export interface PostPlace {
  /** The building it is filed under and routed in. */
  readonly place: BuildingPlace;
  readonly unit: number | undefined;
  readonly room: string | undefined;
  /** A building the post names that the compound does not have (`9号楼`): its unit and room are dropped. */
  readonly unknownBuilding: string | undefined;
  /** Why it is not the posting group's building as written, for the event log. */
  readonly reason: string | undefined;
}

/**
 * The building a post is about: the one it names when the posting group's compound has it (a
 * resident may report the lamp outside the next block), else the posting group's own. A unit or
 * room of a building the compound does not have is dropped rather than pinned on the wrong one.
 */
export function placeOfPost(posted: BuildingPlace, location: Location): PostPlace {
  const named = location.building;
  const here = { place: posted, unit: location.unit, room: location.room, unknownBuilding: undefined };
  if (named === undefined || buildingLabel(posted.building.name) === named)
    return { ...here, reason: undefined };
  const building = posted.compound.buildings.find((b) => buildingLabel(b.name) === named);
  if (building) {
    return { ...here, place: { building, compound: posted.compound }, reason: `文中写的是${building.name}` };
  }
  const written = formatLocation({ building: named });
  return {
    place: posted,
    unit: undefined,
    room: undefined,
    unknownBuilding: written,
    reason: `本小区台账里没有${written}，不记单元和房号`,
  };
}

export interface RoutingDecision {
  /** Who has the request; null only when the compound has no one at all (the ledger forbids it). */
  readonly assigneeId: string | null;
  /** The assignee's role in words, for the receipt: 2单元单元长, 楼长, 网格员. */
  readonly assigneeRole: string;
  /** Others to @-mention in the receipt: grid workers, team members. */
  readonly alsoNotify: readonly string[];
  readonly teamIds: readonly string[];
  /** One line per decision, for the event log. */
  readonly reasons: readonly string[];
}

/** What routing reads of a post. */
export interface RoutedPost {
  readonly text: string;
  readonly urgent: boolean;
  /** The category's code: repair, help, complaint, question, … */
  readonly category: string;
}

/**
 * Categories that bring no volunteer team in, whatever their words: a question is answered, and a
 * suggestion or a council topic talked over, by the heads. Teams are for work to be done: repairs,
 * calls for help, and complaints (noise for the mediators, piled-up junk for the cleanup team), as
 * well as the ledger's own categories.
 */
const NO_TEAMS: ReadonlySet<string> = new Set(['question', 'suggestion', 'council']);

/**
 * The unit head of the named unit, else the building head, else a grid worker of the compound.
 * Buildings on the street_backed path and urgent requests notify the grid worker too; a team whose
 * keywords appear in the text is added, unless the category is talk rather than work (NO_TEAMS).
 */
export function routeRequest(
  ledger: Ledger,
  place: BuildingPlace,
  unitNo: number | undefined,
  post: RoutedPost,
): RoutingDecision {
  const { text, urgent } = post;
  const { building, compound } = place;
  const reasons: string[] = [];
  const gridWorker = compound.grid_workers[0] ?? null;
  const unit = unitNo === undefined ? undefined : building.units?.find((u) => u.no === unitNo);

  let assigneeId: string | null;
  let assigneeRole: string;
  if (unit?.head) {
    assigneeId = unit.head;
    assigneeRole = `${unit.no}单元单元长`;
    reasons.push(`交${unitNo}单元单元长 ${ledger.nameOf(unit.head)}`);
  } else if (building.head) {
    assigneeId = building.head;
    assigneeRole = '楼长';
    reasons.push(`${unitWords(building, unitNo)}，交楼长 ${ledger.nameOf(building.head)}`);
  } else {
    assigneeId = gridWorker;
    assigneeRole = '网格员';
    reasons.push(`${building.name}没有楼长，交网格员 ${ledger.nameOf(gridWorker)}`);
  }

  const alsoNotify = new Set<string>();
  if (gridWorker && gridWorker !== assigneeId) {
    if (building.path === 'street_backed') {
      alsoNotify.add(gridWorker);
      reasons.push(`兜底保障型楼栋，同时通知网格员 ${ledger.nameOf(gridWorker)}`);
    } else if (urgent) {
      alsoNotify.add(gridWorker);
      reasons.push(`紧急情况，同时通知网格员 ${ledger.nameOf(gridWorker)}`);
    }
  }
  const matched = ledger.teamsFor(text, compound.id);
  const teams = NO_TEAMS.has(post.category) ? [] : matched;
  for (const team of teams) {
    for (const member of team.members) if (member !== assigneeId) alsoNotify.add(member);
    reasons.push(`关键词匹配，${team.name}协助`);
  }
  if (teams.length < matched.length) {
    const names = matched.map((t) => t.name).join('、');
    reasons.push(`关键词匹配${names}，${categoryName(ledger.categories, post.category)}类不请志愿队`);
  }
  return { assigneeId, assigneeRole, alsoNotify: [...alsoNotify], teamIds: teams.map((t) => t.id), reasons };
}

/** Why the building head has it: no unit written, the unit has no head, or no such unit. */
function unitWords(building: Building, unitNo: number | undefined): string {
  if (unitNo === undefined) return '未写单元';
  // A building whose units the ledger lists: one not among them is a slip or a gap in the ledger.
  const listed = building.units ?? [];
  if (listed.length > 0 && !listed.some((u) => u.no === unitNo))
    return `台账里${building.name}没有${unitNo}单元`;
  return `${unitNo}单元没有单元长`;
}
