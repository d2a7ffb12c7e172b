import { COMMAND_VERBS, type CategoryTable, type CommandName } from '../intake/parse';

/**
 * How to type a command, as the chat shows it: the Chinese form only. The slash alternative in
 * the usage (`满意 12（或 /rate 12 good）`) is for operators used to other bots, and the README
 * lists it; residents would only be puzzled by it. With a number, the example uses it.
 */
export function chatUsage(name: CommandName, no?: number): string {
  const usage = COMMAND_VERBS[name].usage.replace(/（或 \/[^）]*）/u, '');
  return no === undefined ? usage : usage.replace(/\d+/u, String(no));
}

/** The example post of help and how-to lines, with the street's own name for repairs. */
export function examplePost(categories: CategoryTable, botName: string): string {
  const repair = categories.categories.find((c) => c.code === 'repair')?.name ?? '报修';
  return `@${botName} #${repair} 2单元楼道灯不亮`;
}
