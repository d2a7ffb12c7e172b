import Koa from 'koa';
import type Router from 'koa-router';
import type { Logger } from '../shared/logger';
import type { AppState } from './app-state';
import { errorMiddleware } from './error-middleware';
import { requestContext } from './request-context';

/** The Koa application: request context, error handling, then the given routers. */
export function createHttpApp(logger: Logger, routers: readonly Router<AppState>[]): Koa<AppState> {
  const app = new Koa<AppState>();
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
