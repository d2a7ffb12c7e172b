import type { EntityManager } from 'typeorm';
import type { Ledger } from '../ledger/ledger';
import { buildingNoticeAudience, deliver } from '../requests/deliver';
import { requestClock } from '../requests/due-times';
import {
  escalateRequest,
  GRID_LEVEL,
  noticeDetail,
  STREET_LEVEL,
  tellStreet,
} from '../requests/escalate-request';
import { Outgoing } from '../requests/outgoing';
import { allStreetAdmins, appTextRef, type PageLinks } from '../requests/page-links';
import { findRequestByNo, type RequestRow } from '../requests/request-store';
import type { Logger } from '../shared/logger';
import { inSavepoint } from './claim';
import { isQuiet, type QuietHours } from './quiet-hours';

/**
 * The reminder ladder. A request not acknowledged by ack_due_at is reminded (the assignee @ in the
 * building group); not acknowledged one clock length after that reminder, it is escalated one
 * level. Acknowledged but not resolved by resolve_due_at: the same with the resolution clock.
 * Each (request, round, stage) happens once, recorded in request_reminder: a 不满意 reopens the
 * request with a new resolve clock, a new round (its reopen_count) reminded and escalated anew.
 * Quiet hours hold every stage of a non-urgent request until they end, urgent ones never wait.
 */
export type Stage = 'ack_remind' | 'ack_escalate' | 'resolve_remind' | 'resolve_escalate';

interface Ladder {
  readonly remind: Stage;
  readonly escalate: Stage;
  readonly due: (r: RequestRow) => Date | null;
  /** The clock's length in minutes, from the rules (not due - created: a reopened round starts later). */
  readonly minutes: (clock: ReturnType<typeof requestClock>) => number;
  readonly verb: string;
  /** The ask; ref is how #no is written (a link to its page, for a street admin reminded privately). */
  readonly reminder: (no: number, ref: string) => string;
}

const ACK: Ladder = {
  remind: 'ack_remind',
  escalate: 'ack_escalate',
  due: (r) => r.ackDueAt,
  minutes: (clock) => clock.acknowledgeMinutes,
  verb: '接单',
  reminder: (no, ref) => `提醒：${ref} 已过接单时限，请尽快接单：接单 ${no}`,
};
const RESOLVE: Ladder = {
  remind: 'resolve_remind',
  escalate: 'resolve_escalate',
  due: (r) => r.resolveDueAt,
  minutes: (clock) => clock.resolveMinutes,
  verb: '办结',
  reminder: (no, ref) => `提醒：${ref} 已过办结时限，请尽快办结：办结 ${no} 处理情况`,
};

/** What request_reminder.outcome records for each stage. */
export const REMINDED = 'reminded';
/** A reminder due but with nowhere to go (no group robot, no private notices). */
export const NOT_DELIVERED = 'reminder not delivered';
const ESCALATED = 'escalated to level ';
/** The escalation stage of a request already with the street: the street is told it is still late. */
const STREET_REMINDED = 'street reminded';

export interface SweepSettings {
  readonly timeZone: string;
  readonly quietHours: QuietHours | null;
  readonly privateNotices: boolean;
  /** Links to a request's page in what reaches the street; none when MULIN_PUBLIC_URL is unset. */
  readonly pageLinks?: PageLinks | undefined;
}

export interface SweepResult {
  readonly reminded: number;
  readonly escalated: number;
  /** Requests already with the street, late again: the street was told, nothing escalated. */
  readonly streetReminded: number;
  /** Stages that were due but held for quiet hours. */
  readonly held: number;
  readonly failed: number;
  /** Messages with nowhere to go (a building without a group robot, private notices off). */
  readonly undeliverable: number;
}

/** 30分钟, 2小时, 24小时, 72小时, 7天: a clock as the practice words it. */
export function clockLength(minutes: number): string {
  if (minutes >= 7 * 1440 && minutes % 1440 === 0) return `${minutes / 1440}天`;
  if (minutes % 60 === 0) return `${minutes / 60}小时`;
  return `${minutes}分钟`;
}

