import Koa from 'koa';
import type Router from 'koa-router';
import type { Logger } from '../shared/logger';
import type { AppState } from './app-state';
import { errorMiddleware } from './error-middleware';
import { requestContext } from './request-context';

/** The Koa application: request context, error handling, then the given routers. */
export function createHttpApp(logger: Logger, routers: readonly Router<AppState>[]): Koa<AppState> {
  const app = new Koa<AppState>();
  // Behind the reverse proxy, X-Forwarded-Proto says whether the browser used HTTPS (ctx.secure:
  // Secure cookies, HSTS). ctx.ip is not to be used: with proxy on it is the leftmost
  // X-Forwarded-For entry, which any client can write; see clientAddress (client-address.ts).
  app.proxy = true;
  app.use(requestContext(logger));
  app.use(errorMiddleware());
  for (const router of routers) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  // Errors are handled and logged by errorMiddleware; silence Koa's default stderr printer.
  app.silent = true;
  return app;
}
