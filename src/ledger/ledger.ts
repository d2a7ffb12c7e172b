import { buildCategoryTable, type CategoryTable } from '../intake/parse';
import type { Hazard } from '../intake/parse';
import type { Building, Compound, LedgerDocument, Person, Team } from './schema';

/**
 * Ledgers use one-character keywords (电 for the electricians, 堵 for the plumbers); these
 * everyday words and phrases contain them without being about wiring or pipes, so they are blanked
 * before matching. The phrases come first: at 电动车堵了 the blocked way wins over the vehicle.
 */
const NOT_A_KEYWORD = new RegExp(
  [
    // 堵: a way blocked by a vehicle, or a passage blocked, rather than a drain.
    '(?:电动|电瓶|自行|汽|三轮)?车[被给让]?堵',
    '堵(?:车|路|门)',
    '(?:通道|过道|楼道口|路口|出口|车道|门口)[被给让]?堵',
    // 电: devices and bills rather than wiring.
    '电话|电梯|电视|电脑|电影|电信|电子|电商|电费|电价|电动车|电瓶车|电动自行车',
    '手机',
    '\\d{7,}',
  ].join('|'),
  'g',
);

/** A building with the compound it stands in. */
export interface BuildingPlace {
  readonly building: Building;
  readonly compound: Compound;
}

/** A building an earlier ledger version named, as it last named it. */
export interface FormerBuilding {
  readonly compoundId: string;
  readonly compoundName: string;
  readonly name: string;
}

/** What earlier ledger versions named and this one does not: requests still refer to it. */
export interface LedgerHistory {
  /** Names of people removed from the ledger (kept as deactivated rows), by userid. */
  readonly people: ReadonlyMap<string, string>;
  /** Buildings removed from the ledger (kept as deactivated rows), by id. */
  readonly buildings: ReadonlyMap<string, FormerBuilding>;
}

/** How requests name a building: `江湾小区` and `7号楼`. */
export interface BuildingNames {
  readonly compound: string;
  readonly building: string;
}

const NO_HISTORY: LedgerHistory = { people: new Map(), buildings: new Map() };

/**
 * A loaded ledger with the lookups routing and permissions need. Built once per ledger version
 * and shared: it is read-only.
 */
export class Ledger {
  readonly categories: CategoryTable;
  private readonly people = new Map<string, Person>();
  /** The ledger's spelling of each userid it knows, present or former, by its lowercase form. */
  private readonly spellings = new Map<string, string>();
  private readonly byChat = new Map<string, BuildingPlace>();
  private readonly byBuilding = new Map<string, BuildingPlace>();
  private readonly compounds = new Map<string, Compound>();

  constructor(
    readonly document: LedgerDocument,
    /** The ledger_version row this came from; 0 for an empty ledger. */
    readonly version: number,
    private readonly history: LedgerHistory = NO_HISTORY,
  ) {
    this.categories = buildCategoryTable(document.categories ?? []);
    for (const p of document.people) this.people.set(p.id, p);
    // Former people first, so a present person's spelling wins where both exist.
    for (const id of [...history.people.keys(), ...this.people.keys()])
      this.spellings.set(id.toLowerCase(), id);
    for (const compound of document.compounds) {
      this.compounds.set(compound.id, compound);
      for (const building of compound.buildings) {
        const place = { building, compound };
        this.byBuilding.set(building.id, place);
        if (building.chat_id) this.byChat.set(building.chat_id, place);
      }
    }
  }

  static empty(): Ledger {
    return new Ledger(
      {
        street: { id: 'street', name: '街道', admins: ['admin'] },
        people: [],
        compounds: [],
        teams: [],
        leadership: { members: ['admin'] },
      },
      0,
    );
  }

  get streetName(): string {
    return this.document.street.name;
  }

  placeOfChat(chatId: string): BuildingPlace | undefined {
    return this.byChat.get(chatId);
  }

  placeOfBuilding(buildingId: string): BuildingPlace | undefined {
    return this.byBuilding.get(buildingId);
  }

  /**
   * The names to show for a request's building. A building removed from the ledger keeps the
   * names it last had (its compound's current name while the compound is still in the ledger), so
   * its requests still read well; undefined only for a building never in it.
   */
  buildingNames(buildingId: string | null | undefined): BuildingNames | undefined {
    if (!buildingId) return undefined;
    const place = this.byBuilding.get(buildingId);
    if (place) return { compound: place.compound.name, building: place.building.name };
    const former = this.history.buildings.get(buildingId);
    if (!former) return undefined;
    return {
      compound: this.compounds.get(former.compoundId)?.name ?? former.compoundName,
      building: former.name,
    };
  }

  compound(id: string): Compound | undefined {
    return this.compounds.get(id);
  }

  allCompounds(): readonly Compound[] {
    return this.document.compounds;
  }

  /**
   * The userid as the ledger spells it. WeCom matches userids without regard to letter case, so a
   * callback may spell one otherwise than the ledger (which refuses two ids that differ only in
   * case); anyone the ledger never named keeps WeCom's spelling.
   */
  userid(given: string): string {
    return this.spellings.get(given.toLowerCase()) ?? given;
  }

  person(id: string): Person | undefined {
    return this.people.get(id);
  }

  /**
   * The display name for a userid. Someone removed from the ledger keeps the name they had, so the
   * requests they touched still read well; the id itself only for someone never in it.
   */
  nameOf(id: string | null | undefined): string {
    if (!id) return '';
    return this.people.get(id)?.name ?? this.history.people.get(id) ?? id;
  }

  /**
   * Finds a person by what was typed after @: WeCom puts the display name there, operators may
   * type the userid. Returns all matches so the caller can refuse an ambiguous name.
   */
  findPeople(mention: string): Person[] {
    const byId = this.people.get(this.userid(mention));
    if (byId) return [byId];
    return this.document.people.filter((p) => p.name === mention);
  }

  isAdmin(personId: string): boolean {
    return this.document.street.admins.includes(personId);
  }

  isGridWorker(personId: string, compoundId: string | null): boolean {
    if (compoundId) return this.compounds.get(compoundId)?.grid_workers.includes(personId) ?? false;
    return this.document.compounds.some((c) => c.grid_workers.includes(personId));
  }

  /** True for anyone with a role: heads, grid workers, team members, admins, leaders. */
  hasRole(personId: string): boolean {
    if (this.isAdmin(personId) || this.isGridWorker(personId, null)) return true;
    if (this.document.leadership.members.includes(personId)) return true;
    if (this.document.teams.some((t) => t.members.includes(personId))) return true;
    return this.document.compounds.some((c) =>
      c.buildings.some((b) => b.head === personId || (b.units ?? []).some((u) => u.head === personId)),
    );
  }

  /** Teams whose keywords appear in the text and that serve the compound. */
  teamsFor(text: string, compoundId: string | null): Team[] {
    const plain = text.replace(NOT_A_KEYWORD, ' ');
    return this.document.teams.filter(
      (t) =>
        (!t.compounds || (compoundId !== null && t.compounds.includes(compoundId))) &&
        t.keywords.some((k) => plain.includes(k)),
    );
  }

  safetyLine(hazard: Hazard): string | undefined {
    return this.document.safety_lines?.[hazard];
  }
}
