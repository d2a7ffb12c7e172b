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

const DTD = /<!DOCTYPE|<!ENTITY/i;

function parseXmlRoot(xml: string, what: string): XmlRecord {
  // WeCom never sends a DTD; refusing them outright closes the door on entity tricks.
  if (DTD.test(xml)) throw new AppError('bad_request', `${what} contains a DTD`);
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

const ENCRYPT_OPEN = '<Encrypt>';
const ENCRYPT_CLOSE = '</Encrypt>';
const CDATA_OPEN = '<![CDATA[';
const CDATA_CLOSE = ']]>';

/**
 * The Encrypt field of the POST body, found by a scan of the raw text (two indexOf calls), not
 * by parsing: the signature covers this field, so it must be found before the signature can be
 * checked, and parsing a forged 1 MiB body of small elements took up to a second of CPU. What it
 * finds is checked against the parsed body by confirmAppEnvelope once the signature matches.
 * WeCom writes `<Encrypt><![CDATA[base64]]></Encrypt>`; plain text and whitespace around either
 * are read the way the parser reads them.
 */
export function scanAppEnvelope(body: string): string {
  // As cheap as the scan, and WeCom never sends one: a DTD is refused whatever the signature.
  if (DTD.test(body)) throw new AppError('bad_request', 'request body contains a DTD');
  const start = body.indexOf(ENCRYPT_OPEN);
  const end = start === -1 ? -1 : body.indexOf(ENCRYPT_CLOSE, start + ENCRYPT_OPEN.length);
  if (end === -1) throw new AppError('bad_request', 'request body has no <Encrypt>…</Encrypt>');
  let encrypted = body.slice(start + ENCRYPT_OPEN.length, end).trim();
  if (encrypted.startsWith(CDATA_OPEN) && encrypted.endsWith(CDATA_CLOSE)) {
    encrypted = encrypted.slice(CDATA_OPEN.length, -CDATA_CLOSE.length);
  }
  if (!encrypted) throw new AppError('bad_request', 'request body has an empty Encrypt element');
  return encrypted;
}

/**
 * Parses the (correctly signed) POST body in full and requires its Encrypt to be the one the
 * scan found and the signature covers: a signed ciphertext tucked into a comment or another
 * element must not vouch for a different one in the Encrypt element.
 */
export function confirmAppEnvelope(body: string, scanned: string): void {
  const root = parseXmlRoot(body, 'request body');
  const encrypted = text(root, 'Encrypt');
  if (!encrypted) throw new AppError('bad_request', 'request body has no single Encrypt element');
  if (encrypted !== scanned) {
    throw new AppError('bad_request', 'request body has its signed Encrypt outside the Encrypt element');
  }
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
