import type { Context } from 'koa';
import { AppError } from '../../shared/errors';
import { readRawBody } from '../raw-body';

// The pages' forms carry a token and a path at most.
const FORM_LIMITS = { maxBytes: 4096, timeoutMs: 5000 };

/** Reads an application/x-www-form-urlencoded body (the only kind the pages post). */
export async function readForm(ctx: Context): Promise<URLSearchParams> {
  if (!ctx.is('application/x-www-form-urlencoded')) {
    throw new AppError('unsupported_media_type', 'admin form: expected application/x-www-form-urlencoded');
  }
  return new URLSearchParams(await readRawBody(ctx.req, FORM_LIMITS));
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
