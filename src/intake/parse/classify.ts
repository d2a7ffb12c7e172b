import type { CategoryTable } from './categories';
import { COMMAND_VERBS, type ParsedCommand, parseCommand } from './command';
import { type TaggedRequest, parseTaggedPost } from './tagged-post';
import { splitQuotedReply } from './text';

export type ClassifiedMessage =
  | { readonly kind: 'command'; readonly command: ParsedCommand }
  | { readonly kind: 'post'; readonly post: TaggedRequest }
  | { readonly kind: 'missing_description'; readonly category: string }
  | { readonly kind: 'chatter' };

/**
 * What a message to the bot is. A command verb at the start wins over any tag, so
 * `进展 12 师傅说明天来 #报修` is a note on request 12, not a new request. The one exception is a
 * verb that is also a category, written as a tag with a colon and no number: `议事：小区停车难`
 * is a post (the `报修：` form), `议事：12` and `议事 12` stay commands.
 */
export function classifyMessage(text: string, table: CategoryTable): ClassifiedMessage {
  const command = parseCommand(text);
  if (command && !isColonTagForm(command, text)) return { kind: 'command', command };
  const post = parseTaggedPost(text, table);
  if (post?.kind === 'request') return { kind: 'post', post };
  if (post?.kind === 'missing_description') return { kind: 'missing_description', category: post.category };
  // Not a post after all (`转派：` is no category): the command, so its usage is the answer.
  if (command) return { kind: 'command', command };
  return { kind: 'chatter' };
}

/** A number-taking verb followed by a colon and no number. */
function isColonTagForm(command: ParsedCommand, text: string): boolean {
  const spec = COMMAND_VERBS[command.name];
  if (!spec.needsNumber || command.requestNo !== null) return false;
  const { body } = splitQuotedReply(text);
  return spec.zh.some((verb) => body.startsWith(verb) && /^ ?[:：]/u.test(body.slice(verb.length)));
}
