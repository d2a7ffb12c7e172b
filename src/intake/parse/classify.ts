import { type CategoryTable, lookupCategory } from './categories';
import { COMMAND_VERBS, type ParsedCommand, parseCommand } from './command';
import { type TaggedRequest, parseTaggedPost } from './tagged-post';
import { hasContent, splitQuotedReply, trimPunctuation } from './text';
import { detectUrgency } from './urgency';

export type ClassifiedMessage =
  | { readonly kind: 'command'; readonly command: ParsedCommand }
  | {
      readonly kind: 'post';
      readonly post: TaggedRequest;
      /** A post without a tag because it reports a danger (see ClassifyOptions.dangerAsPost). */
      readonly untagged?: true;
    }
  | { readonly kind: 'missing_description'; readonly category: string }
  | { readonly kind: 'chatter' };

export interface ClassifyOptions {
  /**
   * Whether a message that reports a danger (gas, fire, someone trapped in a lift, a burst
   * pipe…) is a post even with no tag: true in a building group, where it is filed, and in a
   * private chat, where the sender gets the safety line and is sent to their group. Someone in
   * danger gets the safety line (and, in their group, the heads @-ed), not a lesson in tagging.
   */
  readonly dangerAsPost?: boolean;
}

/**
 * The category of an untagged danger: a call for help. The hazard, not the category, decides
 * the urgent handling (safety line, grid worker @-ed, the urgent response clock).
 */
const URGENT_CATEGORY = 'help';

/**
 * What a message to the bot is. A command verb at the start wins over any tag, so
 * `进展 12 师傅说明天来 #报修` is a note on request 12, not a new request. The one exception is a
 * verb that is also a category (议事), with no number: `议事：小区停车难` and `议事 小区停车难`
 * are posts, `议事：12` and `议事 12` stay commands, and `议事` alone asks for the number.
 */
export function classifyMessage(
  text: string,
  table: CategoryTable,
  options: ClassifyOptions = {},
): ClassifiedMessage {
  const typed = classifyAsTyped(text, table);
  if (options.dangerAsPost && !actionable(typed)) {
    const post = urgentPost(text);
    if (post) return { kind: 'post', post, untagged: true };
  }
  return typed;
}

function classifyAsTyped(text: string, table: CategoryTable): ClassifiedMessage {
  const command = parseCommand(text);
  const tag = command ? verbAsTag(command, text, table) : null;
  if (command && !tag) return { kind: 'command', command };
  const post = parseTaggedPost(text, table);
  if (post?.kind === 'request') return { kind: 'post', post };
  // `议事：` is the tag missing its description; `议事` alone is the command missing its number.
  if (post?.kind === 'missing_description' && (!command || tag?.colon)) {
    return { kind: 'missing_description', category: post.category };
  }
  // Not a post after all (`转派：` is no category): the command, so its usage is the answer.
  if (command) return { kind: 'command', command };
  return { kind: 'chatter' };
}

/**
 * A number-taking verb with no number that is also a category word (`议事 …`): whether it opens
 * the message, and whether a colon follows it.
 */
function verbAsTag(command: ParsedCommand, text: string, table: CategoryTable): { colon: boolean } | null {
  const spec = COMMAND_VERBS[command.name];
  if (!spec.needsNumber || command.requestNo !== null) return null;
  const { body } = splitQuotedReply(text);
  const verb = spec.zh.find((v) => body.startsWith(v) && lookupCategory(table, v) !== null);
  return verb === undefined ? null : { colon: /^ ?[:：]/u.test(body.slice(verb.length)) };
}

/**
 * Whether the message does something as typed: a post, or a command that can run. A command
 * missing its number, or 帮助 followed by words (`帮助！电梯困人了`), does nothing for someone
 * in danger, so their message is read for a danger first.
 */
function actionable(message: ClassifiedMessage): boolean {
  if (message.kind === 'post') return true;
  if (message.kind !== 'command') return false;
  const { name, requestNo, rest } = message.command;
  if (name === 'help') return rest === '';
  return !COMMAND_VERBS[name].needsNumber || requestNo !== null;
}

/** The sender's words as an urgent 求助, when they report a danger. */
function urgentPost(text: string): TaggedRequest | null {
  const description = trimPunctuation(splitQuotedReply(text).body);
  if (!hasContent(description) || !detectUrgency(description).urgent) return null;
  return { kind: 'request', category: URGENT_CATEGORY, description };
}
