import type { CallbackChannelConfig } from '../config';
import { AppError } from '../shared/errors';
import { confirmAppEnvelope, parseAppMessage, scanAppEnvelope } from './app-callback';
import { confirmBotEnvelope, parseBotMessage, scanBotEnvelope } from './bot-callback';
import { parseCallbackQuery, type CallbackQuery } from './callback-query';
import { decryptEnvelope, signatureMatches } from './crypto';
import type { Channel, InboundMessage } from './inbound-message';

/**
 * Framework-free callback handling: the HTTP layer hands over the raw query and body, gets back
 * the verification plaintext or one InboundMessage, or an AppError saying what was wrong.
 */
export interface ReceiverSettings {
  readonly channel: Channel;
  readonly credentials: CallbackChannelConfig;
  /** Seconds a callback's timestamp may differ from now; 0 turns the check off. */
  readonly timestampToleranceS: number;
  readonly botName: string;
}

const TOKEN_VARIABLE: Record<Channel, string> = { app: 'WECOM_CALLBACK_TOKEN', bot: 'WECOM_BOT_TOKEN' };
const KEY_VARIABLE: Record<Channel, string> = { app: 'WECOM_CALLBACK_AES_KEY', bot: 'WECOM_BOT_AES_KEY' };

function checkSignatureAndTime(s: ReceiverSettings, q: CallbackQuery, encrypted: string, now: Date): void {
  if (!signatureMatches(s.credentials.token, q.timestamp, q.nonce, encrypted, q.msgSignature)) {
    throw new AppError(
      'bad_signature',
      `msg_signature does not match: check that ${TOKEN_VARIABLE[s.channel]} equals the Token in the admin console`,
    );
  }
  if (s.timestampToleranceS > 0) {
    const skew = Math.abs(now.getTime() / 1000 - Number(q.timestamp));
    if (skew > s.timestampToleranceS) {
      throw new AppError(
        'stale_timestamp',
        `timestamp is ${Math.round(skew)} s from now (tolerance ${s.timestampToleranceS} s): a replay, or this server's clock is off`,
      );
    }
  }
}

function decrypt(s: ReceiverSettings, encrypted: string): string {
  try {
    return decryptEnvelope(s.credentials.aesKey, encrypted, s.credentials.receiveId);
  } catch (error) {
    if (error instanceof AppError && error.code === 'bad_request') {
      throw new AppError('bad_request', `${error.hint}; check ${KEY_VARIABLE[s.channel]}`, { cause: error });
    }
    throw error;
  }
}

/** GET: answers WeCom's URL verification with the decrypted echostr. */
export function verifyUrl(s: ReceiverSettings, rawQuery: string, now: Date): string {
  const q = parseCallbackQuery(rawQuery, true);
  const echostr = q.echostr ?? '';
  checkSignatureAndTime(s, q, echostr, now);
  return decrypt(s, echostr);
}

/** POST: verifies, decrypts and normalizes one callback. */
export function openCallback(s: ReceiverSettings, rawQuery: string, body: string, now: Date): InboundMessage {
  const q = parseCallbackQuery(rawQuery, false);
  // The body is only scanned for the ciphertext before the signature is checked, and parsed in
  // full after: an unsigned body must cost next to nothing to refuse.
  const encrypted = s.channel === 'app' ? scanAppEnvelope(body) : scanBotEnvelope(body);
  checkSignatureAndTime(s, q, encrypted, now);
  if (s.channel === 'app') confirmAppEnvelope(body, encrypted);
  else confirmBotEnvelope(body, encrypted);
  const plaintext = decrypt(s, encrypted);
  return s.channel === 'app' ? parseAppMessage(plaintext) : parseBotMessage(plaintext, s.botName);
}
