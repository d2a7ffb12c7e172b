import { STATUS_CODES } from 'node:http';
import type { Middleware } from 'koa';
import { isAppError, summarizeError } from '../shared/errors';
import type { AppState } from './app-state';

/**
 * Mounted first. Turns every failure into a status with a bare body (no detail reaches the
 * client) and one log line that tells the operator what to check.
 */
export function errorMiddleware(): Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const log = ctx.state.log;
      if (isAppError(error)) {
        ctx.status = error.status;
        // Refusals under a flood: the intake protecting itself logs a summary every 10 s, the
        // sign-in throttle a warning when it starts refusing (sign-in-throttle.ts).
        const flood = error.code === 'overloaded' || error.code === 'too_many_requests';
        const level = flood ? 'debug' : error.status >= 500 ? 'error' : 'warn';
        const cause = error.status >= 500 ? { cause: summarizeError(error.cause) } : {};
        log[level]({ code: error.code, status: error.status, path: ctx.path, ...cause }, error.hint);
        // The rest of an oversized or stalled body is not worth reading.
        if (error.status === 413 || error.status === 408) ctx.set('Connection', 'close');
      } else {
        ctx.status = 500;
        const stack = error instanceof Error ? error.stack : undefined;
        log.error({ cause: summarizeError(error), stack, path: ctx.path }, 'unhandled error');
      }
      const name = STATUS_CODES[ctx.status] ?? 'Error';
      const shaped = ctx.state.errorBody?.(ctx.status, name);
      if (shaped === undefined) {
        ctx.type = 'text/plain';
        ctx.body = name;
      } else ctx.body = shaped;
    }
  };
}
