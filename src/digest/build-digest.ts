import type { DataSource, EntityManager } from 'typeorm';
import type { Ledger } from '../ledger/ledger';
import { openAsOf } from './as-of';
import { formatIsoWeek, shiftWeek, weekBounds, type IsoWeek } from './calendar';
import { weekExceptions, type WeekExceptions } from './week-exceptions';
import {
  rate,
  weeklyFiguresForAll,
  weeklyFiguresWithBuildings,
  type BuildingWeek,
  type WeeklyFigures,
} from './weekly-figures';

type Db = EntityManager | DataSource;

export interface QuietBuilding {
  readonly id: string;
  readonly name: string;
  /** False when the building has no group in the ledger yet: it cannot report anything. */
  readonly hasGroup: boolean;
}

export interface CompoundDigest {
  readonly id: string;
  readonly name: string;
  readonly current: WeeklyFigures;
  readonly previous: WeeklyFigures;
  /** Buildings with no request received in the week. */
  readonly quietBuildings: readonly QuietBuilding[];
}

/** Everything the weekly digest says, as data; render-digest.ts turns it into markdown. */
export interface Digest {
  readonly week: IsoWeek;
  /** 2026-W48 */
  readonly label: string;
  readonly start: Date;
  readonly end: Date;
  readonly timeZone: string;
  readonly total: { readonly current: WeeklyFigures; readonly previous: WeeklyFigures };
  readonly compounds: readonly CompoundDigest[];
  readonly exceptions: WeekExceptions;
  readonly buildings: ReadonlyMap<string, BuildingWeek>;
}

/** A compound with nothing in the week: the street's week with every count zero and no rate. */
function emptyFigures(
  all: Map<string | null, WeeklyFigures>,
  weekStart: Date,
  compoundId: string | null,
): WeeklyFigures {
  const street = all.get(null);
  const none = rate(0, 0);
  return {
    week: street?.week ?? '',
    start: street?.start ?? weekStart,
    end: street?.end ?? weekStart,
    compoundId,
    received: 0,
    resolved: 0,
    response: none,
    resolution: none,
    satisfaction: none,
    medianAckMinutes: null,
    medianResolveMinutes: null,
    categories: [],
    escalations: 0,
    escalationsToStreet: 0,
  };
}

/** Gathers one week's digest: the street's and each compound's figures, this week and the one before. */
export async function buildDigest(db: Db, ledger: Ledger, week: IsoWeek, timeZone: string): Promise<Digest> {
  const { start, end } = weekBounds(week, timeZone);
  const previousStart = weekBounds(shiftWeek(week, -1), timeZone).start;
  // The requests open at the end of the week, read once for the exceptions and the buildings.
  const open = await openAsOf(db, { at: end, since: start });
  // Every compound's figures and the street's in one pass per week, not one query per compound;
  // this week's with each building's.
  const { figures: current, buildings } = await weeklyFiguresWithBuildings(
    db,
    { weekStart: start, timeZone },
    open,
  );
  const previous = await weeklyFiguresForAll(db, { weekStart: previousStart, timeZone });
  const figures = (all: Map<string | null, WeeklyFigures>, weekStart: Date, compoundId: string | null) =>
    all.get(compoundId) ?? emptyFigures(all, weekStart, compoundId);
  const compounds: CompoundDigest[] = [];
  for (const compound of ledger.allCompounds()) {
    compounds.push({
      id: compound.id,
      name: compound.name,
      current: figures(current, start, compound.id),
      previous: figures(previous, previousStart, compound.id),
      quietBuildings: compound.buildings
        .filter((b) => (buildings.get(b.id)?.received ?? 0) === 0)
        .map((b) => ({ id: b.id, name: b.name, hasGroup: Boolean(b.chat_id) })),
    });
  }
  return {
    week,
    label: formatIsoWeek(week),
    start,
    end,
    timeZone,
    total: { current: figures(current, start, null), previous: figures(previous, previousStart, null) },
    compounds,
    exceptions: await weekExceptions(db, { weekStart: start, timeZone }, open),
    buildings,
  };
}
