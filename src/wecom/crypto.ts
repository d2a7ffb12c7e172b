import { createDecipheriv, timingSafeEqual } from 'node:crypto';
import { getSignature } from '@wecom/crypto';
import { AppError } from '../shared/errors';

/**
 * WeCom's callback envelope (WXBizMsgCrypt): SHA-1 signature over the sorted parts, AES-256-CBC
 * with PKCS#7 padding to 32 bytes, plaintext = random(16) | length(4, BE) | msg | receiveid.
 *
 * @wecom/crypto computes signatures and is used for that; its decrypt trusts its input (it
 * ignores bad padding and reads a length past the buffer), so decryption is done here, with
 * every field checked, and only ever after the signature has matched.
 */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BLOCK = 32;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function signatureOf(token: string, timestamp: string, nonce: string, encrypted: string): string {
  return getSignature(token, timestamp, nonce, encrypted);
}

/** Constant-time comparison of the expected signature with the one WeCom sent. */
export function signatureMatches(
  token: string,
  timestamp: string,
  nonce: string,
  encrypted: string,
  given: string,
): boolean {
  const expected = Buffer.from(signatureOf(token, timestamp, nonce, encrypted), 'utf8');
  const actual = Buffer.from(given.toLowerCase(), 'utf8');
  // Lengths are public (always 40 hex digits), so checking them first leaks nothing.
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export function aesKeyOf(encodingAesKey: string): Buffer {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new Error('EncodingAESKey must decode to 32 bytes');
  return key;
}

/**
 * Decrypts and unwraps a callback ciphertext, returning the message text.
 * Throws AppError('bad_request') for anything malformed and AppError('bad_receiveid') when the
 * payload was meant for someone else.
 */
export function decryptEnvelope(
  encodingAesKey: string,
  encrypted: string,
  expectedReceiveId: string,
): string {
  if (encrypted.length === 0 || !BASE64.test(encrypted)) {
    throw new AppError('bad_request', 'ciphertext is not base64');
  }
  const cipherBytes = Buffer.from(encrypted, 'base64');
  if (cipherBytes.length === 0 || cipherBytes.length % BLOCK !== 0) {
    throw new AppError(
      'bad_request',
      `ciphertext length ${cipherBytes.length} is not a multiple of ${BLOCK}`,
    );
  }
  const key = aesKeyOf(encodingAesKey);
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(cipherBytes), decipher.final()]);

  const pad = padded[padded.length - 1] ?? 0;
  if (pad < 1 || pad > BLOCK || pad > padded.length) {
    throw new AppError('bad_request', `invalid padding byte ${pad} (check the EncodingAESKey)`);
  }
  for (let i = padded.length - pad; i < padded.length; i++) {
    if (padded[i] !== pad)
      throw new AppError('bad_request', 'inconsistent padding (check the EncodingAESKey)');
  }
  const plain = padded.subarray(0, padded.length - pad);
  if (plain.length < 20) throw new AppError('bad_request', 'plaintext shorter than its header');
  const length = plain.readUInt32BE(16);
  if (length > plain.length - 20) {
    throw new AppError('bad_request', 'message length field runs past the plaintext');
  }
  let message: string;
  let receiveId: string;
  try {
    message = utf8.decode(plain.subarray(20, 20 + length));
    receiveId = utf8.decode(plain.subarray(20 + length));
  } catch {
    throw new AppError('bad_request', 'plaintext is not UTF-8 (check the EncodingAESKey)');
  }
  if (receiveId !== expectedReceiveId) {
    throw new AppError(
      'bad_receiveid',
      expectedReceiveId === ''
        ? 'payload names a receiver but the bot channel expects none (is this an app callback sent to /wecom/bot?)'
        : 'payload was encrypted for another receiver (check WECOM_CORP_ID)',
    );
  }
  return message;
}
