import type { CommandName } from '../intake/parse';
import { toHalfWidth } from '../intake/parse/text';
import { countRequests, searchRequests } from '../requests/request-search';
import type { RequestStatus } from '../requests/request-store';
import type { CommandContext } from './context';
import { requestLine } from './request-line';
import { chatUsage } from './usage';

/** The most requests listed when several could be meant. */
const LIMIT = 10;

/**
 * Commands a resident types about their own request, with the requests each could mean: the
 * ones waiting for a rating, or the ones still being handled.
 */
const OWN_REQUESTS: Partial<Record<CommandName, { statuses: RequestStatus[]; what: string }>> = {
  rate_good: { statuses: ['resolved'], what: '等评价' },
  rate_bad: { statuses: ['resolved'], what: '等评价' },
  withdraw: { statuses: ['open', 'acknowledged'], what: '还在办' },
  show: { statuses: ['open', 'acknowledged'], what: '还在办' },
  supplement: { statuses: ['open', 'acknowledged'], what: '还在办' },
  chase: { statuses: ['open', 'acknowledged'], what: '还在办' },
};

/**
 * The one request number in a quoted message: the bot's own lines start with it (`#3 已办结…`,
 * `已登记 #3【报修】…`). A quote naming several requests (a 待办 list) names none.
 */
export function quotedNumber(quoted: string | null | undefined): number | null {
  if (!quoted) return null;
  const numbers = new Set(
    [...toHalfWidth(quoted).matchAll(/#\s?(\d{1,9})(?!\d)/gu)].map((m) => Number(m[1])),
  );
  return numbers.size === 1 ? ([...numbers][0] ?? null) : null;
}

/**
 * The number a command left out: from the message it quote-replies to, else, for a resident's
 * own-request command, the sender's only request it could apply to. Otherwise answers with their
 * requests to choose from (or how to write the number) and returns null.
 */
export async function missingNumber(ctx: CommandContext): Promise<number | null> {
  const quoted = quotedNumber(ctx.quotedText);
  if (quoted !== null) return quoted;
  const name = ctx.command.name;
  const own = OWN_REQUESTS[name];
  if (own) {
    const filter = { reporterId: ctx.senderId, statuses: own.statuses };
    const rows = await searchRequests(ctx.tx, filter, ctx.now, { limit: LIMIT + 1, offset: 0 });
    const [newest] = rows;
    if (newest && rows.length === 1) return newest.no;
    if (newest) {
      const count = rows.length > LIMIT ? await countRequests(ctx.tx, filter, ctx.now) : rows.length;
      const lines = rows.slice(0, LIMIT).map((r) => requestLine(r, ctx.ledger));
      const more = rows.length > LIMIT ? [`（只列出最近${LIMIT}件）`] : [];
      ctx.out.reply(
        [
          `您有 ${count} 件事${own.what}，请带上编号，例如：${chatUsage(name, newest.no)}`,
          ...lines,
          ...more,
        ].join('\n'),
      );
      return null;
    }
  }
  ctx.out.reply(`请带上编号，例如：${chatUsage(name)}`);
  return null;
}
