import { XMLParser } from 'fast-xml-parser';
import { SyntaxValidator } from 'fast-xml-validator';
import { AppError } from '../shared/errors';
import { sentAtOf, type InboundMessage } from './inbound-message';

/**
 * The self-built app's XML: the outer envelope ({ToUserName, AgentID, Encrypt}) and the
 * decrypted message or event inside it.
 */

// No entity expansion, no DTDs, values kept as strings (MsgId is a 64-bit integer).
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  processEntities: false,
  trimValues: true,
  ignoreDeclaration: true,
});

type XmlRecord = Record<string, unknown>;

function parseXmlRoot(xml: string, what: string): XmlRecord {
  // WeCom never sends a DTD; refusing them outright closes the door on entity tricks.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new AppError('bad_request', `${what} contains a DTD`);
  try {
    SyntaxValidator.validate(xml);
  } catch {
    throw new AppError('bad_request', `${what} is not well-formed XML`);
  }
  let doc: XmlRecord;
  try {
    doc = parser.parse(xml) as XmlRecord;
  } catch {
    // Well-formed but beyond what the parser takes (it caps nesting): still the sender's fault.
    throw new AppError('bad_request', `${what} is not XML this service reads (nested too deep?)`);
  }
  const root = doc.xml;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw new AppError('bad_request', `${what} has no <xml> root`);
  }
  return root as XmlRecord;
}

function text(record: XmlRecord, field: string): string | null {
  const value = record[field];
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return null;
}

/** Returns the Encrypt field of the POST body. */
export function readAppEnvelope(body: string): string {
  const root = parseXmlRoot(body, 'request body');
  const encrypted = text(root, 'Encrypt');
  if (!encrypted) throw new AppError('bad_request', 'request body has no Encrypt element');
  return encrypted;
}

export function parseAppMessage(plaintext: string): InboundMessage {
  const root = parseXmlRoot(plaintext, 'decrypted message');
  const msgType = text(root, 'MsgType');
  const sender = text(root, 'FromUserName');
  const createTime = text(root, 'CreateTime');
  if (!msgType || !sender)
    throw new AppError('bad_request', 'decrypted message lacks MsgType or FromUserName');
  const sentAt = createTime && /^\d+$/.test(createTime) ? sentAtOf(Number(createTime)) : null;

  const msgId = text(root, 'MsgId');
  let dedupeKey: string;
  if (msgId) {
    dedupeKey = `msg:${msgId}`;
  } else if (msgType === 'event' && createTime) {
    // Events carry no MsgId; WeCom's guidance is sender + CreateTime. The event and its key go in
    // too: two menu clicks (or entering the app and its location report) can share a second, and
    // a repeat delivery repeats both.
    dedupeKey = `event:${sender}:${createTime}:${text(root, 'Event') ?? ''}:${text(root, 'EventKey') ?? ''}`;
  } else {
    throw new AppError('bad_request', 'decrypted message has neither MsgId nor an event CreateTime');
  }

  const picUrl = msgType === 'image' ? text(root, 'PicUrl') : null;
  return {
    channel: 'app',
    dedupeKey,
    msgId,
    msgType,
    chatId: null,
    chatType: 'single',
    senderId: sender,
    text: msgType === 'text' ? (text(root, 'Content') ?? '') : null,
    quotedText: null,
    imageUrls: picUrl ? [picUrl] : [],
    event: msgType === 'event' ? text(root, 'Event') : null,
    sentAt,
    replyUrl: null,
    raw: plaintext,
  };
}
