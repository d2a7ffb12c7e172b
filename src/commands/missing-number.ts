import type { CommandName } from '../intake/parse';
import { toHalfWidth } from '../intake/parse/text';
import { countRequests, searchRequests, type RequestSearch } from '../requests/request-search';
import type { RequestRow, RequestStatus } from '../requests/request-store';
import type { CommandContext } from './context';
import { elsewhereLine, groupScope } from './group-scope';
import { requestLine } from './request-line';
import { chatUsage } from './usage';

/** The most requests listed when several could be meant. */
const LIMIT = 10;

/**
 * Commands typed about one's own requests, with the requests each could mean: a resident's (the
 * ones they reported, waiting for a rating or still being handled) and a handler's (the ones in
 * their hands, waiting to be taken on or to be finished).
 */
interface Candidates {
  /** Whose requests, in order: the first of these with any that fit decides. */
  readonly whose: readonly ('reporter' | 'assignee')[];
  readonly statuses: RequestStatus[];
  /** 您有 2 件事还在办 / 您手上有 2 件事待接单. */
  readonly several: (count: number) => string;
}

const OWN_REQUESTS: Partial<Record<CommandName, Candidates>> = {
  rate_good: { whose: ['reporter'], statuses: ['resolved'], several: (n) => `您有 ${n} 件事等评价` },
  rate_bad: { whose: ['reporter'], statuses: ['resolved'], several: (n) => `您有 ${n} 件事等评价` },
  withdraw: {
    whose: ['reporter'],
    statuses: ['open', 'acknowledged'],
    several: (n) => `您有 ${n} 件事还在办`,
  },
  show: { whose: ['reporter'], statuses: ['open', 'acknowledged'], several: (n) => `您有 ${n} 件事还在办` },
  // A handler adds details too: their requests in hand, when they reported none still open.
  supplement: {
    whose: ['reporter', 'assignee'],
    statuses: ['open', 'acknowledged'],
    several: (n) => `您有 ${n} 件事还在办`,
  },
  chase: { whose: ['reporter'], statuses: ['open', 'acknowledged'], several: (n) => `您有 ${n} 件事还在办` },
  // Not 进展: its text may be a question (`进展 怎么样了`), which must not be recorded on a request.
  ack: { whose: ['assignee'], statuses: ['open'], several: (n) => `您手上有 ${n} 件事待接单` },
  done: {
    whose: ['assignee'],
    statuses: ['open', 'acknowledged'],
    several: (n) => `您手上有 ${n} 件事还没办结`,
  },
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
 * The number a command left out: from the message it quote-replies to, else, for a command about
 * one's own requests, the sender's only request it could apply to (reported, or in their hands).
 * Otherwise answers with their requests to choose from (or how to write the number) and returns
 * null.
 */
export async function missingNumber(ctx: CommandContext): Promise<number | null> {
  const quoted = quotedNumber(ctx.quotedText);
  if (quoted !== null) return quoted;
  const own = OWN_REQUESTS[ctx.command.name];
  if (own) {
    for (const whose of own.whose) {
      const found = await onlyFitting(ctx, own, whose);
      if (found !== 'none') return found;
    }
  }
  ctx.out.reply(`请带上编号，例如：${chatUsage(ctx.command.name)}`);
  return null;
}

/**
 * The sender's requests, as reporter or as handler, that the command could mean: the number of
 * the only one; with several, lists them and returns null; 'none' when there is none. In a
 * building group only those the group has seen are listed, the others counted (group-scope.ts);
 * which one is meant is still decided among them all.
 */
async function onlyFitting(
  ctx: CommandContext,
  own: Candidates,
  whose: 'reporter' | 'assignee',
): Promise<number | null | 'none'> {
  const filter: RequestSearch =
    whose === 'reporter'
      ? { reporterId: ctx.senderId, statuses: own.statuses }
      : { assigneeId: ctx.senderId, statuses: own.statuses };
  const page = { limit: LIMIT + 1, offset: 0 };
  const rows = await searchRequests(ctx.tx, filter, ctx.now, page);
  const [newest] = rows;
  if (!newest) return 'none';
  if (rows.length === 1) return newest.no;
  // One past the list says whether there are more, and counting is needed only then.
  const counted = async (f: RequestSearch, found: readonly RequestRow[]) =>
    found.length > LIMIT ? countRequests(ctx.tx, f, ctx.now) : found.length;
  const count = await counted(filter, rows);
  const here = groupScope(ctx);
  const shown = here ? { ...filter, inGroup: here } : filter;
  const listed = here ? await searchRequests(ctx.tx, shown, ctx.now, page) : rows;
  const elsewhere = count - (await counted(shown, listed));
  const lines = listed.slice(0, LIMIT).map((r) => requestLine(r, ctx.ledger));
  const more = listed.length > LIMIT ? [`（只列出最近${LIMIT}件）`] : [];
  const others = elsewhere > 0 ? [elsewhereLine(elsewhere, lines.length > 0)] : [];
  const example = chatUsage(ctx.command.name, (listed[0] ?? newest).no);
  ctx.out.reply(
    [`${own.several(count)}，请带上编号，例如：${example}`, ...lines, ...more, ...others].join('\n'),
  );
  return null;
}
