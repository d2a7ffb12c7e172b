import type { CommandName } from '../intake/parse';
import { toHalfWidth } from '../intake/parse/text';
import { countRequests, searchRequests, type RequestSearch } from '../requests/request-search';
import type { RequestRow, RequestStatus } from '../requests/request-store';
import type { CommandContext } from './context';
import { handOverExample } from './assign';
import { elsewhereLine, groupScope } from './group-scope';
import { requestLine } from './request-line';
import { chatUsage } from './usage';

/** The most requests listed when several could be meant. */
const LIMIT = 10;

/**
 * Commands typed about one's own requests, with the requests each could mean: a resident's (the
 * ones they reported, waiting for a rating or still being handled) and a handler's (the ones in
 * their hands, waiting to be taken on, to be finished or to be handed over).
 */
interface Candidates {
  /** Whose requests, in order: the first of these with any that fit decides. */
  readonly whose: readonly ('reporter' | 'assignee')[];
  readonly statuses: RequestStatus[];
  /** 您有 2 件事还在办 / 您手上有 2 件事待接单. */
  readonly several: (count: number) => string;
  /**
   * The answer when none fits: that there is nothing (您没有可撤回的事), not a request for a number
   * that would name nothing of theirs. Those who may act on other people's requests by number are
   * shown how.
   */
  readonly none: (ctx: CommandContext) => string | Promise<string>;
  /** The example in the answer, with the number shown; the command's usage when absent. */
  readonly example?: (ctx: CommandContext, no?: number) => string;
}

/** Street admins and grid workers handle any request (of their compound) by its number. */
const handlesAny = (ctx: CommandContext): boolean =>
  ctx.ledger.isAdmin(ctx.senderId) || ctx.ledger.isGridWorker(ctx.senderId, null);

/** `您手上没有待接单的事`, with how to name another one to those who may. */
const noneInHand =
  (
    what: string,
    verb: string,
    example: (ctx: CommandContext) => string = (ctx) => chatUsage(ctx.command.name),
  ) =>
  (ctx: CommandContext): string =>
    `您手上没有${what}的事${handlesAny(ctx) ? `；${verb}别的事请带上编号，例如：${example(ctx)}` : ''}`;

/**
 * Nothing of theirs waits for a rating: one still being handled is not done yet, which is said,
 * as a numbered rating of it would be.
 */
async function noneToRate(ctx: CommandContext): Promise<string> {
  const filter: RequestSearch = { reporterId: ctx.senderId, statuses: ['open', 'acknowledged'] };
  const handled = await searchRequests(ctx.tx, filter, ctx.now, { limit: 2, offset: 0 });
  const [only] = handled;
  if (!only) return '您没有等评价的事';
  return `您报的${handled.length === 1 ? ` #${only.no} ` : '事'}还没办结，办结后再评价`;
}

const STILL_HANDLED: RequestStatus[] = ['open', 'acknowledged'];

const OWN_REQUESTS: Partial<Record<CommandName, Candidates>> = {
  rate_good: {
    whose: ['reporter'],
    statuses: ['resolved'],
    several: (n) => `您有 ${n} 件事等评价`,
    none: noneToRate,
  },
  rate_bad: {
    whose: ['reporter'],
    statuses: ['resolved'],
    several: (n) => `您有 ${n} 件事等评价`,
    none: noneToRate,
  },
  withdraw: {
    whose: ['reporter'],
    statuses: STILL_HANDLED,
    several: (n) => `您有 ${n} 件事还在办`,
    none: () => '您没有可撤回的事',
  },
  // Anyone may look up any request by its number.
  show: {
    whose: ['reporter'],
    statuses: ['resolved', ...STILL_HANDLED],
    several: (n) => `您有 ${n} 件事还在办或等评价`,
    none: () => `您没有还在办的事；查别的事请带上编号，例如：${chatUsage('show')}`,
  },
  // A handler adds details too: their requests in hand, when they reported none still open.
  supplement: {
    whose: ['reporter', 'assignee'],
    statuses: STILL_HANDLED,
    several: (n) => `您有 ${n} 件事还在办`,
    none: (ctx) =>
      handlesAny(ctx)
        ? `您手上没有还在办的事；补充别的事请带上编号，例如：${chatUsage('supplement')}`
        : '您没有还在办的事可以补充',
  },
  // Neighbours chase too, from the request's group.
  chase: {
    whose: ['reporter'],
    statuses: STILL_HANDLED,
    several: (n) => `您有 ${n} 件事还在办`,
    none: () => `您没有还在办的事；催别人报的事请带上编号，例如：${chatUsage('chase')}`,
  },
  // Not 进展: its text may be a question (`进展 怎么样了`), which must not be recorded on a request.
  ack: {
    whose: ['assignee'],
    statuses: ['open'],
    several: (n) => `您手上有 ${n} 件事待接单`,
    none: noneInHand('待接单', '接'),
  },
  done: {
    whose: ['assignee'],
    statuses: STILL_HANDLED,
    several: (n) => `您手上有 ${n} 件事还没办结`,
    none: noneInHand('要办结', '办结'),
  },
  assign: {
    whose: ['assignee'],
    statuses: STILL_HANDLED,
    several: (n) => `您手上有 ${n} 件事还在办`,
    none: noneInHand('可转派', '转派', handOverExample),
    example: handOverExample,
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
 * Otherwise answers with their requests to choose from (or that none fits, or how to write the
 * number) and returns null.
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
    ctx.out.reply(await own.none(ctx));
    return null;
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
  const no = (listed[0] ?? newest).no;
  const example = own.example ? own.example(ctx, no) : chatUsage(ctx.command.name, no);
  ctx.out.reply(
    [`${own.several(count)}，请带上编号，例如：${example}`, ...lines, ...more, ...others].join('\n'),
  );
  return null;
}
