import { z } from 'zod';
import { AppError } from '../shared/errors';
import { sentAtOf, type InboundMessage } from './inbound-message';

/**
 * The intelligent robot's JSON: the envelope {"encrypt": …} and the decrypted message inside.
 */

const Envelope = z.object({ encrypt: z.string().min(1) });

const TextPart = z.object({ content: z.string() });
const UrlPart = z.object({ url: z.string() });
const Quote = z
  .object({
    msgtype: z.string().optional(),
    text: TextPart.optional(),
    voice: TextPart.optional(),
    mixed: z.object({ msg_item: z.array(z.unknown()) }).optional(),
  })
  .loose();

const BotMessage = z
  .object({
    msgid: z.string().min(1).optional(),
    aibotid: z.string().optional(),
    chatid: z.string().optional(),
    chattype: z.enum(['single', 'group']).optional(),
    from: z.object({ userid: z.string().min(1) }).loose(),
    create_time: z.number().optional(),
    response_url: z.string().optional(),
    msgtype: z.string().min(1),
    text: TextPart.optional(),
    voice: TextPart.optional(),
    image: UrlPart.optional(),
    mixed: z
      .object({
        msg_item: z.array(
          z.object({ msgtype: z.string(), text: TextPart.optional(), image: UrlPart.optional() }).loose(),
        ),
      })
      .optional(),
    event: z.object({ eventtype: z.string() }).loose().optional(),
    quote: Quote.optional(),
  })
  .loose();

type BotMessage = z.infer<typeof BotMessage>;

/**
 * JSON escapes can spell characters PostgreSQL cannot store: U+0000 (in text or jsonb) and an
 * unpaired surrogate (in jsonb). The database would refuse the whole message, so it would be
 * answered 503 on every retry and lost; each becomes U+FFFD instead. The raw payload keeps the
 * escapes as written.
 */
// With the u flag a surrogate range matches only surrogates that are not half of a pair.
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what must be matched
const UNSTORABLE = /\u0000|[\uD800-\uDFFF]/gu;

function storable(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? value.replace(UNSTORABLE, '\uFFFD') : value;
}

function parseJson(body: string, what: string, reviver?: (key: string, value: unknown) => unknown): unknown {
  try {
    return JSON.parse(body, reviver) as unknown;
  } catch {
    throw new AppError('bad_request', `${what} is not JSON`);
  }
}

const ENCRYPT_KEY = '"encrypt"';
// After the key: the colon and, if it is one, a valid JSON string, escapes and all (a sender
// may write "\/"), so that JSON.parse of it cannot throw.
const AFTER_ENCRYPT_KEY =
  // eslint-disable-next-line no-control-regex -- control characters are what JSON strings may not hold
  /[ \t\n\r]*:[ \t\n\r]*("(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*")?/y;

/**
 * The encrypt field of the POST body, found by a scan of the raw text, not by parsing it: the
 * signature covers this field, so it must be found before the signature can be checked, and
 * JSON.parse of a forged 1 MiB body took up to 100 ms of CPU (deep arrays, many keys). The first
 * "encrypt" key decides (WeCom sends no other); what it holds is checked against the parsed body
 * by confirmBotEnvelope once the signature matches.
 */
export function scanBotEnvelope(body: string): string {
  for (let at = body.indexOf(ENCRYPT_KEY); at !== -1; at = body.indexOf(ENCRYPT_KEY, at + 1)) {
    AFTER_ENCRYPT_KEY.lastIndex = at + ENCRYPT_KEY.length;
    const afterKey = AFTER_ENCRYPT_KEY.exec(body);
    if (!afterKey) continue; // "encrypt" as a value, not a key
    const quoted = afterKey[1];
    const encrypted = quoted === undefined ? '' : (JSON.parse(quoted) as string);
    if (encrypted === '') break;
    return encrypted;
  }
  throw new AppError('bad_request', 'request body has no "encrypt" string');
}

/**
 * Parses the (correctly signed) POST body in full and requires its encrypt to be the one the
 * scan found and the signature covers: a signed ciphertext in a nested object or a repeated key
 * must not vouch for a different one at the top. Plain JSON: the signature covers the string as
 * sent, and a reviver call per value would make this ten times dearer.
 */
export function confirmBotEnvelope(body: string, scanned: string): void {
  const parsed = Envelope.safeParse(parseJson(body, 'request body'));
  if (!parsed.success) throw new AppError('bad_request', 'request body has no "encrypt" string');
  if (parsed.data.encrypt !== scanned) {
    throw new AppError('bad_request', 'request body has its signed encrypt outside the top-level field');
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Removes the bot's @mention so later parsing sees only what the person wrote. The mention is
 * the bot's display name; where it is not the configured one (the bot was renamed), a group
 * message's leading @mention is taken to be the bot's, since WeCom only forwards group messages
 * that mention it.
 */
export function stripBotMention(text: string, botName: string, inGroup: boolean): string {
  const named = new RegExp(`(^|\\s)@${escapeRegExp(botName)}(?=\\s|$)`, 'gu');
  let out = text.replace(named, '$1');
  if (out === text && inGroup) out = text.replace(/^\s*@\S+/u, '');
  return out.replace(/\s+/gu, ' ').trim();
}

function mixedParts(message: {
  msg_item: { msgtype: string; text?: { content: string }; image?: { url: string } }[];
}) {
  const texts: string[] = [];
  const images: string[] = [];
  for (const item of message.msg_item) {
    if (item.text) texts.push(item.text.content);
    if (item.image) images.push(item.image.url);
  }
  return { text: texts.join('\n'), images };
}

function textOf(m: BotMessage): { text: string | null; images: string[] } {
  switch (m.msgtype) {
    case 'text':
      return { text: m.text?.content ?? '', images: [] };
    case 'voice':
      return { text: m.voice?.content ?? '', images: [] };
    case 'mixed':
      return m.mixed ? mixedParts(m.mixed) : { text: '', images: [] };
    case 'image':
      return { text: null, images: m.image ? [m.image.url] : [] };
    default:
      return { text: null, images: [] };
  }
}

function quotedTextOf(m: BotMessage): string | null {
  const q = m.quote;
  if (!q) return null;
  if (q.text) return q.text.content;
  if (q.voice) return q.voice.content;
  return null;
}

export function parseBotMessage(plaintext: string, botName: string): InboundMessage {
  const parsed = BotMessage.safeParse(parseJson(plaintext, 'decrypted message', storable));
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    throw new AppError('bad_request', `decrypted message does not have the robot's shape (${where})`);
  }
  const m = parsed.data;
  const eventType = m.msgtype === 'event' ? (m.event?.eventtype ?? null) : null;
  let dedupeKey: string;
  if (m.msgid) dedupeKey = `msg:${m.msgid}`;
  else if (eventType && m.create_time !== undefined)
    dedupeKey = `event:${m.from.userid}:${m.create_time}:${eventType}`;
  else throw new AppError('bad_request', 'decrypted message has no msgid');

  const inGroup = m.chattype === 'group';
  const { text, images } = textOf(m);
  return {
    channel: 'bot',
    dedupeKey,
    msgId: m.msgid ?? null,
    msgType: m.msgtype,
    chatId: m.chatid ?? null,
    chatType: m.chattype ?? null,
    senderId: m.from.userid,
    text: text === null ? null : stripBotMention(text, botName, inGroup),
    quotedText: quotedTextOf(m),
    imageUrls: images,
    event: eventType,
    sentAt: m.create_time !== undefined ? sentAtOf(m.create_time) : null,
    replyUrl: m.response_url ?? null,
    raw: plaintext,
  };
}