// Candidates: active requests past the deadline of their current ladder that has not reached its
// last stage in its current round (its reopen count: a reopened request is chased anew). Rows a
// command is changing right now are skipped and seen at the next sweep. Whether a candidate's
// ladder has reached its last stage is one probe of request_reminder's primary key per candidate
// (a LATERAL with LIMIT, which the planner keeps per row): as NOT EXISTS under the OR it was a
// hashed subplan reading every escalation ever recorded at every sweep, and as an anti-join a hash
// of the whole table (docs/benchmarks.md, "Reminder sweep").
const CANDIDATES_SQL = `
  SELECT r.no,
    COALESCE((SELECT json_object_agg(x.stage, x.at) FROM request_reminder x
      WHERE x.request_id = r.id AND x.round = r.reopen_count), '{}') AS stages
  FROM request r
  LEFT JOIN LATERAL (
    SELECT true AS done FROM request_reminder x
    WHERE x.request_id = r.id AND x.round = r.reopen_count
      AND x.stage = CASE r.status WHEN 'open' THEN 'ack_escalate' ELSE 'resolve_escalate' END
    LIMIT 1
  ) escalated ON true
  WHERE ((r.status = 'open' AND r.ack_due_at <= $1) OR (r.status = 'acknowledged' AND r.resolve_due_at <= $1))
    AND escalated.done IS NULL
  ORDER BY r.no
  FOR UPDATE OF r SKIP LOCKED`;

type Step = { stage: Stage; ladder: Ladder; kind: 'remind' | 'escalate' } | null;

/** Minutes of the ladder's clock for this request under the ledger's rules. */
function clockMinutes(r: RequestRow, ladder: Ladder, ledger: Ledger): number {
  return ladder.minutes(requestClock(r, ledger.document.response_clocks ?? []));
}

/** The stage due for a request at `now`, if any; `stages` are those of its current round. */
function dueStep(r: RequestRow, stages: Record<string, string>, now: Date, ledger: Ledger): Step {
  const ladder = r.status === 'open' ? ACK : RESOLVE;
  const due = ladder.due(r);
  if (!due) return null;
  const reminded = stages[ladder.remind];
  if (reminded === undefined) return now >= due ? { stage: ladder.remind, ladder, kind: 'remind' } : null;
  if (stages[ladder.escalate] !== undefined) return null;
  // Another clock length after the reminder went out, so a held reminder still gets its full time.
  const escalateAt = new Date(reminded).getTime() + clockMinutes(r, ladder, ledger) * 60_000;
  return now.getTime() >= escalateAt ? { stage: ladder.escalate, ladder, kind: 'escalate' } : null;
}

/** Runs one sweep as of `now`, in the caller's (claimed) transaction. */
export async function sweepReminders(
  tx: EntityManager,
  ledger: Ledger,
  now: Date,
  settings: SweepSettings,
  logger: Logger,
): Promise<SweepResult> {
  const quiet = isQuiet(now, settings.quietHours, settings.timeZone);
  const candidates = await tx.query<{ no: number; stages: Record<string, string> }[]>(CANDIDATES_SQL, [now]);
  let reminded = 0;
  let escalated = 0;
  let streetReminded = 0;
  let held = 0;
  let failed = 0;
  let undeliverable = 0;
  for (const candidate of candidates) {
    const request = await findRequestByNo(tx, candidate.no);
    const step = request ? dueStep(request, candidate.stages, now, ledger) : null;
    if (!request || !step) continue;
    if (quiet && request.priority !== 'urgent') {
      held++;
      continue;
    }
    let outcome = '';
    const error = await inSavepoint(tx, async () => {
      const out = new Outgoing();
      outcome =
        step.kind === 'remind'
          ? remind(request, step.ladder, ledger, out, settings.pageLinks)
          : await escalate(tx, request, step.ladder, ledger, now, out, settings.pageLinks);
      const delivered = await deliver(tx, out.messages, {
        ledger,
        privateNotices: settings.privateNotices,
        now,
        // Per round: a reopened request's reminder is not a duplicate of the first round's.
        dedupeKey: `reminder:${request.id}:${step.stage}${request.reopenCount > 0 ? `:r${request.reopenCount}` : ''}`,
      });
      undeliverable += delivered.undeliverable;
      // A reminder that reached no one is still this stage done (it is not retried), but the
      // request's timeline must not say that someone was reminded.
      const reachedNoOne = delivered.queued + delivered.duplicates === 0;
      if ((outcome === REMINDED || outcome === STREET_REMINDED) && reachedNoOne) outcome = NOT_DELIVERED;
      await tx.query(
        `INSERT INTO request_reminder (request_id, round, stage, at, outcome) VALUES ($1, $2, $3, $4, $5)`,
        [request.id, request.reopenCount, step.stage, now, outcome],
      );
    });
    if (error) {
      failed++;
      logger.error(
        { err: error, no: request.no, stage: step.stage },
        'reminder failed; retried at the next sweep',
      );
    } else if (outcome === REMINDED) {
      reminded++;
    } else if (outcome === STREET_REMINDED) {
      streetReminded++;
    } else if (outcome.startsWith(ESCALATED)) {
      escalated++;
    }
  }
  return { reminded, escalated, streetReminded, held, failed, undeliverable };
}

