import type { SyntheticEvent, SyntheticRequest, SyntheticStreet } from '../../helpers/synthetic-street';

/**
 * The README's definitions of the weekly figures, written again in plain TypeScript over the
 * generated events (never over the SQL or the rows it reads), so the tests compare two
 * independent computations.
 */

const STATUS_EVENTS = new Set(['created', 'acknowledged', 'resolved', 'reopened', 'closed', 'withdrawn']);

export const within = (at: Date, start: Date, end: Date) => at >= start && at < end;

function first(r: SyntheticRequest, ...types: string[]): Date | null {
  const e = r.events.find((x) => types.includes(x.type));
  return e ? e.at : null;
}

function eventsIn(street: SyntheticStreet, start: Date, end: Date, compoundId: string | null) {
  return street.requests
    .filter((r) => compoundId === null || r.compoundId === compoundId)
    .flatMap((r) => r.events.map((e) => ({ r, e })))
    .filter(({ e }) => within(e.at, start, end));
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const minutesBetween = (a: Date, b: Date) => (b.getTime() - a.getTime()) / 60_000;

/**
 * A request's resolve rounds from its events: the first from creation, then one from each
 * 不满意 (reopened), each due a clock length after it starts.
 */
function resolveRounds(r: SyntheticRequest): { start: Date; due: Date }[] {
  const clock = r.resolveDueAt.getTime() - r.createdAt.getTime();
  return [
    { start: r.createdAt, due: r.resolveDueAt },
    ...r.events
      .filter((e) => e.type === 'reopened')
      .map((e) => ({ start: e.at, due: new Date(e.at.getTime() + clock) })),
  ];
}

/** The resolve deadline in force just before `at`: that of the last round begun by then. */
function resolveDueAt(r: SyntheticRequest, at: Date): Date {
  const begun = resolveRounds(r).filter((x, i) => i === 0 || x.start < at);
  return (begun[begun.length - 1] as { due: Date }).due;
}

export function expectedFigures(street: SyntheticStreet, start: Date, end: Date, compoundId: string | null) {
  const rs = street.requests.filter((r) => compoundId === null || r.compoundId === compoundId);
  const acked = (r: SyntheticRequest) => first(r, 'acknowledged', 'resolved');
  const withdrawn = (r: SyntheticRequest) => first(r, 'withdrawn');
  const firstResolved = (r: SyntheticRequest) => first(r, 'resolved');

  const clockCohort = (due: (r: SyntheticRequest) => Date, done: (r: SyntheticRequest) => Date | null) => {
    const cohort = rs.filter((r) => within(due(r), start, end));
    const inTime = (r: SyntheticRequest) => {
      const at = done(r);
      return at !== null && at <= due(r);
    };
    const counted = cohort.filter((r) => {
      const w = withdrawn(r);
      return inTime(r) || w === null || w > due(r);
    });
    return { numerator: counted.filter(inTime).length, denominator: counted.length };
  };

  // Each round's deadline in the week, met by the round's resolution (the first since it began).
  const resolution = () => {
    let numerator = 0;
    let denominator = 0;
    for (const r of rs) {
      const w = withdrawn(r);
      for (const round of resolveRounds(r).filter((x) => within(x.due, start, end))) {
        const done = r.events.find((e) => e.type === 'resolved' && e.at >= round.start)?.at ?? null;
        const inTime = done !== null && done <= round.due;
        if (inTime || w === null || w > round.due) denominator++;
        if (inTime) numerator++;
      }
    }
    return { numerator, denominator };
  };

  const events = eventsIn(street, start, end, compoundId);
  const ratings = events.filter(({ e }) => e.type === 'rated');
  const escalations = events.filter(({ e }) => e.type === 'escalated');
  const categories = new Map<string, number>();
  for (const r of rs.filter((x) => within(x.createdAt, start, end))) {
    categories.set(r.category, (categories.get(r.category) ?? 0) + 1);
  }
  return {
    received: rs.filter((r) => within(r.createdAt, start, end)).length,
    resolved: new Set(events.filter(({ e }) => e.type === 'resolved').map(({ r }) => r.no)).size,
    response: clockCohort((r) => r.ackDueAt, acked),
    resolution: resolution(),
    satisfaction: {
      numerator: ratings.filter(({ e }) => e.data.rating === 'good').length,
      denominator: ratings.length,
    },
    medianAckMinutes: median(
      rs.flatMap((r) => {
        const at = acked(r);
        return at && within(at, start, end) ? [minutesBetween(r.createdAt, at)] : [];
      }),
    ),
    medianResolveMinutes: median(
      rs.flatMap((r) => {
        const at = firstResolved(r);
        return at && within(at, start, end) ? [minutesBetween(r.createdAt, at)] : [];
      }),
    ),
    categories: [...categories]
      .map(([category, count]) => ({ category, count }))
      .sort((a, b) => b.count - a.count || a.category.localeCompare(b.category)),
    escalations: escalations.length,
    escalationsToStreet: escalations.filter(({ e }) => (e.data.level as number) >= 2).length,
  };
}

/** The status a request's events gave it just before `at`; null when it did not exist yet. */
export function statusAt(r: SyntheticRequest, at: Date): string | null {
  if (r.createdAt >= at) return null;
  let status = 'open';
  for (const e of r.events) {
    if (e.at >= at) break;
    if (!STATUS_EVENTS.has(e.type)) continue;
    status = { created: 'open', reopened: 'acknowledged' }[e.type] ?? e.type;
  }
  return status;
}

const active = (s: string | null) => s === 'open' || s === 'acknowledged';

export function expectedExceptions(street: SyntheticStreet, start: Date, end: Date) {
  const byCreation = [...street.requests].sort(
    (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.no - b.no,
  );
  const overdue = byCreation.filter((r) => {
    const s = statusAt(r, end);
    return (s === 'open' && r.ackDueAt < end) || (active(s) && resolveDueAt(r, end) < end);
  });
  const inWeek = (e: SyntheticEvent) => within(e.at, start, end);
  const reopened = street.requests.filter((r) =>
    r.events.some(
      (e) => inWeek(e) && ((e.type === 'rated' && e.data.rating === 'bad') || e.type === 'reopened'),
    ),
  );
  const escalations = street.requests.flatMap((r) =>
    r.events.filter((e) => e.type === 'escalated' && inWeek(e)),
  );
  const levelAt = (r: SyntheticRequest) =>
    Math.max(
      0,
      ...r.events.filter((e) => e.type === 'escalated' && e.at < end).map((e) => e.data.level as number),
    );
  const streetList = byCreation.filter((r) => active(statusAt(r, end)) && levelAt(r) >= 2);
  const council = byCreation.filter(
    (r) => active(statusAt(r, end)) && r.events.some((e) => e.type === 'council' && e.at < end),
  );
  return {
    overdue: overdue.map((r) => r.no),
    unacknowledged: overdue.filter((r) => statusAt(r, end) === 'open' && r.ackDueAt < end).map((r) => r.no),
    reopened: reopened.map((r) => r.no).sort((a, b) => a - b),
    escalations: {
      total: escalations.length,
      toStreet: escalations.filter((e) => (e.data.level as number) >= 2).length,
    },
    streetList: streetList.map((r) => r.no),
    council: council.map((r) => r.no),
    newCouncil: council
      .filter((r) => r.events.some((e) => e.type === 'council' && inWeek(e)))
      .map((r) => r.no),
  };
}

export function expectedBuildingWeeks(street: SyntheticStreet, start: Date, end: Date) {
  const out = new Map<string, { received: number; resolved: number; stillOpen: number[] }>();
  const entry = (id: string) => {
    const e = out.get(id) ?? { received: 0, resolved: 0, stillOpen: [] };
    out.set(id, e);
    return e;
  };
  for (const r of street.requests) {
    if (within(r.createdAt, start, end)) entry(r.buildingId).received++;
    if (r.events.some((e) => e.type === 'resolved' && within(e.at, start, end)))
      entry(r.buildingId).resolved++;
    if (active(statusAt(r, end))) entry(r.buildingId).stillOpen.push(r.no);
  }
  for (const e of out.values()) e.stillOpen.sort((a, b) => a - b);
  return out;
}
