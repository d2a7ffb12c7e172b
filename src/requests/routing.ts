import type { BuildingPlace, Ledger } from '../ledger/ledger';

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

/**
 * The unit head of the named unit, else the building head, else a grid worker of the compound.
 * Buildings on the street_backed path and urgent requests notify the grid worker too; a team whose
 * keywords appear in the text is added.
 */
export function routeRequest(
  ledger: Ledger,
  place: BuildingPlace,
  unitNo: number | undefined,
  text: string,
  urgent: boolean,
): RoutingDecision {
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
    reasons.push(
      unitNo === undefined
        ? `未写单元，交楼长 ${ledger.nameOf(building.head)}`
        : `${unitNo}单元没有单元长，交楼长 ${ledger.nameOf(building.head)}`,
    );
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
  const teams = ledger.teamsFor(text, compound.id);
  for (const team of teams) {
    for (const member of team.members) if (member !== assigneeId) alsoNotify.add(member);
    reasons.push(`关键词匹配，${team.name}协助`);
  }
  return { assigneeId, assigneeRole, alsoNotify: [...alsoNotify], teamIds: teams.map((t) => t.id), reasons };
}
