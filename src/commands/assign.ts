import { addEvent, updateRequest } from '../requests/request-store';
import type { CommandDefinition } from './context';
import { closedReason } from './transitions';

export const assign: CommandDefinition = {
  name: 'assign',
  action: '转派',
  permission: 'handler',
  forStaff: true,
  async run(ctx, request) {
    if (!request) return;
    const no = request.no;
    const mention = ctx.command.mentions[0];
    if (!mention) {
      ctx.out.reply(`请@新的处理人，例如：转派 ${no} @李秀兰`);
      return;
    }
    const closed = closedReason(request.status);
    if (closed) {
      ctx.out.reply(`#${no} ${closed}，不能再转派`);
      return;
    }
    const matches = ctx.ledger.findPeople(mention);
    const person = matches[0];
    if (!person) {
      ctx.out.reply(`台账里没有「${mention}」，请核对姓名，或请街道先把他加进台账`);
      return;
    }
    if (matches.length > 1) {
      ctx.out.reply(
        `台账里有 ${matches.length} 位「${mention}」，请用账号转派，例如：转派 ${no} @${person.id}`,
      );
      return;
    }
    if (person.id === request.assigneeId) {
      ctx.out.reply(`#${no} 本来就由 ${person.name} 处理`);
      return;
    }
    await updateRequest(ctx.tx, request.id, { assigneeId: person.id, updatedAt: ctx.now });
    await addEvent(ctx.tx, request.id, {
      type: 'assigned',
      actorId: ctx.senderId,
      at: ctx.now,
      note: ctx.command.rest || null,
      data: { from: request.assigneeId, to: person.id },
    });
    ctx.out.reply(`#${no} 已转派给 ${person.name}，请接单：接单 ${no}`, [person.id], request.id);
  },
};
