import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import { sessionBinding, sessionOf } from './admin-auth';
import { isCrossSite } from './form-body';
import { messagePage } from './layout';
import type { SessionKeys } from './session';

/** The one-time key a form that changes something carries (street-actions.ts): random, as a login nonce. */
export const FORM_KEY = /^[A-Za-z0-9_-]{22}$/;

export function newFormKey(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * Whether a form posted to a signed-in page may act: sent from these pages (Fetch Metadata), under
 * a session, with the CSRF token bound to it. A bearer token has no session and no forms to post.
 */
export function pageFormAllowed(ctx: Context, keys: SessionKeys, form: URLSearchParams): boolean {
  if (isCrossSite(ctx)) return false;
  const session = sessionOf(ctx);
  if (!session) return false;
  return keys.checkCsrf(sessionBinding(session), form.get('_csrf') ?? undefined);
}

/** 403 and a page saying the form is stale or not ours, with the way back to where it was. */
export function formExpired(ctx: Context, back: string): void {
  ctx.status = 403;
  ctx.type = 'html';
  ctx.body = messagePage('页面已过期', '这个表单已过期或不是从本站提交的，请返回重新操作。', {
    href: back,
    label: '返回',
  }).text;
}
