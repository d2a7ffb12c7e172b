import type { DataSource } from 'typeorm';
import { dispatchCommand } from '../../../src/commands/dispatch';
import { LedgerCache } from '../../../src/ledger/ledger-store';
import { dueTimes } from '../../../src/requests/due-times';
import { Outgoing } from '../../../src/requests/outgoing';
import { addEvent, insertRequest, nextRequestNo } from '../../../src/requests/request-store';
import { Scheduler, type SchedulerOptions } from '../../../src/scheduler';
import { DEFAULT_SCHEDULES } from '../../../src/scheduler/options';
import { fixedClock } from '../../../src/shared/clock';
import { silentLogger, type Logger } from '../../../src/shared/logger';
import { generateStreet, insertStreet, type SyntheticStreet } from '../../helpers/synthetic-street';

export const TZ = 'Asia/Shanghai';

/** A time on the street's wall clock: at('11-29 20:50') is 2026-11-29 20:50 in Shanghai. */
export function at(monthDayTime: string): Date {
  return new Date(`2026-${monthDayTime.replace(' ', 'T')}:00+08:00`);
}

/** The synthetic street's ledger only, no requests: tests add the requests they reason about. */
export async function emptyStreet(dataSource: DataSource, seed = 7): Promise<SyntheticStreet> {
  const street = generateStreet({
    seed,
    requests: 0,
    from: at('11-01 00:00'),
    to: at('11-02 00:00'),
    asOf: at('11-02 00:00'),
  });
  await insertStreet(dataSource, street);
  return street;
}

export const OPTIONS: SchedulerOptions = {
  timeZone: TZ,
  schedules: DEFAULT_SCHEDULES,
  quietHours: { start: 21 * 60, end: 8 * 60 },
  autoCloseAfterMinutes: 72 * 60,
  privateNotices: true,
  catchUpSchedule: null,
};

export function newScheduler(
  dataSource: DataSource,
  now: Date,
  options: Partial<SchedulerOptions> = {},
  logger: Logger = silentLogger,
) {
  const clock = fixedClock(now);
  const scheduler = new Scheduler(dataSource, clock, logger, new LedgerCache(), {
    ...OPTIONS,
    instance: 'test',
    ...options,
  });
  return { scheduler, clock };
}

export interface NewRequest {
  readonly buildingId: string;
  readonly compoundId: string;
  readonly assigneeId: string;
  readonly createdAt: Date;
  readonly category?: string;
  readonly priority?: 'urgent' | 'normal';
  readonly utility?: boolean;
  readonly text?: string;
  readonly unitNo?: number;
}

/** Inserts a request as the desk would have created it, with its response clocks; returns its number. */
export async function addRequest(dataSource: DataSource, r: NewRequest): Promise<number> {
  return dataSource.transaction(async (tx) => {
    const category = r.category ?? 'repair';
    const priority = r.priority ?? 'normal';
    const due = dueTimes({ category, priority, utility: r.utility ?? false }, r.createdAt);
    const row = await insertRequest(tx, {
      no: await nextRequestNo(tx),
      compoundId: r.compoundId,
      buildingId: r.buildingId,
      unitNo: r.unitNo ?? null,
      room: null,
      category,
      text: r.text ?? '楼道灯不亮',
      imageUrls: [],
      reporterId: 'res.1',
      chatId: null,
      status: 'open',
      priority,
      hazard: null,
      utility: r.utility ? 'water' : null,
      assigneeId: r.assigneeId,
      teamIds: [],
      ackDueAt: due.ackDueAt,
      resolveDueAt: due.resolveDueAt,
      inboundId: null,
      createdAt: r.createdAt,
    });
    await addEvent(tx, row.id, { type: 'created', actorId: 'res.1', at: r.createdAt });
    return row.no;
  });
}

/** What `接单 N` does to the row. */
export async function acknowledge(dataSource: DataSource, no: number, when: Date, by: string): Promise<void> {
  await dataSource.transaction(async (tx) => {
    const [rows] = await tx.query<[{ id: string }[], number]>(
      `UPDATE request SET status = 'acknowledged', acknowledged_at = $2, updated_at = $2 WHERE no = $1 RETURNING id`,
      [no, when],
    );
    const id = rows[0]?.id;
    if (!id) throw new Error(`no request #${no}`);
    await addEvent(tx, id, { type: 'acknowledged', actorId: by, at: when });
  });
}

/** What `办结 N` does to the row. */
export async function resolve(dataSource: DataSource, no: number, when: Date, by: string): Promise<void> {
  await dataSource.transaction(async (tx) => {
    const [rows] = await tx.query<[{ id: string }[], number]>(
      `UPDATE request SET status = 'resolved', resolved_at = $2, acknowledged_at = COALESCE(acknowledged_at, $2), updated_at = $2
       WHERE no = $1 RETURNING id`,
      [no, when],
    );
    const id = rows[0]?.id;
    if (!id) throw new Error(`no request #${no}`);
    await addEvent(tx, id, { type: 'resolved', actorId: by, at: when });
  });
}

/** The reporter's `不满意 N reason`, through the real command (the replies it queues are dropped). */
export async function rateBad(
  dataSource: DataSource,
  no: number,
  when: Date,
  reason = '还是不行',
): Promise<void> {
  await dataSource.transaction(async (tx) => {
    await dispatchCommand({
      tx,
      ledger: await new LedgerCache().current(tx),
      now: when,
      timeZone: TZ,
      senderId: 'res.1',
      botName: '睦邻助手',
      place: undefined,
      command: { name: 'rate_bad', requestNo: no, rest: reason, mentions: [] },
      out: new Outgoing(),
    });
  });
}

export interface OutboxRow {
  id: string;
  purpose: string;
  destination: { type: string; webhookKey?: string; userIds?: string[] };
  body: { kind: string; content: string; mentions?: string[] };
  dedupe_key: string | null;
  created_at: Date;
  next_attempt_at: Date;
}

export async function outbox(dataSource: DataSource, purposes?: string[]): Promise<OutboxRow[]> {
  return dataSource.query<OutboxRow[]>(
    `SELECT id, purpose, destination, body, dedupe_key, created_at, next_attempt_at FROM outbox
     ${purposes ? 'WHERE purpose = ANY($1::text[])' : ''} ORDER BY id`,
    purposes ? [purposes] : [],
  );
}

/** Every ten minutes from `from` to `to` inclusive: the default sweep schedule. */
export function sweepInstants(from: Date, to: Date): Date[] {
  const out: Date[] = [];
  for (let t = from.getTime(); t <= to.getTime(); t += 10 * 60_000) out.push(new Date(t));
  return out;
}
