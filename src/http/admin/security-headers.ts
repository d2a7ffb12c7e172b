import type { Middleware } from 'koa';
import type { AppState } from '../app-state';
import { ADMIN_CSS_HASH } from './styles';

/**
 * Headers for everything the street office sees. Pages run no script at all: the CSP allows
 * only the one stylesheet (by hash), images from Mulin itself (the photos residents sent are kept
 * and served under /admin/photos; WeCom's links are never shown) and forms posting back here.
 */
export function securityHeaders(kind: 'pages' | 'api'): Middleware<AppState> {
  const csp =
    kind === 'pages'
      ? [
          "default-src 'none'",
          `style-src '${ADMIN_CSS_HASH}'`,
          "img-src 'self' data:",
          "form-action 'self'",
          "frame-ancestors 'none'",
          "base-uri 'none'",
        ].join('; ')
      : "default-src 'none'; frame-ancestors 'none'";
  return async (ctx, next) => {
    ctx.set('Content-Security-Policy', csp);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
    ctx.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    // Residents' requests: no proxy or browser cache keeps a copy.
    ctx.set('Cache-Control', 'no-store');
    if (ctx.secure) ctx.set('Strict-Transport-Security', 'max-age=31536000');
    await next();
  };
}
