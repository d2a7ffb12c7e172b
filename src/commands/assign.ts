import type { ParsedCommand } from '../intake/parse';
import type { Ledger } from '../ledger/ledger';
import type { Person } from '../ledger/schema';
import { reassign, reassignedLine } from '../requests/hand-over';
import type { CommandContext, CommandDefinition } from './context';
import { closedReason } from '../requests/transitions';

/** What ends a name typed without an @: a space or a separator (`转派 3 李秀兰，她熟悉情况`). */
const AFTER_NAME = /^([^\s,，、;；。:：]+)[\s,，、;；。:：]*([\s\S]*)$/u;

/**
 * Whom the sender hands the request to, as typed, and the note that goes with it: the first @,
 * else the first word after the number (`转派 3 李秀兰`, `转派 3 给李秀兰`).
 */
function target(command: ParsedCommand): { typed: string; note: string } | null {
  const { mentions, rest } = command;
  const [mention] = mentions;
  if (mention) return { typed: mention, note: rest };
  const m = AFTER_NAME.exec(rest);
  return m?.[1] ? { typed: m[1], note: (m[2] ?? '').trim() } : null;
}

/**
 * `转派 12 @李秀兰`, for answers asking for the number: with whom the sender named, if anyone.
 */
export function handOverExample(ctx: CommandContext, no = 12): string {
  return `转派 ${no} @${target(ctx.command)?.typed ?? '某人'}`;
}

/**
 * Whether a 转派 names someone: an @, or a name the ledger knows. `转给` with no number is the
 * command only then (`转给李秀兰`), and words otherwise (`转给物业了吗`).
 */
export function namesSomeone(ledger: Ledger, command: ParsedCommand): boolean {
  if (command.mentions.length > 0) return true;
  const to = target(command);
  return to !== null && peopleNamed(ledger, to.typed).length > 0;
}

/**
 * The people a typed name means: an exact name or userid, else the ledger names inside it, as a
 * group nickname wraps one (`李秀兰(1单元长)`, `王建国楼长`, `1单元-王建国`). A name inside a longer
 * one found too (王建 in 王建国) is not a second person.
 */
function peopleNamed(ledger: Ledger, typed: string): Person[] {
  const exact = ledger.findPeople(typed);
  if (exact.length > 0) return exact;
  const inside = ledger.document.people.filter((p) => p.name.length >= 2 && typed.includes(p.name));
  return inside.filter((p) => !inside.some((q) => q.name.length > p.name.length && q.name.includes(p.name)));
}

export const assign: CommandDefinition = {
  name: 'assign',
  action: '转派',
  permission: 'handler',
  forStaff: true,
  async run(ctx, request) {
    if (!request) return;
    const no = request.no;
    const to = target(ctx.command);
    if (!to) {
      ctx.out.reply(`请写上交给谁，例如：转派 ${no} @李秀兰`);
      return;
    }
    const closed = closedReason(request.status);
    if (closed) {
      ctx.out.reply(`#${no} ${closed}，不能再转派`);
      return;
    }
    const matches = peopleNamed(ctx.ledger, to.typed);
    const [person] = matches;
    if (!person) {
      ctx.out.reply(`台账里没有「${to.typed}」，请核对姓名，或请街道先把这位加进台账`);
      return;
    }
    if (matches.length > 1) {
      const sameName = matches.every((p) => p.name === person.name);
      ctx.out.reply(
        sameName
          ? `台账里有 ${matches.length} 位「${person.name}」，请用账号转派，例如：转派 ${no} @${person.id}`
          : `「${to.typed}」里有 ${matches.map((p) => p.name).join('、')}，请只写一位，例如：转派 ${no} @${person.name}`,
      );
      return;
    }
    if (person.id === request.assigneeId) {
      ctx.out.reply(`#${no} 本来就由${person.name}处理`);
      return;
    }
    await reassign(ctx.tx, request, {
      to: person.id,
      actorId: ctx.senderId,
      now: ctx.now,
      note: to.note || null,
    });
    ctx.out.reply(reassignedLine(no, person.name), [person.id], request.id);
  },
};
