import { summaryLine } from '../requests/format';
import { searchRequests } from '../requests/request-search';
import { REQUEST_STATUSES } from '../requests/request-store';
import type { CommandDefinition } from './context';

const LIMIT = 10;
/** A resident's own requests until they are closed or withdrawn (a resolved one may still be rated). */
const STILL_ON_RESIDENTS_LIST = REQUEST_STATUSES.filter((s) => s !== 'closed' && s !== 'withdrawn');

export const todo: CommandDefinition = {
  name: 'todo',
  action: '查看待办',
  permission: 'anyone',
  forStaff: false,
  async run(ctx) {
    const staff = ctx.ledger.hasRole(ctx.senderId);
    // One past the list says whether there are more.
    const page = { limit: LIMIT + 1, offset: 0 };
    const rows = staff
      ? await searchRequests(ctx.tx, { status: 'active', assigneeId: ctx.senderId }, ctx.now, page)
      : await searchRequests(
          ctx.tx,
          { reporterId: ctx.senderId, statuses: STILL_ON_RESIDENTS_LIST },
          ctx.now,
          page,
        );
    if (rows.length === 0) {
      ctx.out.reply(staff ? '你目前没有待办，辛苦了' : '你报的事都办完了');
      return;
    }
    const shown = rows.slice(0, LIMIT).map((r) => summaryLine(r, ctx.ledger.categories));
    // Residents and volunteer heads have no access to the street office's pages: say what is shown.
    const more = rows.length > LIMIT ? `\n（只列出最近${LIMIT}件）` : '';
    ctx.out.reply(`${staff ? '你的待办' : '你报的事'}：\n${shown.join('\n')}${more}`);
  },
};
