import { randomBytes } from 'node:crypto';
import { encrypt, getSignature } from '@wecom/crypto';

/**
 * Builds callbacks the way WeCom does, with @wecom/crypto (never the project's own code), so the
 * service is tested against an independent implementation of the envelope.
 */

export interface ChannelSecrets {
  readonly token: string;
  readonly aesKey: string;
  /** corp id for the app, "" for the bot */
  readonly receiveId: string;
}

export const BOT_SECRETS: ChannelSecrets = {
  token: 'botTokenForTests',
  aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  receiveId: '',
};

export const APP_SECRETS: ChannelSecrets = {
  token: 'appTokenForTests',
  aesKey: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut',
  receiveId: 'wwTestCorp0001',
};

export interface Signed {
  readonly query: string;
  readonly body: string;
}

let nonceCounter = 0;

export function signQuery(secrets: ChannelSecrets, encrypted: string, timestamp: number, extra = ''): string {
  const nonce = String(100000 + ++nonceCounter);
  const ts = String(timestamp);
  const signature = getSignature(secrets.token, ts, nonce, encrypted);
  return `msg_signature=${signature}&timestamp=${ts}&nonce=${nonce}${extra}`;
}

export function botCallback(message: object, timestamp: number, secrets = BOT_SECRETS): Signed {
  const encrypted = encrypt(secrets.aesKey, JSON.stringify(message), secrets.receiveId);
  return { query: signQuery(secrets, encrypted, timestamp), body: JSON.stringify({ encrypt: encrypted }) };
}

export function appCallback(innerXml: string, timestamp: number, secrets = APP_SECRETS): Signed {
  const encrypted = encrypt(secrets.aesKey, innerXml, secrets.receiveId);
  const body = `<xml><ToUserName><![CDATA[${secrets.receiveId}]]></ToUserName><AgentID><![CDATA[1000005]]></AgentID><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`;
  return { query: signQuery(secrets, encrypted, timestamp), body };
}

/** The query of a URL verification GET, echostr percent-encoded as WeCom sends it. */
export function verifyQuery(secrets: ChannelSecrets, echo: string, timestamp: number): string {
  const encrypted = encrypt(secrets.aesKey, echo, secrets.receiveId);
  return signQuery(secrets, encrypted, timestamp, `&echostr=${encodeURIComponent(encrypted)}`);
}

export function randomMsgId(): string {
  return randomBytes(12).toString('base64');
}

/** A text message to the group robot, as WeCom's JSON callback carries it. */
export function botText(
  text: string,
  fields: { chatid?: string; userid?: string; msgid?: string; aibotid?: string; responseUrl?: string } = {},
): object {
  return {
    msgid: fields.msgid ?? randomMsgId(),
    aibotid: fields.aibotid ?? 'aibTest',
    chatid: fields.chatid ?? 'wrkGroupTest',
    chattype: 'group',
    from: { userid: fields.userid ?? 'zhang.min' },
    response_url: fields.responseUrl ?? 'http://127.0.0.1:9/cgi-bin/aibot/response?response_code=test',
    msgtype: 'text',
    text: { content: `@睦邻助手 ${text}` },
  };
}

/** mulberry32: small, fast and the same on every machine, so generated data and runs repeat. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
