import type { GroupScope } from '../requests/request-search';
import type { CommandContext } from './context';

/**
 * Lists of requests in the chat name places and words of neighbours' troubles. A grid worker, a
 * street admin or a head may hold requests of several buildings: typed in a building group, a list
 * names only the requests that group has seen (GroupScope) and counts the others, which the sender
 * can read in a private chat. In a private chat and in the leadership group it names them all.
 */
export function groupScope(ctx: CommandContext): GroupScope | undefined {
  const building = ctx.place?.building;
  // A place is found by its group's chat id, so it always has one.
  return building?.chat_id ? { buildingId: building.id, chatId: building.chat_id } : undefined;
}

/** The line counting what a list in a building group left out; `listed`: whether it named any. */
export function elsewhereLine(count: number, listed: boolean): string {
  const where = listed ? `另有${count}件在别的楼` : '都在别的楼';
  return `${where}，私聊我发「待办」查看`;
}
