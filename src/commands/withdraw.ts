import { addEvent, updateRequest } from '../requests/request-store';
import type { CommandDefinition } from './context';
import { closedReason } from '../requests/transitions';

export const withdraw: CommandDefinition = {
  name: 'withdraw',
  action: '撤回',
  permission: 'reporter',
  forStaff: false,
  async run(ctx, request) {
    if (!request) return;
    const no = request.no;
    if (request.status === 'withdrawn') {
      ctx.out.reply(`#${no} 已经撤回了`);
      return;
    }
    const closed = closedReason(request.status);
    if (closed) {
      ctx.out.reply(`#${no} ${closed}，不能撤回`);
      return;
    }
    await updateRequest(ctx.tx, request.id, {
      status: 'withdrawn',
      withdrawnAt: ctx.now,
      updatedAt: ctx.now,
    });
    await addEvent(ctx.tx, request.id, {
      type: 'withdrawn',
      actorId: ctx.senderId,
      at: ctx.now,
      note: ctx.command.rest || null,
    });
    const assignee = request.assigneeId ? [request.assigneeId] : [];
    ctx.out.reply(`#${no} 已撤回，不用再处理了`, assignee, request.id);
  },
};
