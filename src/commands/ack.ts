import { addEvent, updateRequest } from '../requests/request-store';
import type { CommandDefinition } from './context';
import { closedReason } from './transitions';

export const ack: CommandDefinition = {
  name: 'ack',
  action: '接单',
  permission: 'handler',
  forStaff: true,
  async run(ctx, request) {
    if (!request) return;
    const no = request.no;
    if (request.status === 'acknowledged') {
      ctx.out.reply(`#${no} 已经接单了，办完请回复「办结 ${no} 处理情况」`);
      return;
    }
    const closed = closedReason(request.status);
    if (closed) {
      ctx.out.reply(`#${no} ${closed}，不用再接单`);
      return;
    }
    const updated = await updateRequest(ctx.tx, request.id, {
      status: 'acknowledged',
      acknowledgedAt: ctx.now,
      updatedAt: ctx.now,
    });
    await addEvent(ctx.tx, request.id, { type: 'acknowledged', actorId: ctx.senderId, at: ctx.now });
    ctx.out.reply(
      `#${no} ${ctx.ledger.nameOf(ctx.senderId)} 已接单，会尽快处理`,
      [updated.reporterId],
      request.id,
    );
  },
};
