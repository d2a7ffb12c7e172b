import { COMMAND_VERBS } from '../intake/parse';
import type { CommandDefinition } from './context';
import { COMMANDS } from './registry';

/** Generated from the command list: a resident sees resident commands, staff see theirs too. */
export function helpText(staff: boolean): string {
  const lines = ['报事：@睦邻助手 #报修 2单元楼道灯不亮（也可用 #求助 #投诉 #建议 #咨询 #议事）'];
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
    ctx.out.reply(helpText(ctx.ledger.hasRole(ctx.senderId)));
    return Promise.resolve();
  },
};
