import { categoryName, maskPhones, shorten } from '../requests/format';
import { addEvent, updateRequest, type RequestRow } from '../requests/request-store';
import type { CommandContext, CommandDefinition } from './context';
import { closedReason } from '../requests/transitions';
import { chatUsage } from './usage';

/** The event a detail added with 补充 is kept as: the pages and 查询 name it 补充, not 进展. */
export const SUPPLEMENT_EVENT = 'supplement';

/**
 * Why nothing can be added to a request that is done, and what to do instead: a reporter whose
 * resolved request is not fixed says so with 不满意 (which reopens it); anything new about a
 * closed or withdrawn one is a new report, shown with their words.
 */
function tooLate(ctx: CommandContext, request: RequestRow, closed: string): string {
  const no = request.no;
  if (request.status === 'resolved') {
    const reopen = request.reporterId === ctx.senderId ? `；没修好请回复「不满意 ${no} 原因」` : '';
    return `#${no} ${closed}，不能再补充${reopen}`;
  }
  const tag = `#${categoryName(ctx.ledger.categories, request.category)}`;
  return `#${no} ${closed}，不能再补充；有新情况请重新报事，例如：${tag} ${shorten(maskPhones(ctx.command.rest))}`;
}

/**
 * 补充 N 文字: the reporter adds a detail they left out (`是三楼不是二楼`), or the handler one the
 * reporter should know. Kept on the request's event log, and told to the other side in the group.
 * Unlike 进展, it does not take the request on.
 */
export const supplement: CommandDefinition = {
  name: 'supplement',
  action: '补充',
  permission: 'reporter_or_handler',
  forStaff: false,
  async run(ctx, request) {
    if (!request) return;
    const no = request.no;
    const text = ctx.command.rest;
    if (!text) {
      ctx.out.reply(`请写上要补充的内容，例如：${chatUsage('supplement', no)}`);
      return;
    }
    const closed = closedReason(request.status);
    if (closed) {
      ctx.out.reply(tooLate(ctx, request, closed));
      return;
    }
    await updateRequest(ctx.tx, request.id, { updatedAt: ctx.now });
    await addEvent(ctx.tx, request.id, {
      type: SUPPLEMENT_EVENT,
      actorId: ctx.senderId,
      at: ctx.now,
      note: text,
    });
    const who = request.reporterId === ctx.senderId ? '报事人' : ctx.ledger.nameOf(ctx.senderId);
    const others = [request.reporterId, request.assigneeId].filter(
      (id): id is string => id !== null && id !== ctx.senderId,
    );
    ctx.out.reply(`#${no} ${who}补充：${maskPhones(text)}`, [...new Set(others)], request.id);
  },
};
