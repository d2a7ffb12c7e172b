import { maskPhones } from '../requests/format';
import { addEvent, updateRequest } from '../requests/request-store';
import { takeOn } from './ack';
import type { CommandDefinition } from './context';
import { closedReason } from '../requests/transitions';

export const note: CommandDefinition = {
  name: 'note',
  action: '补充进展',
  permission: 'handler',
  forStaff: true,
  async run(ctx, request) {
    if (!request) return;
    const no = request.no;
    const text = ctx.command.rest;
    if (!text) {
      ctx.out.reply(`请写上进展，例如：进展 ${no} 已联系师傅，明天上午来修`);
      return;
    }
    const closed = closedReason(request.status);
    if (closed) {
      ctx.out.reply(`#${no} ${closed}，不能再补充进展`);
      return;
    }
    // Reporting progress on an open request is taking it on (and, for a grid worker or admin, over).
    const relieved = request.status === 'open' ? await takeOn(ctx, request, '随进展接单') : [];
    if (request.status !== 'open') await updateRequest(ctx.tx, request.id, { updatedAt: ctx.now });
    await addEvent(ctx.tx, request.id, { type: 'note', actorId: ctx.senderId, at: ctx.now, note: text });
    ctx.out.reply(
      `#${no} 进展：${maskPhones(text)}（${ctx.ledger.nameOf(ctx.senderId)}）`,
      [request.reporterId, ...relieved],
      request.id,
    );
  },
};
