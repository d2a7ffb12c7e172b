import type { Context, Middleware, Next } from 'koa';
import type { DataSource } from 'typeorm';
import type { Clock } from '../../shared/clock';
import { AppError } from '../../shared/errors';
import type { AppState } from '../app-state';
import type { TrustedProxies } from '../client-address';
import { SESSION_COOKIE, type Session, SessionKeys } from './session';
import { SignInThrottle, warnIfTripped } from './sign-in-throttle';

const BEARER = /^Bearer +(\S+) *$/i;

// Koa's ctx.state is typed by the app; the session travels beside it rather than widen AppState.
const sessions = new WeakMap<Context, Session>();

/** The session the request was signed in with; undefined when it came with the bearer token. */
export function sessionOf(ctx: Context): Session | undefined {
  return sessions.get(ctx);
}

/** What CSRF tokens of forms on this request's pages are bound to. */
export function sessionBinding(session: Session): string {
  return `session:${session.id}`;
}

export interface AuthOptions {
  /** null when MULIN_ADMIN_TOKEN is unset: everything guarded answers 404. */
  readonly keys: SessionKeys | null;
  readonly clock: Clock;
  /**
   * pages: a browser without a session is sent to the sign-in page;
   * api: it gets 401 with a Bearer challenge, as scripts expect.
   */
  readonly mode: 'pages' | 'api';
  /** Counts wrong bearer tokens with wrong sign-ins, and refuses both past its limits. */
  readonly throttle: SignInThrottle;
}

export function sessionKeysFor(adminToken: string | undefined): SessionKeys | null {
  return adminToken ? new SessionKeys(adminToken) : null;
}

/**
 * Lets a request through with either the admin token as a bearer (scripts, the 12345 bridge) or a
 * valid session cookie (people in a browser). A wrong bearer is refused even when a cookie is
 * valid, so a broken script shows up instead of riding on someone's session.
 */
export function sessionOrBearer(options: AuthOptions): Middleware<AppState> {
  const { keys, clock, mode, throttle } = options;
  return async (ctx, next: Next) => {
    if (!keys) throw new AppError('not_found', 'the admin pages and API are off: set MULIN_ADMIN_TOKEN');
    const header = ctx.get('Authorization');
    if (header) {
      const given = BEARER.exec(header)?.[1];
      const verdict = await throttle.attempt(ctx, () => given !== undefined && keys.isAdminToken(given));
      if (verdict.outcome === 'refused') {
        ctx.set('Retry-After', String(verdict.retryAfterS));
        throw new AppError('too_many_requests', 'admin: bearer refused, too many failed attempts');
      }
      if (verdict.outcome === 'wrong') {
        warnIfTripped(ctx.state.log, verdict);
        ctx.set('WWW-Authenticate', 'Bearer');
        throw new AppError('unauthorized', 'admin: wrong or malformed Authorization header');
      }
      await next();
      return;
    }
    const session = keys.verify(ctx.cookies.get(SESSION_COOKIE), clock.now());
    if (session) {
      sessions.set(ctx, session);
      await next();
      return;
    }
    if (mode === 'pages' && (ctx.method === 'GET' || ctx.method === 'HEAD')) {
      ctx.status = 303;
      ctx.redirect(`/admin/login?next=${encodeURIComponent(ctx.originalUrl)}`);
      return;
    }
    ctx.set('WWW-Authenticate', 'Bearer');
    throw new AppError('unauthorized', 'admin: no session and no bearer token');
  };
}

/** What the API routers (/api, Open311) are guarded with: the admin token, and its failures counted. */
export interface ApiGuardDeps {
  readonly dataSource: DataSource;
  readonly adminToken: string | undefined;
  readonly clock: Clock;
  /** MULIN_TRUSTED_PROXIES, for the client address failures are counted under; none if unset. */
  readonly trustedProxies?: TrustedProxies;
}

export function apiGuard(deps: ApiGuardDeps): Middleware<AppState> {
  return sessionOrBearer({
    keys: sessionKeysFor(deps.adminToken),
    clock: deps.clock,
    mode: 'api',
    throttle: new SignInThrottle(deps.dataSource, deps.clock, deps.trustedProxies),
  });
}

/** Where signing in leads when it was asked for nowhere, or nowhere it may lead. */
const PAGES_HOME = '/admin/requests';

/** A `.` or `..` path segment, spelled out or percent-encoded, as a browser resolves it. */
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?=\/|$)/i;

/**
 * Where to go after signing in (a link from a chat to a request's page, kept through the sign-in
 * form): only a path on this site under /admin. Never another site (//evil.example, a scheme, a
 * backslash some browsers read as a slash), nor a path that leaves /admin once the browser has
 * resolved its dot segments (/admin/../api) or dropped its tabs and line breaks.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string') return PAGES_HOME;
  const path = next.split(/[?#]/, 1)[0] ?? '';
  const underAdmin = /^\/admin(?:[/?#]|$)/.test(next);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (!underAdmin || next.includes('\\') || /[\u0000-\u001f\u007f]/.test(next) || DOT_SEGMENT.test(path)) {
    return PAGES_HOME;
  }
  return next;
}
