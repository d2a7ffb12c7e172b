import { categoryName, maskPhones, shorten } from '../requests/format';
import { Outgoing } from '../requests/outgoing';
import { requestClock } from '../requests/due-times';
import { handOver } from '../requests/hand-over';
import { addEvent, updateRequest, type RequestRow } from '../requests/request-store';
import { endResolveRound } from '../requests/resolve-rounds';
import type { CommandContext, CommandDefinition } from './context';

/**
 * The way forward for a 不满意 on a request that is over: the same trouble, reported again, in the
 * reporter's own words of the first time (masked, as everything sent).
 */
function reportAgain(ctx: CommandContext, request: RequestRow): string {
  const tag = `#${categoryName(ctx.ledger.categories, request.category)}`;
  return `；问题还在的话请重新报事：${tag} ${shorten(maskPhones(request.text), 30)}`;
}

/**
 * Rating applies to a resolved request only; says why not otherwise, and to a 不满意 on one that
 * is over, how to go on. Returns true when it may go on.
 */
function canRate(ctx: CommandContext, request: RequestRow): boolean {
  const no = request.no;
  const unhappy = ctx.command.name === 'rate_bad';
  const again = unhappy ? reportAgain(ctx, request) : '';
  switch (request.status) {
    case 'resolved':
      return true;
    case 'closed':
      // Only 满意 closes a request; closed otherwise, it closed by itself when the rating window
      // ran out (auto-close), even if an earlier round was rated 不满意.
      if (request.rating === 'good') ctx.out.reply(`#${no} 已完结，评价过了${again}`);
      else ctx.out.reply(`#${no} 已超过评价时间，自动办结了${unhappy ? again : '，不用再评价'}`);
      return false;
    case 'withdrawn':
      ctx.out.reply(unhappy ? `#${no} 已撤回${again}` : `#${no} 已撤回，不用评价`);
      return false;
    default:
      ctx.out.reply(`#${no} 还没办结，办结后再评价`);
      return false;
  }
}

/**
 * What a 满意 says, and to whom: the handler hears it (with the reporter's words, if any); the
 * reporter is thanked only when there is no one else to tell.
 */
function praise(ctx: CommandContext, request: RequestRow): [string, string[]] {
  const handler = request.assigneeId;
  if (!handler || handler === ctx.senderId) return [`#${request.no} 已完结，谢谢您的评价！`, []];
  const words = ctx.command.rest ? `（${shorten(maskPhones(ctx.command.rest), 30)}）` : '';
  return [`#${request.no} 已完结。报事人评价满意${words}，辛苦${ctx.ledger.nameOf(handler)}了！`, [handler]];
}

export const rateGood: CommandDefinition = {
  name: 'rate_good',
  action: '评价',
  permission: 'reporter',
  forStaff: false,
  async run(ctx, request) {
    if (!request || !canRate(ctx, request)) return;
    await updateRequest(ctx.tx, request.id, {
      status: 'closed',
      rating: 'good',
      ratingNote: ctx.command.rest || null,
      closedAt: ctx.now,
      updatedAt: ctx.now,
    });
    await addEvent(ctx.tx, request.id, {
      type: 'rated',
      actorId: ctx.senderId,
      at: ctx.now,
      note: ctx.command.rest || null,
      data: { rating: 'good' },
    });
    await addEvent(ctx.tx, request.id, { type: 'closed', actorId: ctx.senderId, at: ctx.now });
    ctx.out.reply(...praise(ctx, request), request.id);
  },
};

export const rateBad: CommandDefinition = {
  name: 'rate_bad',
  action: '评价',
  permission: 'reporter',
  forStaff: false,
  async run(ctx, request) {
    if (!request || !canRate(ctx, request)) return;
    const reason = ctx.command.rest;
    // Not satisfied: back to the assignee, still acknowledged, with the resolve clock running again.
    const clock = requestClock(request, ctx.ledger.document.response_clocks ?? []);
    // The old deadline stays in its week's figures; the new round is chased by the reminder sweep.
    await endResolveRound(ctx.tx, request, ctx.now);
    await updateRequest(ctx.tx, request.id, {
      resolveDueAt: new Date(ctx.now.getTime() + clock.resolveMinutes * 60_000),
      status: 'acknowledged',
      rating: 'bad',
      ratingNote: reason || null,
      resolvedAt: null,
      reopenCount: request.reopenCount + 1,
      updatedAt: ctx.now,
    });
    await addEvent(ctx.tx, request.id, {
      type: 'rated',
      actorId: ctx.senderId,
      at: ctx.now,
      note: reason || null,
      data: { rating: 'bad' },
    });
    await addEvent(ctx.tx, request.id, {
      type: 'reopened',
      actorId: ctx.senderId,
      at: ctx.now,
      note: reason || null,
    });
    // Back to a handler the ledger no longer names (they left while it was resolved): to their
    // successor instead, who is told why.
    const departed = request.assigneeId !== null && !ctx.ledger.person(request.assigneeId);
    const notice = departed ? new Outgoing() : null;
    const successor = notice ? await handOver(ctx.tx, ctx.ledger, request, ctx.now, notice) : null;
    const handler = successor ?? request.assigneeId;
    ctx.out.reply(
      `#${request.no} 已重新打开，请继续跟进${reason ? `。原因：${maskPhones(reason)}` : ''}`,
      handler ? [handler] : [],
      request.id,
    );
    for (const m of notice?.messages ?? []) ctx.out.add(m);
  },
};
