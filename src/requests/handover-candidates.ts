import type { Ledger } from '../ledger/ledger';
import type { RequestRow } from './request-store';

/** Someone a request can be handed to, with the role that puts them on the list. */
export interface Candidate {
  readonly id: string;
  readonly name: string;
  /** 楼长, 2单元长, 6号楼楼长, 网格员, a team's name, 街道. */
  readonly role: string;
}

export interface CandidateGroup {
  /** 7号楼, 江湾小区其他楼栋, 网格员, a team's name, 街道. */
  readonly label: string;
  readonly people: readonly Candidate[];
}

/**
 * Whom the street office may hand a request to from its pages: the people of its building first,
 * then the compound's other heads, its grid workers, the volunteer teams serving it and the street's
 * admins; those the chat's 转派 is used for. Each person once, in the first group that names them.
 */
export function handoverCandidates(
  ledger: Ledger,
  request: Pick<RequestRow, 'compoundId' | 'buildingId'>,
): CandidateGroup[] {
  const compound = request.compoundId ? ledger.compound(request.compoundId) : undefined;
  const seen = new Set<string>();
  const groups: CandidateGroup[] = [];
  const add = (label: string, entries: readonly (readonly [string | undefined, string])[]) => {
    const people: Candidate[] = [];
    for (const [id, role] of entries) {
      const person = id ? ledger.person(id) : undefined;
      if (!person || seen.has(person.id)) continue;
      seen.add(person.id);
      people.push({ id: person.id, name: person.name, role });
    }
    if (people.length > 0) groups.push({ label, people });
  };

  const buildings = compound?.buildings ?? [];
  const own = buildings.find((b) => b.id === request.buildingId);
  const headsOf = (b: (typeof buildings)[number], prefix: string) =>
    [
      [b.head, `${prefix}楼长`],
      ...(b.units ?? []).map((u) => [u.head, `${prefix}${u.no}单元长`] as const),
    ] as const;
  if (own) add(own.name, headsOf(own, ''));
  if (compound) {
    add(
      own ? `${compound.name}其他楼栋` : `${compound.name}楼栋`,
      buildings.filter((b) => b !== own).flatMap((b) => headsOf(b, b.name)),
    );
    add(
      '网格员',
      compound.grid_workers.map((id) => [id, '网格员'] as const),
    );
  }
  // A street admin who also volunteers is listed as the street's, below.
  const admins = new Set(ledger.document.street.admins);
  for (const team of ledger.document.teams) {
    if (team.compounds && (!compound || !team.compounds.includes(compound.id))) continue;
    add(
      team.name,
      team.members.filter((id) => !admins.has(id)).map((id) => [id, team.name] as const),
    );
  }
  add(
    '街道',
    ledger.document.street.admins.map((id) => [id, '街道'] as const),
  );
  return groups;
}

/** The candidate with this userid, if the list offers them for this request. */
export function findCandidate(groups: readonly CandidateGroup[], id: string): Candidate | undefined {
  for (const group of groups) {
    const found = group.people.find((p) => p.id === id);
    if (found) return found;
  }
  return undefined;
}
