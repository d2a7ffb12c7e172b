import Router from 'koa-router';
import type { DataSource } from 'typeorm';
import type { AppState } from './app-state';
import { readWithin } from './bounded-read';

export interface HealthDeps {
  readonly dataSource: DataSource;
  readonly channels: { readonly app: boolean; readonly bot: boolean };
  /** How long the database round trip may take before the service counts as unhealthy; the details get as long again. */
  readonly timeoutMs?: number;
  /**
   * This process's own parts (the scheduler, the photo keeper), from memory: shown whatever the
   * database does, and never a reason to answer 503 (a scheduler turned off here is no fault).
   */
  readonly live?: () => Record<string, unknown>;
  /**
   * Extra figures shown when the database is up (the outbox backlog, failed and dead rows); a
   * section also in `live` is replaced by its fuller version here.
   */
  readonly details?: () => Promise<Record<string, unknown>>;
}

/**
 * GET /healthz: 200 after a database round trip, 503 when the database does not answer. Only
 * the database decides the status: the rest is for an operator to read.
 */
export function healthRoutes(deps: HealthDeps): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/healthz', async (ctx) => {
    const timeoutMs = deps.timeoutMs ?? 2000;
    const database = await ping(deps.dataSource, timeoutMs);
    ctx.status = database === 'ok' ? 200 : 503;
    // Bounded like the ping: a locked outbox table must not hold up the probe (the figures are left out).
    const details =
      database === 'ok' && deps.details ? ((await readWithin(deps.details, timeoutMs)) ?? {}) : {};
    ctx.body = {
      status: database === 'ok' ? 'ok' : 'unavailable',
      database,
      channels: { app: deps.channels.app ? 'on' : 'off', bot: deps.channels.bot ? 'on' : 'off' },
      ...deps.live?.(),
      ...details,
    };
    if (database !== 'ok')
      ctx.state.log.warn('health check: database did not answer; check DATABASE_URL and the server');
  });
  return router;
}

async function ping(dataSource: DataSource, timeoutMs: number): Promise<'ok' | 'unavailable'> {
  const answered = await readWithin(() => dataSource.query<unknown[]>('SELECT 1'), timeoutMs);
  return answered === null ? 'unavailable' : 'ok';
}
