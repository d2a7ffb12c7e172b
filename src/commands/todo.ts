import { STREET_LEVEL } from '../requests/escalate-request';
import {
  countRequests,
  searchRequests,
  type GroupScope,
  type RequestSearch,
} from '../requests/request-search';
import { REQUEST_STATUSES, type RequestRow } from '../requests/request-store';
import type { CommandContext, CommandDefinition } from './context';
import { examplePost } from './usage';
import { elsewhereLine, groupScope } from './group-scope';
import { requestLine } from './request-line';

const LIMIT = 10;
/** A reporter's own requests until they are closed or withdrawn (a resolved one may still be rated). */
const STILL_ON_REPORTERS_LIST = REQUEST_STATUSES.filter((s) => s !== 'closed' && s !== 'withdrawn');

/** A titled list of at most LIMIT lines; rows holds one past the list when there are more. */
function section(ctx: CommandContext, title: string, rows: readonly RequestRow[]): string {
  const shown = rows.slice(0, LIMIT).map((r) => requestLine(r, ctx.ledger));
  // Residents and volunteer heads have no access to the street office's pages: say what is shown.
  const more = rows.length > LIMIT ? `\n（只列出最近${LIMIT}件）` : '';
  return `${title}：\n${shown.join('\n')}${more}`;
}

/** What each of the sender's lists holds, wherever the requests are. */
interface TodoLists {
  /** Assigned to them, still open. */
  readonly assigned: RequestSearch;
  /** With the street (escalated to it, still being handled): for a street admin only. */
  readonly street: RequestSearch | undefined;
  /** Reported by them, not over yet. */
  readonly reported: RequestSearch;
}

function todoLists(ctx: CommandContext): TodoLists {
  const me = ctx.senderId;
  return {
    assigned: { status: 'active', assigneeId: me },
    street: ctx.ledger.isAdmin(me) ? { status: 'active', minEscalationLevel: STREET_LEVEL } : undefined,
    reported: { reporterId: me, statuses: STILL_ON_REPORTERS_LIST },
  };
}

/**
 * Requests with the street, for a street admin: the escalation leaves them with their handler, so
 * they are on no admin's own list. Those already on the sender's own list are left out. One past
 * the list says whether there are more.
 */
async function withTheStreet(
  ctx: CommandContext,
  filter: RequestSearch,
  own: readonly RequestRow[],
): Promise<RequestRow[]> {
  const rows = await searchRequests(ctx.tx, filter, ctx.now, { limit: LIMIT + own.length + 1, offset: 0 });
  return rows.filter((r) => !own.some((o) => o.id === r.id)).slice(0, LIMIT + 1);
}

/**
 * What the sender has to do (requests assigned to them, still open; for a street admin, also what
 * sits with the street) and what they reported and is not over yet. A head or volunteer who
 * reports something sees it too, after their own work. In a building group only the requests that
 * group has seen are listed, the others counted (group-scope.ts).
 */
export const todo: CommandDefinition = {
  name: 'todo',
  action: '查看待办',
  permission: 'anyone',
  forStaff: false,
  async run(ctx) {
    const me = ctx.senderId;
    const lists = todoLists(ctx);
    const here = groupScope(ctx);
    const shown = (filter: RequestSearch): RequestSearch => (here ? { ...filter, inGroup: here } : filter);
    // One past the list says whether there are more.
    const assigned = await searchRequests(ctx.tx, shown(lists.assigned), ctx.now, {
      limit: LIMIT + 1,
      offset: 0,
    });
    const street = lists.street ? await withTheStreet(ctx, shown(lists.street), assigned) : [];
    const reportedRows = await searchRequests(ctx.tx, shown(lists.reported), ctx.now, {
      limit: 2 * LIMIT + 2,
      offset: 0,
    });
    // One's own report that one is handling is listed once, as work.
    const reported = reportedRows
      .filter((r) => !(r.assigneeId === me && (r.status === 'open' || r.status === 'acknowledged')))
      .slice(0, LIMIT + 1);
    const sections = [];
    if (assigned.length > 0) sections.push(section(ctx, '您的待办', assigned));
    if (street.length > 0) sections.push(section(ctx, '街道督办', street));
    if (reported.length > 0) sections.push(section(ctx, '您报的事', reported));
    const elsewhere = here ? await countElsewhere(ctx, lists, here) : 0;
    if (elsewhere > 0) {
      const line = elsewhereLine(elsewhere, true);
      ctx.out.reply(sections.length > 0 ? [...sections, line].join('\n') : `这个群里没有您的事；${line}`);
    } else if (sections.length > 0) ctx.out.reply(sections.join('\n'));
    else ctx.out.reply(await nothingToDo(ctx));
  },
};

/** How many requests on any of the lists this building group has not seen: each counted once. */
function countElsewhere(ctx: CommandContext, lists: TodoLists, here: GroupScope): Promise<number> {
  const anyOf = [lists.assigned, ...(lists.street ? [lists.street] : []), lists.reported];
  return countRequests(ctx.tx, { outsideGroup: here, anyOf }, ctx.now);
}

/** Nothing on the lists: said differently to staff, to residents, and to someone new to the desk. */
async function nothingToDo(ctx: CommandContext): Promise<string> {
  if (ctx.ledger.hasRole(ctx.senderId)) return '您目前没有待办，辛苦了';
  const page = { limit: 1, offset: 0 };
  const [any] = await searchRequests(ctx.tx, { reporterId: ctx.senderId }, ctx.now, page);
  if (any) return '您报的事都办完了';
  return `您还没有报过事。报事请在楼栋群里发：${examplePost(ctx.ledger.categories, ctx.botName)}`;
}
