import type { CategoryTable } from './categories';
import { type ParsedCommand, parseCommand } from './command';
import { type TaggedRequest, parseTaggedPost } from './tagged-post';

export type ClassifiedMessage =
  | { readonly kind: 'command'; readonly command: ParsedCommand }
  | { readonly kind: 'post'; readonly post: TaggedRequest }
  | { readonly kind: 'missing_description'; readonly category: string }
  | { readonly kind: 'chatter' };

/**
 * What a message to the bot is. A command verb at the start wins over any tag, so
 * `进展 12 师傅说明天来 #报修` is a note on request 12, not a new request.
 */
export function classifyMessage(text: string, table: CategoryTable): ClassifiedMessage {
  const command = parseCommand(text);
  if (command) return { kind: 'command', command };
  const post = parseTaggedPost(text, table);
  if (post?.kind === 'request') return { kind: 'post', post };
  if (post?.kind === 'missing_description') return { kind: 'missing_description', category: post.category };
  return { kind: 'chatter' };
}
