import { maskPhones } from '../requests/format';
import { addEvent, updateRequest } from '../requests/request-store';
import type { CommandDefinition } from './context';
import { closedReason } from '../requests/transitions';

export const done: CommandDefinition = {
  name: 'done',
  action: '办结',
  permission: 'handler',
  forStaff: true,
  async run(ctx, request) {
    if (!request) return;
    const no = request.no;
    const closed = closedReason(request.status);
    if (closed) {
      ctx.out.reply(`#${no} ${closed}，不用再办结`);
      return;
    }
    await updateRequest(ctx.tx, request.id, {
      status: 'resolved',
      resolvedAt: ctx.now,
      // Resolving without acknowledging first still answered the resident.
      ...(request.acknowledgedAt ? {} : { acknowledgedAt: ctx.now }),
      updatedAt: ctx.now,
    });
    await addEvent(ctx.tx, request.id, {
      type: 'resolved',
      actorId: ctx.senderId,
      at: ctx.now,
      note: ctx.command.rest || null,
    });
    const how = ctx.command.rest ? `：${maskPhones(ctx.command.rest)}` : '';
    ctx.out.reply(
      `#${no} 已办结${how}\n请报事人回复「满意 ${no}」或「不满意 ${no} 原因」`,
      [request.reporterId],
      request.id,
      'resolved',
    );
  },
};
