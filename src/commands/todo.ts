import { summaryLine } from '../requests/format';
import { searchRequests } from '../requests/request-search';
import { REQUEST_STATUSES, type RequestRow } from '../requests/request-store';
import type { CommandContext, CommandDefinition } from './context';

const LIMIT = 10;
/** A reporter's own requests until they are closed or withdrawn (a resolved one may still be rated). */
const STILL_ON_REPORTERS_LIST = REQUEST_STATUSES.filter((s) => s !== 'closed' && s !== 'withdrawn');

/** A titled list of at most LIMIT lines; rows holds one past the list when there are more. */
function section(ctx: CommandContext, title: string, rows: readonly RequestRow[]): string {
  const shown = rows.slice(0, LIMIT).map((r) => summaryLine(r, ctx.ledger.categories));
  // Residents and volunteer heads have no access to the street office's pages: say what is shown.
  const more = rows.length > LIMIT ? `\n（只列出最近${LIMIT}件）` : '';
  return `${title}：\n${shown.join('\n')}${more}`;
}

/**
 * What the sender has to do (requests assigned to them, still open) and what they reported and
 * is not over yet. A head or volunteer who reports something sees it too, after their own work.
 */
export const todo: CommandDefinition = {
  name: 'todo',
  action: '查看待办',
  permission: 'anyone',
  forStaff: false,
  async run(ctx) {
    const me = ctx.senderId;
    // One past the list says whether there are more.
    const assigned = await searchRequests(ctx.tx, { status: 'active', assigneeId: me }, ctx.now, {
      limit: LIMIT + 1,
      offset: 0,
    });
    const reportedRows = await searchRequests(
      ctx.tx,
      { reporterId: me, statuses: STILL_ON_REPORTERS_LIST },
      ctx.now,
      { limit: 2 * LIMIT + 2, offset: 0 },
    );
    // One's own report that one is handling is listed once, as work.
    const reported = reportedRows
      .filter((r) => !(r.assigneeId === me && (r.status === 'open' || r.status === 'acknowledged')))
      .slice(0, LIMIT + 1);
    if (assigned.length === 0 && reported.length === 0) {
      ctx.out.reply(ctx.ledger.hasRole(me) ? '你目前没有待办，辛苦了' : '你报的事都办完了');
      return;
    }
    const sections = [];
    if (assigned.length > 0) sections.push(section(ctx, '你的待办', assigned));
    if (reported.length > 0) sections.push(section(ctx, '你报的事', reported));
    ctx.out.reply(sections.join('\n'));
  },
};
