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
  | { readonly to: 'people'; readonly userIds: readonly string[] }
  /**
   * The group of the request a notice @-mentions people about: the chat it was posted in when it
   * @-mentions the reporter, else its building's group (where the heads are). The same as 'here'
   * when the command was typed in that group.
   */
  | {
      readonly to: 'request_group';
      readonly chatId: string | null;
      readonly buildingId: string | null;
      readonly reporterId: string;
    };

/** What Outgoing needs of a request to tell where its people are. */
export interface RequestGroups {
  readonly id: string;
  readonly reporterId: string;
  readonly chatId: string | null;
  readonly buildingId: string | null;
}

export interface OutgoingMessage {
  readonly audience: Audience;
  readonly format: 'text' | 'markdown';
  readonly content: string;
  /** Userids to @-mention (text messages). */
  readonly mentions: readonly string[];
  /** Ties the message to a request, for the record and for metrics. */
  readonly requestId?: string;
  readonly purpose: string;
  /**
   * What the sender is told when a notice typed elsewhere goes to the request's group (a 催办 from
   * a private chat): by default the notice's first line, which may be worded for the handler.
   */
  readonly senderNote?: string;
}

export class Outgoing {
  constructor(
    private readonly items: OutgoingMessage[] = [],
    private readonly request?: RequestGroups,
  ) {}

  /**
   * The same list, for a command on one request: a reply about it that @-mentions someone is a
   * notice to them, so it goes to the request's group, where they are, wherever it was typed.
   */
  about(request: RequestGroups): Outgoing {
    return new Outgoing(this.items, request);
  }

  /** A short reply in the chat the message came from. */
  reply(content: string, mentions: readonly string[] = [], requestId?: string, purpose = 'reply'): void {
    this.add({
      audience: { to: 'here' },
      format: 'text',
      content,
      mentions,
      purpose,
      ...(requestId ? { requestId } : {}),
    });
  }

  /**
   * A line added to the reply in the chat the message came from (the last, when there are
   * several), or sent as that reply when there is none.
   */
  addToReply(line: string): void {
    const i = this.items.findLastIndex((m) => m.audience.to === 'here');
    const last = this.items[i];
    if (last) this.items[i] = { ...last, content: `${last.content}\n${line}` };
    else this.reply(line);
  }

  add(message: OutgoingMessage): void {
    this.items.push(this.addressed(message));
  }

  private addressed(message: OutgoingMessage): OutgoingMessage {
    const r = this.request;
    if (!r || message.audience.to !== 'here' || message.mentions.length === 0 || message.requestId !== r.id) {
      return message;
    }
    const forReporter = message.mentions.includes(r.reporterId);
    return {
      ...message,
      audience: {
        to: 'request_group',
        chatId: forReporter ? r.chatId : null,
        buildingId: r.buildingId,
        reporterId: r.reporterId,
      },
    };
  }

  get messages(): readonly OutgoingMessage[] {
    return this.items;
  }
}
