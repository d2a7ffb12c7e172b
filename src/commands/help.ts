import { COMMAND_VERBS, type CategoryTable } from '../intake/parse';
import type { CommandDefinition } from './context';
import { COMMANDS } from './registry';

/** How to report, with the street's own categories: the defaults and any the ledger adds. */
function howToReport(categories: CategoryTable, botName: string): string {
  const repair = categories.categories.find((c) => c.code === 'repair')?.name ?? '报修';
  const others = categories.categories.filter((c) => c.code !== 'repair').map((c) => `#${c.name}`);
  return `报事：@${botName} #${repair} 2单元楼道灯不亮（也可用 ${others.join(' ')}）`;
}

/** Generated from the command list: a resident sees resident commands, staff see theirs too. */
export function helpText(staff: boolean, categories: CategoryTable, botName: string): string {
  const lines = [howToReport(categories, botName)];
  for (const command of COMMANDS) {
    if (command.forStaff && !staff) continue;
    const spec = COMMAND_VERBS[command.name];
    lines.push(`${spec.usage}：${spec.summary}`);
  }
  return lines.join('\n');
}

export const help: CommandDefinition = {
  name: 'help',
  action: '查看帮助',
  permission: 'anyone',
  forStaff: false,
  run(ctx) {
    ctx.out.reply(helpText(ctx.ledger.hasRole(ctx.senderId), ctx.ledger.categories, ctx.botName));
    return Promise.resolve();
  },
};
