import { COMMAND_VERBS, type CategoryTable } from '../intake/parse';
import { PHOTO_WINDOW_MS } from '../requests/later-photos';
import { searchRequests } from '../requests/request-search';
import { handlesRequests, type CommandContext, type CommandDefinition } from './context';
import { COMMANDS } from './registry';
import { chatUsage, examplePost } from './usage';

/** How to report, with the street's own categories: the defaults and any the ledger adds. */
function howToReport(categories: CategoryTable, botName: string): string {
  const others = categories.categories.filter((c) => c.code !== 'repair').map((c) => `#${c.name}`);
  return `报事：${examplePost(categories, botName)}（也可用 ${others.join(' ')}）`;
}

/**
 * Photos are attached to the post just before them (requests/later-photos.ts) or held for the one
 * just after them (held-photos.ts), or later to any request with 补充 N (supplement.ts); a
 * handler's 进展 and 办结 attach theirs too (their summaries say so).
 */
const PHOTOS = `照片：报事前后${PHOTO_WINDOW_MS / 60_000}分钟内@我发照片，会附在那件事上；过后发「补充 编号」并带上照片`;

/**
 * Generated from the command list: everyone sees the commands about their own requests, a
 * handler the handler commands too. Help itself is not listed: the sender has just used it.
 */
export function helpText(handler: boolean, categories: CategoryTable, botName: string): string {
  const lines = [howToReport(categories, botName), PHOTOS];
  for (const command of COMMANDS) {
    if ((command.forStaff && !handler) || command.name === 'help') continue;
    lines.push(`${chatUsage(command.name)}：${COMMAND_VERBS[command.name].summary}`);
  }
  return lines.join('\n');
}

/**
 * Whether the sender gets the handler commands: heads, grid workers and admins do; anyone else (a
 * volunteer, a leader) only while a request handed to them is still being handled.
 */
async function mayHandle(ctx: CommandContext): Promise<boolean> {
  if (handlesRequests(ctx.ledger, ctx.senderId)) return true;
  const assigned = await searchRequests(ctx.tx, { status: 'active', assigneeId: ctx.senderId }, ctx.now, {
    limit: 1,
    offset: 0,
  });
  return assigned.length > 0;
}

export const help: CommandDefinition = {
  name: 'help',
  action: '查看帮助',
  permission: 'anyone',
  forStaff: false,
  async run(ctx) {
    ctx.out.reply(helpText(await mayHandle(ctx), ctx.ledger.categories, ctx.botName));
  },
};
