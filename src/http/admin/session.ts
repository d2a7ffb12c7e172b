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

/**
 * v2 carries who signed in; v1 (before names) did not, and is still accepted until it expires,
 * as no one. The MAC covers the version, so one cannot be turned into the other.
 */
const VERSION = 'v2';

/**
 * Who signed in, as they said at the sign-in form: one of the ledger's street admins (their
 * userid and name), or a name typed under 其他 (userId null). Taken on trust from whoever holds
 * the shared token: it names the person, it does not prove who they are.
 */
export interface SignedInStaff {
  readonly userId: string | null;
  readonly name: string;
}

export interface Session {
  /** Random; binds CSRF tokens to this session. */
  readonly id: string;
  readonly expiresAt: Date;
  /** null for a session from before sign-ins named anyone. */
  readonly staff: SignedInStaff | null;
}

const COOKIE =
  /^((v[12])\.(\d{1,12})\.([A-Za-z0-9_-]{22})(?:\.([A-Za-z0-9_-]{1,400}))?)\.([A-Za-z0-9_-]{43})$/;

/** The staff part of a v2 cookie: their userid and name, as base64url JSON (the name is Chinese). */
function encodeStaff(staff: SignedInStaff): string {
  const fields = staff.userId === null ? { n: staff.name } : { u: staff.userId, n: staff.name };
  return b64url(Buffer.from(JSON.stringify(fields), 'utf8'));
}

function decodeStaff(part: string): SignedInStaff | null {
  try {
    const fields = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as {
      u?: unknown;
      n?: unknown;
    };
    if (typeof fields.n !== 'string' || (fields.u !== undefined && typeof fields.u !== 'string')) return null;
    return { userId: fields.u ?? null, name: fields.n };
  } catch {
    return null;
  }
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

  issue(now: Date, staff: SignedInStaff): { cookie: string; session: Session } {
    const id = b64url(randomBytes(16));
    const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000);
    const body = `${VERSION}.${Math.floor(expiresAt.getTime() / 1000)}.${id}.${encodeStaff(staff)}`;
    return { cookie: `${body}.${this.mac(this.sessionKey, body)}`, session: { id, expiresAt, staff } };
  }

  /**
   * The session a cookie carries, or null when it is malformed, forged or expired. A v1 cookie
   * (issued before sign-ins named anyone) is still good until it expires, with no one named.
   */
  verify(cookie: string | undefined, now: Date): Session | null {
    if (!cookie) return null;
    const match = COOKIE.exec(cookie);
    if (!match) return null;
    const [, body = '', version, expires = '', id = '', staffPart, mac = ''] = match;
    if ((version === 'v2') !== (staffPart !== undefined)) return null;
    if (!sameText(mac, this.mac(this.sessionKey, body))) return null;
    const expiresAt = new Date(Number(expires) * 1000);
    if (expiresAt.getTime() <= now.getTime()) return null;
    if (staffPart === undefined) return { id, expiresAt, staff: null };
    const staff = decodeStaff(staffPart);
    return staff ? { id, expiresAt, staff } : null;
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
