import { COMMAND_VERBS } from '../intake/parse';
import { findRequestByNo } from '../requests/request-store';
import { isHandler, type CommandContext } from './context';
import { commandNamed } from './registry';

/**
 * Runs one parsed command: usage when the number is missing, a clear line for an unknown number
 * or a sender without the right, otherwise the command itself. A refusal changes nothing.
 */
export async function dispatchCommand(ctx: CommandContext): Promise<void> {
  const definition = commandNamed(ctx.command.name);
  const spec = COMMAND_VERBS[ctx.command.name];
  if (!spec.needsNumber) {
    await definition.run(ctx, null);
    return;
  }
  const no = ctx.command.requestNo;
  if (no === null) {
    ctx.out.reply(`请带上编号，例如：${spec.usage}`);
    return;
  }
  if (ctx.command.missingRating) {
    ctx.out.reply(`请写上满意还是不满意，例如：/rate ${no} good 或 /rate ${no} bad 原因`);
    return;
  }
  const request = await findRequestByNo(ctx.tx, no, true);
  if (!request) {
    ctx.out.reply(`没有找到 #${no}，请核对编号（可发「待办」查看）`);
    return;
  }
  if (definition.permission === 'handler' && !isHandler(ctx.ledger, ctx.senderId, request)) {
    ctx.out.reply(`只有处理人、网格员或街道管理员可以${definition.action} #${no}`);
    return;
  }
  if (definition.permission === 'reporter' && request.reporterId !== ctx.senderId) {
    ctx.out.reply(`只有报事人本人可以${definition.action} #${no}`);
    return;
  }
  await definition.run({ ...ctx, out: ctx.out.about(request) }, request);
}
