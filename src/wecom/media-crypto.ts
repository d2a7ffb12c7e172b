import { createDecipheriv } from 'node:crypto';
import { aesKeyOf } from './crypto';

/**
 * The robot's files (image.url, file.url) are encrypted with the callbacks' EncodingAESKey
 * (PROTOCOL.md §3.3): AES-256-CBC, IV = the key's first 16 bytes, PKCS#7 padding to 32-byte
 * blocks. Unlike a callback there is no random prefix, length field or receiveid: the plaintext
 * is the file itself.
 */

const BLOCK = 32;

/** A download that can never decrypt: retrying it would fetch the same bytes. */
export class MediaDecryptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MediaDecryptError';
  }
}

export function decryptMedia(encodingAesKey: string, encrypted: Uint8Array): Buffer {
  if (encrypted.length === 0 || encrypted.length % BLOCK !== 0) {
    throw new MediaDecryptError(`encrypted size ${encrypted.length} is not a multiple of ${BLOCK}`);
  }
  const key = aesKeyOf(encodingAesKey);
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  // Node's own unpadding knows only 16-byte PKCS#7 blocks; WeCom pads to 32.
  decipher.setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(encrypted), decipher.final()]);
  return unpad32(padded);
}

/** Strips PKCS#7 padding to 32-byte blocks, checking every pad byte. */
export function unpad32(padded: Buffer): Buffer {
  const pad = padded[padded.length - 1] ?? 0;
  if (pad < 1 || pad > BLOCK || pad > padded.length) {
    throw new MediaDecryptError(`invalid padding byte ${pad} (wrong key, or not a WeCom file)`);
  }
  for (let i = padded.length - pad; i < padded.length; i++) {
    if (padded[i] !== pad)
      throw new MediaDecryptError('inconsistent padding (wrong key, or not a WeCom file)');
  }
  return padded.subarray(0, padded.length - pad);
}
