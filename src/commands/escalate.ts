import { escalateRequest, GRID_LEVEL, STREET_LEVEL } from '../requests/escalate-request';
import type { CommandContext, CommandDefinition } from './context';
import { closedReason } from '../requests/transitions';

function senderLevel(ctx: CommandContext, compoundId: string | null): number {
  if (ctx.ledger.isAdmin(ctx.senderId)) return STREET_LEVEL;
  if (ctx.ledger.isGridWorker(ctx.senderId, compoundId)) return GRID_LEVEL;
  return 0;
}

export const escalate: CommandDefinition = {
  name: 'escalate',
  action: '上报',
  permission: 'handler',
  forStaff: true,
  async run(ctx, request) {
    if (!request) return;
    const no = request.no;
    const reason = ctx.command.rest;
    if (!reason) {
      ctx.out.reply(`请写上上报原因，例如：上报 ${no} 需要街道协调施工队`);
      return;
    }
    const closed = closedReason(request.status);
    if (closed) {
      ctx.out.reply(`#${no} ${closed}，不用上报`);
      return;
    }
    if (request.escalationLevel >= STREET_LEVEL) {
      ctx.out.reply(`#${no} 已经上报街道，请等街道回复`);
      return;
    }
    // One level above both where the request is and where the sender stands.
    const level = Math.min(
      STREET_LEVEL,
      Math.max(request.escalationLevel, senderLevel(ctx, request.compoundId)) + 1,
    );
    await escalateRequest(ctx, request, {
      level,
      actorId: ctx.senderId,
      reason,
      notice: { to: 'here' },
    });
  },
};
