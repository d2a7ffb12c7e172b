import { createCipheriv, randomBytes } from 'node:crypto';

/**
 * Encrypts a file the way WeCom serves the robot's image.url (PROTOCOL.md §3.3), with node:crypto
 * and not Mulin's code: AES-256-CBC, key = base64(EncodingAESKey + "="), IV = key[0..16),
 * PKCS#7 padding to 32-byte blocks.
 */
export function encryptMedia(encodingAesKey: string, plain: Uint8Array): Buffer {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  const pad = 32 - (plain.length % 32);
  const padded = Buffer.concat([Buffer.from(plain), Buffer.alloc(pad, pad)]);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]);
}

/** Encrypts already padded bytes as they are: for building bad padding on purpose. */
export function encryptRaw(encodingAesKey: string, padded: Uint8Array): Buffer {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]);
}

/** A JPEG as far as anyone checks: its SOI marker and JFIF header, then random bytes. */
export function fakeJpeg(size = 2000): Buffer {
  const head = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);
  return Buffer.concat([head, randomBytes(Math.max(0, size - head.length))]);
}

export function fakePng(size = 500): Buffer {
  const head = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([head, randomBytes(Math.max(0, size - head.length))]);
}
