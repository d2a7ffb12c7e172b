import type { DataSource } from 'typeorm';
import { validateLedger, type LedgerDocument } from '../../src/ledger';
import { importLedger } from '../../src/ledger/ledger-store';
import { dueTimes } from '../../src/requests/due-times';
import { fixedClock } from '../../src/shared/clock';
import { seededRandom } from './wecom-payloads';

/**
 * A synthetic street from a seed: a ledger of compounds and buildings, and requests with known
 * timings, ratings, reopenings, escalations, council referrals and withdrawals, each with the event
 * log the desk would have written. Row columns are replayed from the events, as the commands would
 * have set them, so tests can compute every figure from the events independently of the SQL.
 */

export interface SyntheticEvent {
  readonly type: string;
  readonly at: Date;
  readonly actorId: string | null;
  readonly note: string | null;
  readonly data: Record<string, unknown>;
}

export interface SyntheticRequest {
  readonly no: number;
  readonly compoundId: string;
  readonly buildingId: string;
  readonly chatId: string;
  readonly category: string;
  readonly text: string;
  readonly reporterId: string;
  readonly priority: 'urgent' | 'normal';
  readonly utility: string | null;
  readonly createdAt: Date;
  readonly ackDueAt: Date;
  /** The first round's (from creation); each 不满意 starts a round due a clock length after it. */
  readonly resolveDueAt: Date;
  /** Chronological; nothing after the street's asOf instant. */
  readonly events: readonly SyntheticEvent[];
  readonly initialAssignee: string;
}

export interface SyntheticStreet {
  readonly ledger: LedgerDocument;
  readonly requests: readonly SyntheticRequest[];
  readonly asOf: Date;
}

export interface StreetOptions {
  readonly seed: number;
  readonly requests?: number;
  /** Requests are created uniformly in [from, to). */
  readonly from: Date;
  readonly to: Date;
  /** The data's present: no event is later. */
  readonly asOf: Date;
}

const COMPOUNDS = ['春晖小区', '光明新村', '和平里', '幸福苑', '东风小区', '向阳新村'];
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const GIVEN = '建国 秀兰 志强 丽娟 海平 玉兰 德明 美玲 卫民 淑珍 桂芳 晓燕'.split(' ');
const TEXTS: Record<string, readonly string[]> = {
  repair: ['楼道灯不亮', '水管漏水', '单元门禁坏了', '屋顶渗水', '电梯异响'],
  complaint: ['楼下噪音很大', '楼道堆放杂物', '垃圾没人清运', '电动车在楼道充电'],
  help: ['老人需要帮忙买药', '家里下水道堵了', '独居老人联系不上'],
  suggestion: ['建议加装晾衣架', '建议增加充电桩'],
  question: ['物业费怎么交', '垃圾分类时间是几点'],
  council: ['加装电梯费用分摊', '小区停车位怎么分配', '绿化带改停车位'],
};
const CATEGORY_WEIGHTS: Record<string, number> = {
  repair: 35,
  complaint: 20,
  help: 15,
  suggestion: 10,
  question: 10,
  council: 10,
};
const UTILITIES = ['water', 'power', 'gas', 'heating'];
const MINUTE = 60_000;

interface Place {
  compoundId: string;
  buildingId: string;
  chatId: string;
  assignee: string;
  gridWorker: string;
}

