import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Stateless sessions for the street office's pages: the cookie carries its own expiry and an
 * HMAC under a key derived from MULIN_ADMIN_TOKEN. Any instance can check it without a database
 * round trip or a session table to clean up, and changing the token signs everyone out at once.
 * The price: signing out clears this browser's cookie but cannot revoke a copy taken from it,
 * so sessions are kept short.
 */
export const SESSION_COOKIE = 'mulin_session';
/** Holds the random value the sign-in form's CSRF token is bound to, before there is a session. */
export const LOGIN_COOKIE = 'mulin_login';
export const SESSION_HOURS = 12;

const VERSION = 'v1';

export interface Session {
  /** Random; binds CSRF tokens to this session. */
  readonly id: string;
  readonly expiresAt: Date;
}

function b64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

function sameText(a: string, b: string): boolean {
  // Digests make the lengths equal, as timingSafeEqual needs, and hide the expected length.
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

export class SessionKeys {
  private readonly sessionKey: Buffer;
  private readonly csrfKey: Buffer;
  private readonly tokenDigest: Buffer;

  constructor(adminToken: string) {
    const derive = (info: string) => Buffer.from(hkdfSync('sha256', adminToken, 'mulin-admin', info, 32));
    // Separate keys: a value signed for one purpose can never be replayed as the other.
    this.sessionKey = derive('session-cookie-v1');
    this.csrfKey = derive('csrf-token-v1');
    this.tokenDigest = createHash('sha256').update(adminToken, 'utf8').digest();
  }

  /** Constant-time comparison with the configured token. */
  isAdminToken(given: string): boolean {
    return timingSafeEqual(createHash('sha256').update(given, 'utf8').digest(), this.tokenDigest);
  }

  issue(now: Date): { cookie: string; session: Session } {
    const id = b64url(randomBytes(16));
    const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000);
    const body = `${VERSION}.${Math.floor(expiresAt.getTime() / 1000)}.${id}`;
    return { cookie: `${body}.${this.mac(this.sessionKey, body)}`, session: { id, expiresAt } };
  }

  /** The session a cookie carries, or null when it is malformed, forged or expired. */
  verify(cookie: string | undefined, now: Date): Session | null {
    if (!cookie) return null;
    const match = /^(v1\.(\d{1,12})\.([A-Za-z0-9_-]{22}))\.([A-Za-z0-9_-]{43})$/.exec(cookie);
    if (!match) return null;
    const [, body = '', expires = '', id = '', mac = ''] = match;
    if (!sameText(mac, this.mac(this.sessionKey, body))) return null;
    const expiresAt = new Date(Number(expires) * 1000);
    if (expiresAt.getTime() <= now.getTime()) return null;
    return { id, expiresAt };
  }

  /** A fresh random value for the sign-in form's cookie. */
  static loginNonce(): string {
    return b64url(randomBytes(16));
  }

  /**
   * The CSRF token of forms shown under a session (or, for the sign-in form, under its login
   * cookie): an HMAC of that binding, so a page on another site can neither read nor forge it.
   */
  csrfToken(binding: string): string {
    return this.mac(this.csrfKey, binding);
  }

  checkCsrf(binding: string | undefined, given: string | undefined): boolean {
    if (!binding || !given) return false;
    return sameText(given, this.csrfToken(binding));
  }

  private mac(key: Buffer, body: string): string {
    return b64url(createHmac('sha256', key).update(body).digest());
  }
}
