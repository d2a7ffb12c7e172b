import type { EntityManager } from 'typeorm';
import { noticeDetail } from '../requests/escalate-request';
import { addEvent, type RequestRow } from '../requests/request-store';
import type { CommandContext, CommandDefinition } from './context';
import { closedReason } from '../requests/transitions';

/** The event a chase is kept as; the window below is counted from these. */
export const CHASE_EVENT = 'chased';

/**
 * How often a request may be chased: once an hour, whoever chases. Per request rather than per
 * sender, so a volunteer head is not @-ed by every household of the unit in turn over one lamp;
 * the next neighbour is told it was chased and when.
 */
export const CHASE_WINDOW_MS = 60 * 60_000;

/**
 * How long a request waits before it may be chased, unless urgent. The receipt has just @-ed the
 * handler, a volunteer who may be at work or asleep; a chase minutes later only adds noise, and
 * tells the resident nothing they did not know.
 */
export const CHASE_AFTER_MS = 30 * 60_000;

/** 40分钟, 3小时, 2天: how long, rounded down, as a chat says it. */
function span(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${Math.max(minutes, 1)}分钟`;
  const hours = Math.floor(minutes / 60);
  return hours < 24 ? `${hours}小时` : `${Math.floor(hours / 24)}天`;
}

/**
 * The latest chase of the request within the window. Read after dispatch locked the request row
 * (FOR UPDATE), so two chases at once, on one instance or several, are counted one after the
 * other: the second waits for the first to commit and then sees its event. A callback WeCom
 * delivers again is stored once (same msgid) and never runs a second time.
 */
async function lastChase(tx: EntityManager, request: RequestRow, now: Date): Promise<Date | null> {
  const [row] = await tx.query<{ at: Date | null }[]>(
    `SELECT max(at) AS at FROM request_event WHERE request_id = $1 AND type = $2 AND at > $3`,
    [request.id, CHASE_EVENT, new Date(now.getTime() - CHASE_WINDOW_MS)],
  );
  return row?.at ? new Date(row.at) : null;
}

/** Who is chasing, as the handler reads it: the reporter, someone they know by name, or a neighbour. */
function chaser(ctx: CommandContext, request: RequestRow): string {
  if (request.reporterId === ctx.senderId) return '报事人';
  return ctx.ledger.person(ctx.senderId)?.name ?? '邻居';
}

/**
 * A request past its deadline is already late by the practice's clock: the chase @s the
 * compound's grid worker as well, who would be handed it by the reminder ladder anyway. Nothing
 * changes hands here; the escalation itself stays the ladder's (and 上报's).
 */
function gridWorkerToTell(ctx: CommandContext, request: RequestRow): string | null {
  const due = request.status === 'open' ? request.ackDueAt : request.resolveDueAt;
  if (!due || due.getTime() > ctx.now.getTime()) return null;
  const compound = request.compoundId ? ctx.ledger.compound(request.compoundId) : undefined;
  const gridWorker = compound?.grid_workers[0] ?? null;
  return gridWorker && gridWorker !== request.assigneeId && gridWorker !== ctx.senderId ? gridWorker : null;
}

/**
 * 催办 N (催一下, 催催; 怎么还没修 with a number): @s the handler in the group with the request and
 * how long it has waited. The reporter may chase from anywhere. So may the neighbours in the
 * request's own group: a corridor lamp or a blocked passage troubles the whole unit, and they saw
 * the receipt; from anywhere else a chase would be a stranger prodding a volunteer about a home
 * they know nothing of (and the notice shows what the request says). Grid workers and admins,
 * who oversee handlers, may too; the handler is told it is theirs.
 */
export const chase: CommandDefinition = {
  name: 'chase',
  action: '催办',
  permission: 'reporter_or_neighbour',
  forStaff: false,
  async run(ctx, request) {
    if (!request) return;
    const { ledger, now } = ctx;
    const no = request.no;
    const closed = closedReason(request.status);
    if (closed) {
      const rate =
        request.status === 'resolved' && request.reporterId === ctx.senderId
          ? `；没修好请回复「不满意 ${no} 原因」，修好了请回复「满意 ${no}」`
          : '';
      ctx.out.reply(`#${no} ${closed}，不用再催了${rate}`);
      return;
    }
    if (request.assigneeId === ctx.senderId) {
      ctx.out.reply(`#${no} 由您处理，不用催`);
      return;
    }
    const handler = ledger.nameOf(request.assigneeId) || '处理人';
    const waitedMs = now.getTime() - request.createdAt.getTime();
    if (request.priority !== 'urgent' && waitedMs < CHASE_AFTER_MS) {
      ctx.out.reply(
        request.status === 'open'
          ? `#${no} 刚报${span(waitedMs)}，已通知${handler}，请稍等；过半小时还没人接可以再催`
          : `#${no} 刚报${span(waitedMs)}，${handler}已接单，正在处理，请稍等`,
      );
      return;
    }
    const last = await lastChase(ctx.tx, request, now);
    if (last) {
      const since = now.getTime() - last.getTime();
      const when = since < 60_000 ? '刚刚' : `${span(since)}前`;
      ctx.out.reply(`已经催过了，${when}已提醒${handler}，请再等等`);
      return;
    }
    await addEvent(ctx.tx, request.id, { type: CHASE_EVENT, actorId: ctx.senderId, at: now });
    const waited = span(waitedMs);
    const next = request.status === 'open' ? `请尽快接单：接单 ${no}` : `请尽快办结：办结 ${no} 处理情况`;
    const lines = [
      `#${no} ${chaser(ctx, request)}催办，已等${waited}，${next}`,
      noticeDetail(ledger, request),
    ];
    const gridWorker = gridWorkerToTell(ctx, request);
    if (gridWorker) {
      const stage = request.status === 'open' ? '接单' : '办结';
      lines.push(`已过${stage}时限，请网格员${ledger.nameOf(gridWorker)}关注`);
    }
    const mentions = [request.assigneeId, gridWorker].filter((id): id is string => id !== null);
    ctx.out.add({
      audience: { to: 'here' },
      format: 'text',
      content: lines.join('\n'),
      mentions,
      purpose: 'reply',
      requestId: request.id,
      // Sent on from a private chat, the reporter reads this rather than the handler's line.
      senderNote: `#${no} 已帮您催了${handler}`,
    });
  },
};