function buildLedger(random: () => number): { ledger: LedgerDocument; places: Place[] } {
  const people: { id: string; name: string }[] = [];
  const person = (id: string) => {
    const name = `${SURNAMES[Math.floor(random() * SURNAMES.length)] ?? '王'}${GIVEN[Math.floor(random() * GIVEN.length)] ?? '建国'}`;
    people.push({ id, name });
    return id;
  };
  const admin = person('admin.1');
  const leader = person('lead.1');
  const places: Place[] = [];
  const compounds = COMPOUNDS.map((name, c) => {
    const id = `c${c + 1}`;
    const gridWorkers = [person(`gw.${id}.1`), ...(c % 2 === 0 ? [person(`gw.${id}.2`)] : [])];
    const buildingCount = c % 2 === 0 ? 6 : 5;
    const buildings = Array.from({ length: buildingCount }, (_, b) => {
      const bid = `${id}-b${b + 1}`;
      // The last building of each compound has no group yet; every third one has no head.
      const hasGroup = b < buildingCount - 1;
      const head = b % 3 === 2 ? undefined : person(`head.${bid}`);
      const building = {
        id: bid,
        name: `${b + 1}号楼`,
        path: head ? ('self_governing' as const) : ('street_backed' as const),
        ...(hasGroup ? { chat_id: `wrkSYN${id}b${b + 1}`, webhook_key: `syn-${id}-b${b + 1}` } : {}),
        ...(head ? { head } : {}),
        households: 24 + b * 6,
        units: [{ no: 1 }, { no: 2 }],
      };
      // One building with a group never reports anything: it is on the digest's quiet list.
      if (hasGroup && !(c === 1 && b === 0)) {
        places.push({
          compoundId: id,
          buildingId: bid,
          chatId: `wrkSYN${id}b${b + 1}`,
          assignee: head ?? (gridWorkers[0] as string),
          gridWorker: gridWorkers[0] as string,
        });
      }
      return building;
    });
    return { id, name, grid_workers: gridWorkers, buildings };
  });
  const document = {
    street: { id: 'heping-jd', name: '和平街道', admins: [admin] },
    people,
    compounds,
    teams: [],
    leadership: { chat_id: 'wrkSYNlead', webhook_key: 'syn-leadership', members: [leader] },
  };
  const checked = validateLedger(document);
  if (!checked.ok) throw new Error(`synthetic ledger is invalid:\n${checked.problems.join('\n')}`);
  return { ledger: checked.ledger, places };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function weighted(random: () => number, weights: Record<string, number>): string {
  const entries = Object.entries(weights);
  let roll = random() * entries.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, w] of entries) {
    roll -= w;
    if (roll < 0) return value;
  }
  return entries[0]?.[0] ?? '';
}

/** Whole minutes in [lo, hi]. */
function minutes(random: () => number, lo: number, hi: number): number {
  return lo + Math.floor(random() * (hi - lo + 1));
}

export function generateStreet(options: StreetOptions): SyntheticStreet {
  const random = seededRandom(options.seed);
  const { ledger, places } = buildLedger(random);
  const count = options.requests ?? 520;
  const span = (options.to.getTime() - options.from.getTime()) / MINUTE;
  const requests: SyntheticRequest[] = [];
  for (let i = 0; i < count; i++) {
    const place = pick(random, places);
    const category = weighted(random, CATEGORY_WEIGHTS);
    const priority = random() < 0.08 ? 'urgent' : 'normal';
    const utility = category === 'repair' && random() < 0.3 ? pick(random, UTILITIES) : null;
    let createdAt = new Date(options.from.getTime() + Math.floor(random() * span) * MINUTE);
    // Some on a midnight in UTC+8, so week boundaries (Monday 00:00) are hit exactly now and then.
    if (random() < 0.05)
      createdAt = new Date(
        Math.floor((createdAt.getTime() + 8 * 60 * MINUTE) / 86_400_000) * 86_400_000 - 8 * 60 * MINUTE,
      );
    const due = dueTimes({ category, priority, utility: utility !== null }, createdAt);
    const timeline = new Timeline(createdAt, options.asOf);
    scriptRequest(random, timeline, { category, place, createdAt, ...due });
    requests.push({
      no: 0,
      compoundId: place.compoundId,
      buildingId: place.buildingId,
      chatId: place.chatId,
      category,
      text: `${pick(random, TEXTS[category] ?? ['其他'])}（${i + 1}）`,
      reporterId: `res.${minutes(random, 1, 400)}`,
      priority,
      utility,
      createdAt,
      ackDueAt: due.ackDueAt,
      resolveDueAt: due.resolveDueAt,
      events: timeline.events(),
      initialAssignee: place.assignee,
    });
  }
  // Numbered in order of creation, as the desk numbers them.
  requests.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  return { ledger, requests: requests.map((r, i) => ({ ...r, no: i + 1 })), asOf: options.asOf };
}

