import { summaryLine } from '../requests/format';
import { listRequests } from '../requests/request-store';
import type { CommandDefinition } from './context';

const LIMIT = 10;

export const todo: CommandDefinition = {
  name: 'todo',
  action: '查看待办',
  permission: 'anyone',
  forStaff: false,
  async run(ctx) {
    const staff = ctx.ledger.hasRole(ctx.senderId);
    const rows = staff
      ? await listRequests(ctx.tx, { status: 'active', assigneeId: ctx.senderId, limit: LIMIT + 1 })
      : (await listRequests(ctx.tx, { reporterId: ctx.senderId, limit: 50 }))
          .filter((r) => r.status !== 'closed' && r.status !== 'withdrawn')
          .slice(0, LIMIT + 1);
    if (rows.length === 0) {
      ctx.out.reply(staff ? '你目前没有待办，辛苦了' : '你报的事都办完了');
      return;
    }
    const shown = rows.slice(0, LIMIT).map((r) => summaryLine(r, ctx.ledger.categories));
    const more = rows.length > LIMIT ? `\n还有更多，请到街道后台查看` : '';
    ctx.out.reply(`${staff ? '你的待办' : '你报的事'}：\n${shown.join('\n')}${more}`);
  },
};
