import type { EntityManager } from 'typeorm';
import type { Ledger } from '../ledger/ledger';
import { categoryName, maskPhones, shorten } from '../requests/format';
import { searchRequests } from '../requests/request-search';
import type { RequestRow } from '../requests/request-store';
import { safetyLine } from '../requests/safety-line';
import { COMMAND_VERBS, detectUrgency, suggestTag, type ParsedCommand, type TaggedRequest } from './parse';

/**
 * The desk's own answers to messages that are neither a post it files nor a command it runs:
 * chatter, a post sent where it cannot be filed, several numbers at once.
 */

/** The example in how-to replies when the sender's own words give none. */
export const EXAMPLE = '2单元楼道灯不亮';

/**
 * The answer to a message that is neither a post nor a command, read in this order: a category
 * named without a tag gets the sender's own words back with the tag; a reporter with a request
 * waiting for a rating is pointed at it (with several, asked which); a handler is shown the verbs
 * with their request's number; a reporter with requests still being handled is told where they
 * stand, and nothing more; anyone else gets how to report. In a private chat, where posts are
 * refused, the how-to sends them to their building's group.
 */
export async function chatterReply(
  text: string,
  senderId: string,
  inBuildingGroup: boolean,
  ctx: { readonly tx: EntityManager; readonly ledger: Ledger; readonly now: Date; readonly botName: string },
): Promise<string> {
  const { tx, ledger, now, botName } = ctx;
  const suggested = suggestTag(text, ledger.categories);
  if (suggested) {
    const tag = `#${categoryName(ledger.categories, suggested.category)}`;
    const example = `${tag} ${suggested.description ? shorten(maskPhones(suggested.description)) : EXAMPLE}`;
    if (!inBuildingGroup) return `报事请到您楼栋的群里@我，例如：${example}`;
    if (!suggested.description) return `请在「${tag}」后面写上具体情况，例如：${example}`;
    return `请在前面加上「${tag}」，例如：${example}`;
  }

  // One read for what the sender reported and is not finished with. No flush before it: what a
  // batch has not written yet are new, open requests; at worst one is missed and the reply is the
  // how-to.
  const reported = await searchRequests(
    tx,
    { reporterId: senderId, statuses: ['resolved', 'open', 'acknowledged'] },
    now,
    { limit: 20, offset: 0 },
  );
  const toRate = reported.filter((r) => r.status === 'resolved');
  if (toRate.length > 0) return rateWhich(toRate);

  if (ledger.hasRole(senderId)) {
    const assigned = await searchRequests(tx, { status: 'active', assigneeId: senderId }, now, {
      limit: 2,
      offset: 0,
    });
    const [only] = assigned;
    if (only && assigned.length === 1) {
      // One already taken on only waits to be finished.
      const take = only.status === 'open' ? `接单请发「接单 ${only.no}」，` : '';
      return `您手上有 #${only.no}：${take}办完请发「办结 ${only.no} 处理情况」`;
    }
    if (assigned.length > 0 || ledger.isGridWorker(senderId, null) || ledger.isAdmin(senderId)) {
      return '接单请发「接单 编号」，办完请发「办结 编号 处理情况」；发「待办」看您手上的事';
    }
  }

  // A reporter asking after their request (灯修好了吗) is told where it stands, and only that: a
  // how-to line under it would be read as part of the answer.
  const [only, ...others] = reported;
  if (only) {
    const handler = ledger.nameOf(only.assigneeId) || '处理人';
    if (others.length > 0) return `您有 ${reported.length} 件事还在办，可发「查询」看进度`;
    return only.status === 'open'
      ? `您报的 #${only.no} 还在等${handler}接单，可发「查询 ${only.no}」看进度`
      : `您报的 #${only.no} ${handler}已接单，正在处理，可发「查询 ${only.no}」看进度`;
  }
  const repair = `#${categoryName(ledger.categories, 'repair')} ${EXAMPLE}`;
  if (!inBuildingGroup) return `报事请到您楼栋的群里@我，例如：${repair}；在这里可发「待办」「帮助」`;
  return `想报事请这样发：@${botName} ${repair}；发「帮助」看全部用法`;
}

/** The most request numbers a chatter answer names. */
const NAMED = 5;

/**
 * A reporter whose requests wait for a rating is asked for it: for the one, by its number; for
 * several, which: their numbers only, short to read, and saying nothing of what they reported in
 * a group where it may not have been shown.
 */
function rateWhich(toRate: readonly RequestRow[]): string {
  const [newest] = toRate;
  if (newest && toRate.length === 1) {
    return `#${newest.no} 已办结，请回复「满意 ${newest.no}」或「不满意 ${newest.no} 原因」`;
  }
  const nos = toRate.slice(0, NAMED).map((r) => `#${r.no}`);
  const which =
    toRate.length > NAMED
      ? `您有多件事等评价：${nos.join('、')} 等`
      : `您有 ${toRate.length} 件事等评价：${nos.join('、')}`;
  return `${which}\n请回复「满意 编号」或「不满意 编号 原因」`;
}

/**
 * A post sent where it cannot be filed (a private chat, the leadership group): the sender is sent
 * to their building's group. Someone reporting a danger gets the safety line first, as the
 * receipt in their group would have given it, and their words tagged to post there.
 */
export function postOutsideBuildingGroup(post: TaggedRequest, ledger: Ledger): string {
  const toGroup = '请到您所在楼栋的群里@我报事，方便楼长及时看到';
  const urgency = detectUrgency(post.description);
  const safety = urgency.urgent ? safetyLine(ledger, urgency.hazard) : null;
  if (!safety) return toGroup;
  const example = `#${categoryName(ledger.categories, post.category)} ${shorten(maskPhones(post.description))}`;
  return `${safety}\n${toGroup}，例如：${example}`;
}

/** `接单 1 2`: one request at a time, each as it should be sent. */
export function oneAtATime(command: ParsedCommand & { readonly requestNo: number }): string {
  const verb = COMMAND_VERBS[command.name].zh[0] ?? '';
  const nos = [command.requestNo, ...(command.otherNos ?? [])];
  return `请一件一件发：${nos.map((no) => `「${verb} ${no}」`).join('')}`;
}
