import {
  addEvent,
  listEvents,
  updateRequest,
  type EventRow,
  type RequestRow,
} from '../requests/request-store';
import type { CommandContext, CommandDefinition } from './context';
import { closedReason } from '../requests/transitions';

/**
 * Whether the request's current assignee has taken it on since it last changed hands. The status
 * alone cannot say: a request handed over (转派, or escalated to the grid worker) after it was taken
 * on stays acknowledged, and its new handler still has to take it on.
 */
export function takenOnByAssignee(events: readonly EventRow[], assigneeId: string | null): boolean {
  let takenBy: string | null = null;
  for (const e of events) {
    if (e.type === 'acknowledged') takenBy = e.actorId;
    else if (e.type === 'assigned' || (e.type === 'escalated' && e.data.to !== undefined)) takenBy = null;
  }
  return assigneeId !== null && takenBy === assigneeId;
}

/**
 * The sender takes the request on: acknowledged, keeping the first response time (what the weekly
 * response rate counts). A grid worker or admin taking on someone else's request becomes its
 * handler; returns the handler it was with, to be told it is off their hands.
 */
export async function takeOn(ctx: CommandContext, request: RequestRow, note?: string): Promise<string[]> {
  const isAssignee = request.assigneeId === ctx.senderId;
  await updateRequest(ctx.tx, request.id, {
    status: 'acknowledged',
    acknowledgedAt: request.acknowledgedAt ?? ctx.now,
    ...(isAssignee ? {} : { assigneeId: ctx.senderId }),
    updatedAt: ctx.now,
  });
  if (!isAssignee) {
    await addEvent(ctx.tx, request.id, {
      type: 'assigned',
      actorId: ctx.senderId,
      at: ctx.now,
      data: { from: request.assigneeId, to: ctx.senderId },
    });
  }
  await addEvent(ctx.tx, request.id, {
    type: 'acknowledged',
    actorId: ctx.senderId,
    at: ctx.now,
    ...(note ? { note } : {}),
  });
  return !isAssignee && request.assigneeId ? [request.assigneeId] : [];
}

export const ack: CommandDefinition = {
  name: 'ack',
  action: '接单',
  permission: 'handler',
  forStaff: true,
  async run(ctx, request) {
    if (!request) return;
    const no = request.no;
    const closed = closedReason(request.status);
    if (closed) {
      ctx.out.reply(`#${no} ${closed}，不用再接单`);
      return;
    }
    const isAssignee = request.assigneeId === ctx.senderId;
    if (isAssignee && takenOnByAssignee(await listEvents(ctx.tx, [request.id]), request.assigneeId)) {
      ctx.out.reply(`#${no} 已经接单了，办完请回复「办结 ${no} 处理情况」`);
      return;
    }
    const relieved = await takeOn(ctx, request);
    ctx.out.reply(
      `#${no} ${ctx.ledger.nameOf(ctx.senderId)} 已接单，会尽快处理`,
      [request.reporterId, ...relieved],
      request.id,
    );
  },
};
