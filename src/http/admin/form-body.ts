import type { Context } from 'koa';
import { AppError } from '../../shared/errors';
import { readRawBody } from '../raw-body';

// The sign-in and sign-out forms carry a token and a path at most.
const FORM_LIMITS = { maxBytes: 4096, timeoutMs: 5000 };

/**
 * The forms acting on a request carry a note of up to 500 characters (street-actions.ts): a
 * Chinese character is 9 bytes once form-encoded, so 4,500 bytes and the tokens, with room to
 * spare for a note a little too long, which is answered in words rather than with a 413.
 */
export const ACTION_FORM_LIMITS = { maxBytes: 16 * 1024, timeoutMs: 5000 };

/** Reads an application/x-www-form-urlencoded body (the only kind the pages post). */
export async function readForm(
  ctx: Context,
  limits: { readonly maxBytes: number; readonly timeoutMs: number } = FORM_LIMITS,
): Promise<URLSearchParams> {
  if (!ctx.is('application/x-www-form-urlencoded')) {
    throw new AppError('unsupported_media_type', 'admin form: expected application/x-www-form-urlencoded');
  }
  return new URLSearchParams(await readRawBody(ctx.req, limits));
}

/**
 * Browsers say where a form comes from (Fetch Metadata); one posted from another site, or from a
 * sibling subdomain, is refused before its token is even looked at. Origin is not compared with
 * our own address: behind a reverse proxy that rewrites Host or drops X-Forwarded-Proto the two
 * differ for honest posts. Browsers without Sec-Fetch-Site rely on the CSRF token alone.
 */
export function isCrossSite(ctx: Context): boolean {
  const site = ctx.get('Sec-Fetch-Site');
  return site === 'cross-site' || site === 'same-site';
}
