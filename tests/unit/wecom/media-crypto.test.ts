import { decryptMedia, MediaDecryptError, unpad32 } from '../../../src/wecom/media-crypto';
import { encryptMedia, encryptRaw, fakeJpeg } from '../../helpers/media';
import { BOT_SECRETS } from '../../helpers/wecom-payloads';

const KEY = BOT_SECRETS.aesKey;

describe('decryptMedia', () => {
  it.each([1, 31, 32, 33, 64, 2000])('returns the file of %i bytes encrypted with node:crypto', (size) => {
    const file = fakeJpeg(size).subarray(0, size);
    const encrypted = encryptMedia(KEY, file);
    expect(encrypted.length % 32).toBe(0);
    expect(decryptMedia(KEY, encrypted)).toEqual(file);
  });

  it('pads a file of whole blocks with a whole block of 32s', () => {
    const file = Buffer.alloc(64, 7);
    expect(encryptMedia(KEY, file)).toHaveLength(96);
    expect(decryptMedia(KEY, encryptMedia(KEY, file))).toEqual(file);
  });

  it.each([
    ['a pad byte of 0', Buffer.concat([Buffer.alloc(31, 1), Buffer.from([0])])],
    ['a pad byte over 32', Buffer.concat([Buffer.alloc(31, 1), Buffer.from([33])])],
    ['pad bytes that disagree', Buffer.concat([Buffer.alloc(28, 1), Buffer.from([4, 3, 4, 4])])],
  ])('refuses %s', (_name, padded) => {
    expect(() => decryptMedia(KEY, encryptRaw(KEY, padded))).toThrow(MediaDecryptError);
  });

  it('refuses a size that is not whole 32-byte blocks, and nothing at all', () => {
    expect(() => decryptMedia(KEY, Buffer.alloc(48))).toThrow(/multiple of 32/);
    expect(() => decryptMedia(KEY, Buffer.alloc(0))).toThrow(MediaDecryptError);
  });

  it('does not give the file back under another key', () => {
    const other = 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut';
    let result: Buffer | undefined;
    try {
      result = decryptMedia(other, encryptMedia(KEY, fakeJpeg()));
    } catch (error) {
      expect(error).toBeInstanceOf(MediaDecryptError);
    }
    if (result) expect(result.subarray(0, 3)).not.toEqual(Buffer.from([0xff, 0xd8, 0xff]));
  });
});

describe('unpad32', () => {
  it('strips 1 to 32 pad bytes', () => {
    for (let pad = 1; pad <= 32; pad++) {
      const body = Buffer.alloc(64 - pad, 0xaa);
      expect(unpad32(Buffer.concat([body, Buffer.alloc(pad, pad)]))).toEqual(body);
    }
  });
});
