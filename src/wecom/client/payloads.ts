import type { OutgoingBody } from './message-types';

/** The JSON each WeCom surface expects for an OutgoingBody (PROTOCOL.md 3.7, 4.2, 5.2). */

export function webhookPayload(body: OutgoingBody): Record<string, unknown> {
  if (body.kind === 'markdown') return { msgtype: 'markdown', markdown: { content: body.content } };
  return {
    msgtype: 'text',
    text: {
      content: body.content,
      ...(body.mentions && body.mentions.length > 0 ? { mentioned_list: [...body.mentions] } : {}),
    },
  };
}

/**
 * response_url takes markdown only (a card only in single chat), so text goes as markdown, its
 * mentions written as <@userid>, which the robot's markdown renders as @-mentions.
 */
export function responseUrlPayload(body: OutgoingBody): Record<string, unknown> {
  return { msgtype: 'markdown', markdown: { content: markdownContentOf(body) } };
}

/** The markdown a body becomes where only markdown is accepted. */
export function markdownContentOf(body: OutgoingBody): string {
  const mentions = body.kind === 'text' && body.mentions ? body.mentions : [];
  return mentions.length > 0
    ? `${body.content}\n${mentions.map((id) => `<@${id}>`).join(' ')}`
    : body.content;
}

/** An app message to members; mentions mean nothing in a one-to-one message and are dropped. */
export function appMessagePayload(
  userIds: readonly string[],
  agentId: number,
  body: OutgoingBody,
): Record<string, unknown> {
  const common = { touser: userIds.join('|'), agentid: agentId, msgtype: body.kind, safe: 0 };
  return body.kind === 'text'
    ? { ...common, text: { content: body.content } }
    : { ...common, markdown: { content: body.content } };
}
