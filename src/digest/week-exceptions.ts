import type { DataSource, EntityManager } from 'typeorm';
import { openAsOf, type OpenAsOf } from './as-of';
import { weekBounds, weekStartingAt, type IsoWeek } from './calendar';

/**
 * What the digest leads with: the requests that need someone's attention, as they stood at the end
 * of the week (see as-of.ts), and what went wrong during it.
 */

type Db = EntityManager | DataSource;

export interface RequestBrief {
  readonly id: string;
  readonly no: number;
  readonly compoundId: string | null;
  readonly buildingId: string | null;
  readonly category: string;
  readonly text: string;
  readonly createdAt: Date;
}

/** Without its text: the digest lists the overdue by building. */
export interface OverdueRequest extends Omit<RequestBrief, 'text'> {
  /** Not acknowledged by its deadline (else: acknowledged, not resolved by its deadline). */
  readonly unacknowledged: boolean;
}

export interface ReopenedRequest extends RequestBrief {
  readonly ratedBad: boolean;
  readonly reopened: boolean;
  /** The resident's latest reason, if one was given. */
  readonly note: string | null;
}

export interface CouncilItem extends RequestBrief {
  /** Put on the agenda during the week. */
  readonly isNew: boolean;
}

export interface WeekExceptions {
  /** Open or in hand at the end of the week and past a deadline, oldest first. */
  readonly overdue: readonly OverdueRequest[];
  /** Rated 不满意 or reopened during the week. */
  readonly reopened: readonly ReopenedRequest[];
  readonly escalations: { readonly total: number; readonly toGridWorker: number; readonly toStreet: number };
  /** The street's list: escalated to the street (twice) and still open at the end of the week, oldest first. */
  readonly streetList: readonly RequestBrief[];
  /** The residents' council agenda: 议事 posts and referrals still open at the end of the week. */
  readonly council: readonly CouncilItem[];
}

function brief(row: Record<string, unknown>): RequestBrief {
  return {
    id: String(row.id),
    no: Number(row.no),
    compoundId: (row.compound_id as string | null) ?? null,
    buildingId: (row.building_id as string | null) ?? null,
    category: String(row.category),
    text: String(row.text),
    createdAt: row.created_at as Date,
  };
}

const REOPENED_SQL = `
  SELECT r.id, r.no, r.compound_id, r.building_id, r.category, r.text, r.created_at,
    bool_or(e.type = 'rated') AS rated_bad,
    bool_or(e.type = 'reopened') AS reopened,
    (array_agg(e.note ORDER BY e.at DESC, e.id DESC) FILTER (WHERE e.note IS NOT NULL))[1] AS note
  FROM request_event e JOIN request r ON r.id = e.request_id
  WHERE e.at >= $1 AND e.at < $2
    AND ((e.type = 'rated' AND e.data->>'rating' = 'bad') OR e.type = 'reopened')
  GROUP BY r.id
  ORDER BY r.no`;

const ESCALATION_SQL = `
  SELECT count(*) AS total,
    count(*) FILTER (WHERE (data->>'level')::int >= 2) AS to_street
  FROM request_event WHERE type = 'escalated' AND at >= $1 AND at < $2`;

/** The brief of a request on one of the lists (openAsOf gives it, and the text for those that show it). */
function briefOf(r: OpenAsOf): Omit<RequestBrief, 'text'> {
  if (!r.brief) throw new Error(`#${r.no} is on a list but has no brief`);
  return r.brief;
}

function withText(r: OpenAsOf): RequestBrief {
  return { ...briefOf(r), text: r.text ?? '' };
}

/**
 * The week's exceptions. `open` is what openAsOf gives for the end of the week; buildDigest reads
 * it once for the exceptions and the buildings' weeks, and passes it in.
 */
export async function weekExceptions(
  db: Db,
  query: { readonly weekStart: Date; readonly timeZone: string },
  open?: readonly OpenAsOf[],
): Promise<WeekExceptions> {
  const week: IsoWeek = weekStartingAt(query.weekStart, query.timeZone);
  const { start, end } = weekBounds(week, query.timeZone);
  const params = [start, end];
  const openThen = open ?? (await openAsOf(db, { at: end, since: start }));
  const reopened = await db.query<Record<string, unknown>[]>(REOPENED_SQL, params);
  const [escalations] = await db.query<Record<string, unknown>[]>(ESCALATION_SQL, params);
  const total = Number(escalations?.total ?? 0);
  const toStreet = Number(escalations?.to_street ?? 0);
  return {
    overdue: openThen
      .filter((r) => r.overdue)
      .map((r) => ({ ...briefOf(r), unacknowledged: r.unacknowledged })),
    reopened: reopened.map((r) => ({
      ...brief(r),
      ratedBad: r.rated_bad === true,
      reopened: r.reopened === true,
      note: (r.note as string | null) ?? null,
    })),
    escalations: { total, toGridWorker: total - toStreet, toStreet },
    streetList: openThen.filter((r) => r.withStreet).map(withText),
    council: openThen.filter((r) => r.council).map((r) => ({ ...withText(r), isNew: r.councilSince })),
  };
}
