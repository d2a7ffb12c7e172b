import Router from 'koa-router';
import type { DataSource } from 'typeorm';
import type { AppState } from './app-state';

export interface HealthDeps {
  readonly dataSource: DataSource;
  readonly channels: { readonly app: boolean; readonly bot: boolean };
  /** How long the database round trip may take before the service counts as unhealthy. */
  readonly timeoutMs?: number;
  /** Extra figures shown when the database is up (the outbox backlog, failed and dead rows). */
  readonly details?: () => Promise<Record<string, unknown>>;
}

/** GET /healthz: 200 after a database round trip, 503 when the database does not answer. */
export function healthRoutes(deps: HealthDeps): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/healthz', async (ctx) => {
    const database = await ping(deps.dataSource, deps.timeoutMs ?? 2000);
    ctx.status = database === 'ok' ? 200 : 503;
    const details = database === 'ok' && deps.details ? await deps.details().catch(() => ({})) : {};
    ctx.body = {
      status: database === 'ok' ? 'ok' : 'unavailable',
      database,
      channels: { app: deps.channels.app ? 'on' : 'off', bot: deps.channels.bot ? 'on' : 'off' },
      ...details,
    };
    if (database !== 'ok')
      ctx.state.log.warn('health check: database did not answer; check DATABASE_URL and the server');
  });
  return router;
}

async function ping(dataSource: DataSource, timeoutMs: number): Promise<'ok' | 'unavailable'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'unavailable'>((resolve) => {
    timer = setTimeout(() => resolve('unavailable'), timeoutMs);
  });
  const query = dataSource.query('SELECT 1').then(
    () => 'ok' as const,
    () => 'unavailable' as const,
  );
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