/** Events of one request, kept in time order; those after asOf are dropped at the end. */
class Timeline {
  private readonly list: SyntheticEvent[] = [];
  constructor(
    readonly createdAt: Date,
    private readonly asOf: Date,
  ) {}

  add(
    type: string,
    at: Date,
    actorId: string | null,
    data: Record<string, unknown> = {},
    note: string | null = null,
  ) {
    this.list.push({ type, at, actorId, note, data });
  }

  events(): SyntheticEvent[] {
    // A stable sort keeps same-minute events (rated, then reopened) in the order they were written.
    return [...this.list].sort((a, b) => a.at.getTime() - b.at.getTime()).filter((e) => e.at <= this.asOf);
  }
}

interface Script {
  readonly category: string;
  readonly place: Place;
  readonly createdAt: Date;
  readonly ackDueAt: Date;
  readonly resolveDueAt: Date;
}

const later = (at: Date, mins: number) => new Date(at.getTime() + mins * MINUTE);

/** Draws one request's story: acknowledgement, resolution, ratings, escalations, withdrawal. */
function scriptRequest(random: () => number, t: Timeline, s: Script): void {
  const { place, createdAt, ackDueAt, resolveDueAt } = s;
  const ackClock = (ackDueAt.getTime() - createdAt.getTime()) / MINUTE;
  const resolveClock = (resolveDueAt.getTime() - createdAt.getTime()) / MINUTE;
  let assignee = place.assignee;
  let level = 0;
  t.add('created', createdAt, 'resident');
  t.add('routed', createdAt, null, { assignee });
  if (s.category === 'council') t.add('council', createdAt, null);

  const escalate = (at: Date) => {
    let next = level + 1;
    if (next === 1 && place.gridWorker === assignee) next = 2;
    if (next > 2) return;
    if (next === 1) {
      t.add('escalated', at, null, { level: 1, from: assignee, to: place.gridWorker }, '超过时限');
      assignee = place.gridWorker;
    } else {
      t.add('escalated', at, null, { level: 2 }, '超过时限');
    }
    level = next;
  };

  const roll = random();
  if (roll < 0.04) {
    t.add(
      'withdrawn',
      later(createdAt, minutes(random, 1, Math.max(1, Math.floor(ackClock * 0.8)))),
      'resident',
    );
    return;
  }
  let ackAt: Date | null = null;
  // A few exactly on the deadline: in time, by the definition.
  if (roll < 0.06) ackAt = ackDueAt;
  else if (roll < 0.74) ackAt = later(createdAt, minutes(random, 1, ackClock));
  else if (roll < 0.92) ackAt = later(ackDueAt, minutes(random, 1, 2 * ackClock));
  const ackEscalation = later(ackDueAt, ackClock);
  if (!ackAt) {
    // Some give up after the deadline (a miss all the same), before anyone escalates.
    if (random() < 0.3) t.add('withdrawn', later(ackDueAt, minutes(random, 1, ackClock - 1)), 'resident');
    else escalate(ackEscalation);
    return;
  }
  if (ackAt > ackEscalation) escalate(ackEscalation);
  // Now and then a handler resolves straight away, which acknowledges too.
  const directly = random() < 0.06;
  if (!directly) t.add('acknowledged', ackAt, assignee);

  const resolveRoll = random();
  let resolvedAt: Date | null = null;
  if (directly) resolvedAt = ackAt;
  else if (resolveRoll < 0.05 && ackAt < resolveDueAt) resolvedAt = resolveDueAt;
  else if (resolveRoll < 0.65 && ackAt < resolveDueAt) {
    const spare = Math.floor((resolveDueAt.getTime() - ackAt.getTime()) / MINUTE);
    resolvedAt = later(ackAt, minutes(random, 1, Math.max(1, spare)));
  } else if (resolveRoll < 0.9) {
    resolvedAt = later(resolveDueAt > ackAt ? resolveDueAt : ackAt, minutes(random, 1, resolveClock));
  }
  const resolveEscalation = later(resolveDueAt, resolveClock);
  if (resolveEscalation > ackAt && (!resolvedAt || resolvedAt > resolveEscalation))
    escalate(resolveEscalation);
  if (!resolvedAt) return;
  if (s.category !== 'council' && random() < 0.05) {
    t.add(
      'council',
      later(createdAt, minutes(random, 1, Math.floor((resolvedAt.getTime() - createdAt.getTime()) / MINUTE))),
      place.gridWorker,
    );
  }
  t.add('resolved', resolvedAt, assignee, {}, '已处理');
  rateOrClose(random, t, resolvedAt, assignee, 0);
}

