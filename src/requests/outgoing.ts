/**
 * Messages a change wants to send, as data. Commands and request creation only describe them;
 * the desk handler turns them into outbox rows in the same transaction, so nothing here sends.
 */
export type Audience =
  /** The chat the triggering message came from. */
  | { readonly to: 'here' }
  /** A building's group, through its message-push key. */
  | { readonly to: 'building'; readonly buildingId: string }
  /** The street leadership group. */
  | { readonly to: 'leadership' }
  /** Private notices (self-built app messages) to these people. */
  | { readonly to: 'people'; readonly userIds: readonly string[] };

export interface OutgoingMessage {
  readonly audience: Audience;
  readonly format: 'text' | 'markdown';
  readonly content: string;
  /** Userids to @-mention (text messages). */
  readonly mentions: readonly string[];
  /** Ties the message to a request, for the record and for metrics. */
  readonly requestId?: string;
  readonly purpose: string;
}

export class Outgoing {
  private readonly items: OutgoingMessage[] = [];

  /** A short reply in the chat the message came from. */
  reply(content: string, mentions: readonly string[] = [], requestId?: string, purpose = 'reply'): void {
    this.items.push({
      audience: { to: 'here' },
      format: 'text',
      content,
      mentions,
      purpose,
      ...(requestId ? { requestId } : {}),
    });
  }

  add(message: OutgoingMessage): void {
    this.items.push(message);
  }

  get messages(): readonly OutgoingMessage[] {
    return this.items;
  }
}
