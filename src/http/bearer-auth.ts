import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { AppError } from '../shared/errors';
import type { AppState } from './app-state';

const BEARER = /^Bearer +(\S+) *$/i;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Guards the routes it is mounted on with one shared token. Without a token they do not exist
 * (404), so an operator who never set one exposes nothing. The comparison runs over SHA-256
 * digests: equal-length inputs for timingSafeEqual, and neither the token's length nor its
 * prefix can be learned from response times.
 */
export function bearerAuth(token: string | undefined): Middleware<AppState> {
  if (!token) {
    return () => {
      throw new AppError('not_found', 'the admin API is off: set its token to turn it on');
    };
  }
  const expected = digest(token);
  return async (ctx, next) => {
    const header = ctx.get('Authorization');
    const given = BEARER.exec(header)?.[1];
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      ctx.set('WWW-Authenticate', 'Bearer');
      // The hint says which case it was, never what was sent.
      throw new AppError('unauthorized', `admin API: ${problemOf(header, given)}; check the caller's token`);
    }
    await next();
  };
}

function problemOf(header: string, given: string | undefined): string {
  if (!header) return 'no Authorization header';
  if (given === undefined) return 'the Authorization header is not "Bearer <token>"';
  return 'wrong bearer token';
}