function rateOrClose(
  random: () => number,
  t: Timeline,
  resolvedAt: Date,
  assignee: string,
  round: number,
): void {
  if (random() < 0.4) {
    t.add('closed', later(resolvedAt, 72 * 60), null, { auto: true }, '办结后72小时未评价，自动确认办结');
    return;
  }
  const ratedAt = later(resolvedAt, minutes(random, 5, 48 * 60));
  if (round > 0 || random() < 0.8) {
    t.add('rated', ratedAt, 'resident', { rating: 'good' });
    t.add('closed', ratedAt, 'resident');
    return;
  }
  t.add('rated', ratedAt, 'resident', { rating: 'bad' }, '还是没修好');
  t.add('reopened', ratedAt, 'resident', {}, '还是没修好');
  if (random() < 0.6) {
    const again = later(ratedAt, minutes(random, 60, 3 * 1440));
    t.add('resolved', again, assignee, {}, '重新处理');
    rateOrClose(random, t, again, assignee, round + 1);
  }
}

/** A resolve round a 不满意 ended, as rate_bad keeps it (request_resolve_round). */
interface EndedRound {
  readonly round: number;
  readonly dueAt: Date;
  readonly resolvedAt: Date;
  readonly reopenedAt: Date;
}

/** The row a request's events leave behind, as the commands would have written it. */
export function replay(r: SyntheticRequest) {
  const resolveClockMs = r.resolveDueAt.getTime() - r.createdAt.getTime();
  const rounds: EndedRound[] = [];
  const row = {
    status: 'open',
    assigneeId: r.initialAssignee,
    escalationLevel: 0,
    council: false,
    rating: null as string | null,
    ratingNote: null as string | null,
    reopenCount: 0,
    acknowledgedAt: null as Date | null,
    resolvedAt: null as Date | null,
    closedAt: null as Date | null,
    withdrawnAt: null as Date | null,
    resolveDueAt: r.resolveDueAt,
    reopenedAt: null as Date | null,
    updatedAt: r.createdAt,
    rounds,
  };
  for (const e of r.events) {
    switch (e.type) {
      case 'acknowledged':
        row.status = 'acknowledged';
        row.acknowledgedAt = e.at;
        break;
      case 'resolved':
        row.status = 'resolved';
        row.resolvedAt = e.at;
        row.acknowledgedAt ??= e.at;
        break;
      case 'rated':
        row.rating = e.data.rating as string;
        row.ratingNote = e.note;
        break;
      case 'reopened':
        if (row.resolvedAt) {
          rounds.push({
            round: row.reopenCount,
            dueAt: row.resolveDueAt,
            resolvedAt: row.resolvedAt,
            reopenedAt: e.at,
          });
        }
        // 不满意 restarts the resolve clock.
        row.resolveDueAt = new Date(e.at.getTime() + resolveClockMs);
        row.reopenedAt = e.at;
        row.status = 'acknowledged';
        row.resolvedAt = null;
        row.reopenCount++;
        break;
      case 'closed':
        row.status = 'closed';
        row.closedAt = e.at;
        break;
      case 'withdrawn':
        row.status = 'withdrawn';
        row.withdrawnAt = e.at;
        break;
      case 'escalated':
        row.escalationLevel = e.data.level as number;
        if (typeof e.data.to === 'string') row.assigneeId = e.data.to;
        break;
      case 'council':
        row.council = true;
        break;
    }
    row.updatedAt = e.at;
  }
  return row;
}

