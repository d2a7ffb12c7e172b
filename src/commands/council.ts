import { addEvent, updateRequest } from '../requests/request-store';
import type { CommandDefinition } from './context';

export const council: CommandDefinition = {
  name: 'council',
  action: '提交议事会',
  permission: 'handler',
  forStaff: true,
  async run(ctx, request) {
    if (!request) return;
    const no = request.no;
    if (request.council) {
      ctx.out.reply(`#${no} 已经在居民议事会议题里了`);
      return;
    }
    if (request.status === 'withdrawn') {
      ctx.out.reply(`#${no} 已撤回，不能提交议事会`);
      return;
    }
    await updateRequest(ctx.tx, request.id, { council: true, updatedAt: ctx.now });
    await addEvent(ctx.tx, request.id, {
      type: 'council',
      actorId: ctx.senderId,
      at: ctx.now,
      note: ctx.command.rest || null,
    });
    ctx.out.reply(`#${no} 已列入居民议事会议题，会上商量后再告诉大家`, [request.reporterId], request.id);
  },
};