function remind(
  request: RequestRow,
  ladder: Ladder,
  ledger: Ledger,
  out: Outgoing,
  links: PageLinks | undefined,
): string {
  const mentions = request.assigneeId ? [request.assigneeId] : [];
  const audience = buildingNoticeAudience(ledger, request, request.assigneeId);
  // A link only for a street admin reminded privately: never in the building group.
  const linked = audience.to === 'people' && allStreetAdmins(ledger, audience.userIds);
  const ref = appTextRef(request.no, linked ? links : undefined);
  // The ask, then which request it is: nothing above a reminder in the group says what #7 was.
  const text = `${ladder.reminder(request.no, ref)}\n${noticeDetail(ledger, request)}`;
  out.add({ audience, format: 'text', content: text, mentions, requestId: request.id, purpose: 'reminder' });
  return REMINDED;
}

async function escalate(
  tx: EntityManager,
  request: RequestRow,
  ladder: Ladder,
  ledger: Ledger,
  now: Date,
  out: Outgoing,
  links: PageLinks | undefined,
): Promise<string> {
  const clock = clockMinutes(request, ladder, ledger);
  const reason = `超过${ladder.verb}时限（${clockLength(clock)}）仍未${ladder.verb}`;
  if (request.escalationLevel >= STREET_LEVEL)
    return remindStreet(request, ladder, ledger, reason, out, links);
  let level = request.escalationLevel + 1;
  const compound = request.compoundId ? ledger.compound(request.compoundId) : undefined;
  const gridWorker = compound?.grid_workers[0];
  // A request any of the compound's grid workers holds (the second one, after 转派) is already at
  // the grid level, and one a street admin took on is above it: handing either to the grid worker
  // would move it sideways or down, so go to the street.
  const holder = request.assigneeId;
  const heldAboveHeads =
    holder !== null && (ledger.isGridWorker(holder, request.compoundId) || ledger.isAdmin(holder));
  if (level === GRID_LEVEL && (!gridWorker || heldAboveHeads)) level = STREET_LEVEL;
  const reached = await escalateRequest({ tx, ledger, now, out, pageLinks: links }, request, {
    level,
    actorId: null,
    reason,
    notice: { to: 'building', buildingId: request.buildingId ?? '' },
  });
  return `${ESCALATED}${reached}`;
}

/**
 * A request already with the street is late again (acknowledged there but not resolved, or
 * reopened by a 不满意): there is no level above, so the street itself is told, where its
 * escalations reach it, rather than the building group being told again.
 */
function remindStreet(
  request: RequestRow,
  ladder: Ladder,
  ledger: Ledger,
  reason: string,
  out: Outgoing,
  links: PageLinks | undefined,
): string {
  const handler = request.assigneeId ? `\n> 经办人：${ledger.nameOf(request.assigneeId)}` : '';
  tellStreet(ledger, out, request, links, {
    leadership: (card) => `**仍未${ladder.verb}** ${card}\n> 已在街道，${reason}${handler}`,
    admins: (line) => `仍未${ladder.verb} ${line}\n已在街道，${reason}`,
  });
  return STREET_REMINDED;
}