/** A request's row as the desk would have left it: its own fields and what its events set. */
function requestRow(r: SyntheticRequest): Record<string, unknown> {
  const row = replay(r);
  // prettier-ignore
  return {
    no: r.no, compound_id: r.compoundId, building_id: r.buildingId, unit_no: 1, category: r.category,
    text: r.text, reporter_id: r.reporterId, chat_id: r.chatId, status: row.status, priority: r.priority,
    utility: r.utility, assignee_id: row.assigneeId, escalation_level: row.escalationLevel,
    council: row.council, ack_due_at: r.ackDueAt, resolve_due_at: row.resolveDueAt, rating: row.rating,
    rating_note: row.ratingNote, reopen_count: row.reopenCount, created_at: r.createdAt,
    updated_at: row.updatedAt, acknowledged_at: row.acknowledgedAt, resolved_at: row.resolvedAt,
    closed_at: row.closedAt, withdrawn_at: row.withdrawnAt, reopened_at: row.reopenedAt,
  };
}

function placeholders(rows: number, columns: number, offset = 0): string {
  return Array.from(
    { length: rows },
    (_, r) => `(${Array.from({ length: columns }, (_, c) => `$${offset + r * columns + c + 1}`).join(', ')})`,
  ).join(', ');
}

/** Imports the ledger and writes every request and event with a few multi-row INSERTs. */
export async function insertStreet(
  dataSource: DataSource,
  street: SyntheticStreet,
): Promise<Map<number, string>> {
  await importLedger(
    dataSource,
    street.ledger,
    fixedClock(street.requests[0]?.createdAt ?? street.asOf),
    'synthetic',
  );
  const ids = new Map<number, string>();
  for (let i = 0; i < street.requests.length; i += 100) {
    const batch = street.requests.slice(i, i + 100);
    const rows = batch.map(requestRow);
    const columns = Object.keys(rows[0] ?? {});
    const inserted = await dataSource.query<{ id: string; no: number }[]>(
      `INSERT INTO request (${columns.join(', ')}) VALUES ${placeholders(batch.length, columns.length)} RETURNING id, no`,
      rows.flatMap((row) => columns.map((c) => row[c])),
    );
    for (const row of inserted) ids.set(row.no, row.id);
  }
  const events = street.requests.flatMap((r) => r.events.map((e) => ({ requestId: ids.get(r.no), ...e })));
  for (let i = 0; i < events.length; i += 1000) {
    const batch = events.slice(i, i + 1000);
    await dataSource.query(
      `INSERT INTO request_event (request_id, type, actor_id, at, note, data) VALUES ${placeholders(batch.length, 6)}`,
      batch.flatMap((e) => [e.requestId, e.type, e.actorId, e.at, e.note, JSON.stringify(e.data)]),
    );
  }
  const rounds = street.requests.flatMap((r) =>
    replay(r).rounds.map((x) => ({ requestId: ids.get(r.no), ...x })),
  );
  for (let i = 0; i < rounds.length; i += 1000) {
    const batch = rounds.slice(i, i + 1000);
    await dataSource.query(
      `INSERT INTO request_resolve_round (request_id, round, due_at, resolved_at, reopened_at)
       VALUES ${placeholders(batch.length, 5)}`,
      batch.flatMap((x) => [x.requestId, x.round, x.dueAt, x.resolvedAt, x.reopenedAt]),
    );
  }
  await dataSource.query(`UPDATE request_counter SET last_no = $1`, [street.requests.length]);
  return ids;
}
