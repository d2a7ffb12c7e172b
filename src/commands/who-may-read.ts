import { STREET_LEVEL } from '../requests/escalate-request';
import type { RequestRow } from '../requests/request-store';
import { isHandler, isHead, type CommandContext } from './context';

/**
 * Whether the sender may read a request's details (its text, place and latest step) in a 查询
 * answer; anyone else is told its status only. A request describes a home and a neighbour's
 * trouble, so the details go to those who already have them or work on them: the reporter, its
 * handler (and the compound's grid workers, the street admins), the heads of its compound, the
 * teams it names, the leadership once it is with the street, and anyone asking in the group it was
 * posted in or its building's group, where the receipt was shown.
 */
export function mayReadDetails(ctx: CommandContext, request: RequestRow): boolean {
  const { ledger, senderId: me } = ctx;
  if (request.reporterId === me || isHandler(ledger, me, request)) return true;
  const compound = request.compoundId ? ledger.compound(request.compoundId) : undefined;
  if (compound && isHead(ledger, me, [compound])) return true;
  if (ledger.document.teams.some((t) => request.teamIds.includes(t.id) && t.members.includes(me)))
    return true;
  if (request.escalationLevel >= STREET_LEVEL && ledger.document.leadership.members.includes(me)) return true;
  return askedInRequestGroup(ctx, request);
}

/**
 * Whether the command was typed in the group the request was posted in or its building's group:
 * where its receipt was shown, so everyone there already knows of it.
 */
export function askedInRequestGroup(ctx: CommandContext, request: RequestRow): boolean {
  const here = ctx.place?.building;
  return here !== undefined && (here.id === request.buildingId || here.chat_id === request.chatId);
}
