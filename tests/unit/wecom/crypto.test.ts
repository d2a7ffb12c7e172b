import { createCipheriv } from 'node:crypto';
import { encrypt } from '@wecom/crypto';
import { decryptEnvelope, signatureMatches, signatureOf } from '../../../src/wecom/crypto';
import { AppError } from '../../../src/shared/errors';
import { vector, vectors } from '../../helpers/vectors';

const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

/** Encrypts an arbitrary padded plaintext, to build malformed payloads @wecom/crypto would not. */
function rawEncrypt(aesKey: string, plain: Buffer): string {
  const key = Buffer.from(`${aesKey}=`, 'base64');
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

function framed(message: Buffer, receiveId: string, lengthField = message.length): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(lengthField);
  return Buffer.concat([Buffer.alloc(16, 7), len, message, Buffer.from(receiveId)]);
}

function pad(data: Buffer, padByte?: number): Buffer {
  const n = 32 - (data.length % 32);
  return Buffer.concat([data, Buffer.alloc(n, padByte ?? n)]);
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('signatures', () => {
  it.each(vectors.vectors)('matches the published signature of $id', (v) => {
    expect(signatureOf(v.token, v.timestamp, v.nonce, v.ciphertext)).toBe(v.msg_signature);
    expect(signatureMatches(v.token, v.timestamp, v.nonce, v.ciphertext, v.msg_signature)).toBe(true);
    expect(signatureMatches(v.token, v.timestamp, v.nonce, v.ciphertext, v.msg_signature.toUpperCase())).toBe(
      true,
    );
  });

  it('rejects the wrong-nonce vector', () => {
    const n = vectors.negative_cases.find((c) => c.expect === 'signature_mismatch');
    if (!n?.token || !n.timestamp || !n.nonce || !n.msg_signature) throw new Error('vector missing');
    expect(signatureMatches(n.token, n.timestamp, n.nonce, n.ciphertext, n.msg_signature)).toBe(false);
  });

  it('rejects signatures of another length or with one digit changed', () => {
    const v = vector('callback_message');
    const flipped = (v.msg_signature[0] === 'a' ? 'b' : 'a') + v.msg_signature.slice(1);
    expect(signatureMatches(v.token, v.timestamp, v.nonce, v.ciphertext, flipped)).toBe(false);
    expect(signatureMatches(v.token, v.timestamp, v.nonce, v.ciphertext, v.msg_signature.slice(1))).toBe(
      false,
    );
    expect(signatureMatches(v.token, v.timestamp, v.nonce, v.ciphertext, '')).toBe(false);
  });
});

describe('decryptEnvelope', () => {
  it.each(vectors.vectors)('decrypts $id to its published plaintext', (v) => {
    expect(decryptEnvelope(v.encodingAESKey, v.ciphertext, v.receiveid)).toBe(v.expected_plaintext);
  });

  it('rejects the app vector when the bot channel (receiveid "") opens it', () => {
    const n = vectors.negative_cases.find((c) => c.expect === 'receiveid_mismatch');
    if (!n?.encodingAESKey) throw new Error('vector missing');
    expect(
      codeOf(() => decryptEnvelope(n.encodingAESKey ?? '', n.ciphertext, n.configured_receiveid ?? '')),
    ).toBe('bad_receiveid');
  });

  it('round-trips UTF-8 text with the empty receiveid of the robot', () => {
    const message = JSON.stringify({ text: { content: '@睦邻助手 #报修 2单元楼道灯不亮 💡' } });
    expect(decryptEnvelope(KEY, encrypt(KEY, message, ''), '')).toBe(message);
  });

  it('decrypts a message whose plaintext is an exact multiple of 32 bytes (a whole block of padding)', () => {
    const message = 'x'.repeat(32 - 20); // 16 random + 4 length + 12 = 32 bytes
    expect(decryptEnvelope(KEY, encrypt(KEY, message, ''), '')).toBe(message);
  });

  const malformed: [string, () => string][] = [
    ['empty ciphertext', () => ''],
    ['not base64', () => 'not*base64!'],
    [
      'base64 with whitespace',
      () => `${encrypt(KEY, 'hi', '').slice(0, 10)} ${encrypt(KEY, 'hi', '').slice(10)}`,
    ],
    ['length not a multiple of 32', () => Buffer.alloc(48, 1).toString('base64')],
    ['padding byte 0', () => rawEncrypt(KEY, pad(framed(Buffer.from('hi'), ''), 0))],
    [
      'padding byte above 32',
      () => rawEncrypt(KEY, Buffer.concat([framed(Buffer.from('hi'), ''), Buffer.alloc(10, 33)])),
    ],
    [
      'inconsistent padding',
      () => {
        const p = pad(framed(Buffer.from('hi'), ''));
        p[p.length - 2] = 1;
        return rawEncrypt(KEY, p);
      },
    ],
    ['length field past the buffer', () => rawEncrypt(KEY, pad(framed(Buffer.from('hi'), '', 4000)))],
    [
      'plaintext shorter than the header',
      () => rawEncrypt(KEY, Buffer.concat([Buffer.alloc(10, 1), Buffer.alloc(22, 22)])),
    ],
    ['invalid UTF-8', () => rawEncrypt(KEY, pad(framed(Buffer.from([0xff, 0xfe, 0xc3]), '')))],
    ['another key', () => encrypt('ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut', 'hello', '')],
  ];

  it.each(malformed)('answers bad_request for %s, never throwing anything else', (_name, build) => {
    expect(codeOf(() => decryptEnvelope(KEY, build(), ''))).toBe('bad_request');
  });
});
