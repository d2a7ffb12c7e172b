/** Which callback a message came through: the self-built app (XML) or the intelligent robot (JSON). */
export type Channel = 'app' | 'bot';

/**
 * The one shape the rest of Mulin sees. No XML or WeCom JSON travels past wecom/.
 */
export interface InboundMessage {
  readonly channel: Channel;
  /** Unique per delivery within a channel: the msgid, or for an event without one its sender, time and name. */
  readonly dedupeKey: string;
  readonly msgId: string | null;
  /** text, image, mixed, voice, file, video, event, … as WeCom names it. */
  readonly msgType: string;
  readonly chatId: string | null;
  readonly chatType: 'single' | 'group' | null;
  readonly senderId: string;
  /** The text with the bot's @mention removed; null for messages without text. */
  readonly text: string | null;
  /** Text of a quoted message, when the sender replied to one. */
  readonly quotedText: string | null;
  readonly imageUrls: readonly string[];
  /** Event name for msgType "event" (click, enter_chat, template_card_event, …). */
  readonly event: string | null;
  /** When WeCom says the message was sent, where it says so. */
  readonly sentAt: Date | null;
  /** One-use reply handle (the robot's response_url). */
  readonly replyUrl: string | null;
  /** The decrypted payload exactly as received (the @mention kept). */
  readonly raw: string;
}

/** Seconds since the epoch past this are not WeCom's seconds (milliseconds, say): year 2286. */
const LATEST_SECONDS = 9_999_999_999;

/**
 * The send time WeCom states, in seconds, or null for a value that is not one. A time in
 * milliseconds would be a date some 50,000 years on, which PostgreSQL refuses: the message would
 * be answered 503 on every retry and lost for the sake of a field nothing depends on.
 */
export function sentAtOf(seconds: number): Date | null {
  return Number.isFinite(seconds) && seconds >= 0 && seconds <= LATEST_SECONDS
    ? new Date(seconds * 1000)
    : null;
}
