import { DataSource, type EntityManager } from 'typeorm';
import type { Ledger } from '../ledger/ledger';
import { openAsOf } from './as-of';
import { formatIsoWeek, shiftWeek, weekBounds, type IsoWeek } from './calendar';
import { weekExceptions, type WeekExceptions } from './week-exceptions';
import {
  compoundWeek,
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

/**
 * Two independent reads: at once on a DataSource (each on its own pooled connection), one after
 * the other inside a transaction, whose single connection cannot run two statements at a time.
 */
async function bothOf<A, B>(db: Db, a: () => Promise<A>, b: () => Promise<B>): Promise<[A, B]> {
  if (db instanceof DataSource) return Promise.all([a(), b()]);
  return [await a(), await b()];
}

/**
 * Gathers one week's digest: the street's and each compound's figures, this week and the one before.
 * Given a DataSource it reads on two connections at once (the weekly job builds the digest before
 * it claims the week, so it can); given a transaction, on that transaction's connection.
 */
export async function buildDigest(db: Db, ledger: Ledger, week: IsoWeek, timeZone: string): Promise<Digest> {
  const { start, end } = weekBounds(week, timeZone);
  const previousStart = weekBounds(shiftWeek(week, -1), timeZone).start;
  // Every compound's figures and the street's in one pass per week, not one query per compound.
  // The requests open at the end of the week are read once, for this week's figures per building
  // and for the exceptions; the week before needs neither.
  const [open, previous] = await bothOf(
    db,
    () => openAsOf(db, { at: end, since: start }),
    () => weeklyFiguresForAll(db, { weekStart: previousStart, timeZone }),
  );
  const [{ figures: current, buildings }, exceptions] = await bothOf(
    db,
    () => weeklyFiguresWithBuildings(db, { weekStart: start, timeZone }, open),
    () => weekExceptions(db, { weekStart: start, timeZone }, open),
  );
  const figures = (all: Map<string | null, WeeklyFigures>, weekStart: Date, compoundId: string | null) =>
    compoundWeek(all, compoundId, weekStart);
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
    exceptions,
    buildings,
  };
}
