import { COMMAND_VERBS } from '../intake/parse';
import { searchRequests } from '../requests/request-search';
import { findRequestByNo, type RequestRow, type RequestStatus } from '../requests/request-store';
import { isHandler, type CommandContext, type CommandDefinition } from './context';
import { missingNumber } from './missing-number';
import { commandNamed } from './registry';
import { askedInRequestGroup } from './who-may-read';

/**
 * Runs one parsed command: a number left out is taken from what it could only mean (or the sender
 * is asked for it), a clear line answers an unknown number or a sender without the right,
 * otherwise the command itself runs. A refusal changes nothing. A resident's 进展 is a 查询
 * (progressAskedAbout).
 */
export async function dispatchCommand(typed: CommandContext): Promise<void> {
  const ctx = (await progressAskedAbout(typed, null)) ? asQuery(typed) : typed;
  let definition = commandNamed(ctx.command.name);
  const spec = COMMAND_VERBS[ctx.command.name];
  if (!spec.needsNumber) {
    await definition.run(ctx, null);
    return;
  }
  if (ctx.command.missingRating) {
    // `/rate` without good or bad: asked before any number is guessed, so nothing is rated blindly.
    const no = ctx.command.requestNo ?? 12;
    ctx.out.reply(`请写上满意还是不满意，例如：/rate ${no} good 或 /rate ${no} bad 原因`);
    return;
  }
  // Each answer that stops the command here says how to send it again: photos it carried are
  // only said to be left off (CarriedPhotos.refuse).
  const no = ctx.command.requestNo ?? (await missingNumber(ctx));
  if (no === null) {
    ctx.photos?.refuse();
    return;
  }
  const request = await findRequestByNo(ctx.tx, no, true);
  if (!request) {
    ctx.out.reply(`没有找到 #${no}，请核对编号（可发「待办」查看）`);
    ctx.photos?.refuse();
    return;
  }
  let { command } = ctx;
  if (await progressAskedAbout(ctx, request)) {
    command = asQuery(ctx).command;
    definition = commandNamed(command.name);
  }
  const refused = refusal(ctx, request, definition);
  if (refused) {
    ctx.out.reply(refused);
    ctx.photos?.refuse();
    return;
  }
  command = { ...command, requestNo: no };
  await definition.run({ ...ctx, command, out: ctx.out.about(request) }, request);
}

/**
 * Whether a 进展 asks to see the progress rather than records it: `进展 20` from a resident, who
 * has no role and does not handle the request (with no number, handles none), is 查询.
 */
async function progressAskedAbout(ctx: CommandContext, request: RequestRow | null): Promise<boolean> {
  if (ctx.command.name !== 'note' || ctx.ledger.hasRole(ctx.senderId)) return false;
  if (request) return !isHandler(ctx.ledger, ctx.senderId, request);
  if (ctx.command.requestNo !== null) return false;
  const filter = { assigneeId: ctx.senderId, statuses: ['open', 'acknowledged'] as RequestStatus[] };
  return (await searchRequests(ctx.tx, filter, ctx.now, { limit: 1, offset: 0 })).length === 0;
}

function asQuery(ctx: CommandContext): CommandContext {
  return { ...ctx, command: { ...ctx.command, name: 'show' } };
}

/** Why the sender may not run this command on this request, naming who may; null when they may. */
function refusal(ctx: CommandContext, request: RequestRow, definition: CommandDefinition): string | null {
  const { ledger, senderId: me } = ctx;
  const { no } = request;
  const { action } = definition;
  const reporter = request.reporterId === me;
  switch (definition.permission) {
    case 'anyone':
      return null;
    case 'handler':
      return isHandler(ledger, me, request) ? null : notTheHandler(ctx, request, definition);
    case 'reporter':
      return reporter ? null : `只有报事人本人可以${action} #${no}`;
    case 'reporter_or_handler':
      return reporter || isHandler(ledger, me, request)
        ? null
        : `#${no} 只有报事人或处理人${ledger.nameOf(request.assigneeId)}可以${action}`;
    case 'reporter_or_neighbour': {
      if (reporter || isHandler(ledger, me, request) || askedInRequestGroup(ctx, request)) return null;
      const building = ledger.buildingNames(request.buildingId)?.building ?? '本楼';
      return `#${no} 只有报事人或${building}群里的邻居可以${action}`;
    }
  }
}

/**
 * A refusal that names who handles the request and, for someone in the ledger, how it can come
 * to them: its handler (or a grid worker) hands it over with 转派.
 */
function notTheHandler(ctx: CommandContext, request: RequestRow, definition: CommandDefinition): string {
  const { ledger } = ctx;
  const { action } = definition;
  const no = request.no;
  const handler = request.assigneeId ? ledger.person(request.assigneeId) : undefined;
  const handledBy = handler ? `由${handler.name}处理` : '还没有处理人';
  const sender = ledger.person(ctx.senderId);
  if (!sender) return `#${no} ${handledBy}，只有处理人、网格员或街道管理员可以${action}`;
  const handOver = `「转派 ${no} @${sender.name}」`;
  const gridWorkers = (request.compoundId ? (ledger.compound(request.compoundId)?.grid_workers ?? []) : [])
    .filter((id) => id !== handler?.id)
    .map((id) => ledger.nameOf(id));
  const grid = gridWorkers.join('、');
  // Someone who typed 进展 may only have wanted to see it.
  const look = definition.name === 'note' ? `；只看进度请发「查询 ${no}」` : '';
  if (!handler) return `#${no} ${handledBy}。要接手，请网格员${grid || '或街道'}发${handOver}${look}`;
  return `#${no} ${handledBy}。要接手，请${handler.name}发${handOver}${grid ? `，或找网格员${grid}` : ''}${look}`;
}
