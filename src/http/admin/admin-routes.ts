import Router from 'koa-router';
import type { DataSource } from 'typeorm';
import type { LedgerCache } from '../../ledger/ledger-store';
import type { PageLinks } from '../../requests/page-links';
import type { Clock } from '../../shared/clock';
import { AppError } from '../../shared/errors';
import type { AppState } from '../app-state';
import { TrustedProxies } from '../client-address';
import { sessionKeysFor, sessionOrBearer } from './admin-auth';
import type { AdminDeps } from './admin-context';
import { addAuditRoute } from './audit-page';
import { addCsvRoute } from './csv-export';
import { chineseErrorPages } from './error-pages';
import { addFiguresRoutes } from './figures-page';
import { addLedgerRoutes } from './ledger-pages';
import { addLoginRoutes } from './login-routes';
import { addPhotoRoute } from './photo-route';
import { addRequestActionRoutes } from './request-actions';
import { addRequestRoutes } from './request-pages';
import { securityHeaders } from './security-headers';
import { SignInThrottle } from './sign-in-throttle';

export interface AdminRoutesDeps {
  readonly dataSource: DataSource;
  /** MULIN_ADMIN_TOKEN: signs people in and keys their sessions; unset turns the pages off (404). */
  readonly adminToken: string | undefined;
  readonly ledgers: LedgerCache;
  readonly clock: Clock;
  /** The street's IANA zone (MULIN_TIMEZONE): dates, days and weeks are its own. */
  readonly timeZone: string;
  /** MULIN_TRUSTED_PROXIES, for the client address failed sign-ins are counted under; none if unset. */
  readonly trustedProxies?: TrustedProxies;
  /** Whether private notices can go out through the self-built app; off unless told. */
  readonly privateNotices?: boolean;
  /** MULIN_PUBLIC_URL's links, for the actions' private lines to street admins; none if unset. */
  readonly pageLinks?: PageLinks | undefined;
  /** Called after an action on a request queued notices (wakes the outbox worker). */
  readonly onQueued?: () => void;
}

/**
 * The street office's pages under /admin: sign-in, requests (list, one request and what the street
 * does about it, CSV export), the photos residents sent, the ledger (compounds, buildings), the
 * weekly figures and the audit log (操作记录). Server-rendered, no script.
 */
export function adminRoutes(deps: AdminRoutesDeps): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/admin' });
  const keys = sessionKeysFor(deps.adminToken);
  router.use(securityHeaders('pages'));
  if (!keys) {
    router.all('{/*rest}', () => {
      throw new AppError('not_found', 'the admin pages are off: set MULIN_ADMIN_TOKEN to turn them on');
    });
    return router;
  }
  // Mounted only when the pages are on: when off, the bare 404 says nothing of what is there.
  router.use(chineseErrorPages());
  const admin: AdminDeps = {
    ...deps,
    keys,
    privateNotices: deps.privateNotices ?? false,
    trustedProxies: deps.trustedProxies ?? new TrustedProxies([]),
  };
  // Before the session check, which they make themselves (koa-router runs layers in order).
  const throttle = new SignInThrottle(deps.dataSource, deps.clock, admin.trustedProxies);
  addLoginRoutes(router, admin, throttle);
  router.use(sessionOrBearer({ keys, clock: deps.clock, mode: 'pages', throttle }));

  router.get('/', (ctx) => {
    ctx.redirect('/admin/requests');
  });
  addCsvRoute(router, admin);
  addRequestRoutes(router, admin);
  addRequestActionRoutes(router, admin);
  addPhotoRoute(router, admin);
  addLedgerRoutes(router, admin);
  addFiguresRoutes(router, admin);
  addAuditRoute(router, admin);

  // Anything else under /admin: 404 once signed in (the sign-in page before), revealing nothing.
  router.all('{/*rest}', () => {
    throw new AppError('not_found', 'admin pages: no such page');
  });
  return router;
}
