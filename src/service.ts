import type Koa from 'koa';
import type { DataSource } from 'typeorm';
import type { Config } from './config';
import { adminRoutes } from './http/admin/admin-routes';
import { apiRoutes } from './http/api-routes';
import { createHttpApp } from './http/app';
import { TrustedProxies } from './http/client-address';
import type { AppState } from './http/app-state';
import { healthRoutes, type HealthDeps } from './http/health-routes';
import { Metrics, metricsRoutes } from './http/metrics';
import { BodyBudget, DEFAULT_BODY_BUDGET_BYTES, DEFAULT_BODY_LIMITS, type BodyLimits } from './http/raw-body';
import { open311Routes } from './http/open311/open311-routes';
import { wecomRoutes } from './http/wecom-routes';
import { ignoreInbound, Intake, type InboundHandler } from './intake';
import { LedgerCache } from './ledger/ledger-store';
import { outboxHealth } from './outbox';
import { pageLinksFor } from './requests/page-links';
import type { PhotoKeeper } from './photos';
import { latestRuns, type Scheduler } from './scheduler';
import type { Clock } from './shared/clock';
import type { Logger } from './shared/logger';
import type { Channel, InboundMessage, ReceiverSettings } from './wecom';

export interface ServiceDeps {
  readonly config: Config;
  readonly dataSource: DataSource;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly handler?: InboundHandler;
  readonly ledgers?: LedgerCache;
  /** Called with the new messages once committed (to wake the outbox worker and the photo keeper). */
  readonly onStored?: (stored: readonly InboundMessage[]) => void;
  /** Called when the street office's pages queued notices (to wake the outbox worker). */
  readonly onQueued?: () => void;
  readonly bodyLimits?: BodyLimits;
  readonly metrics?: Metrics;
  /** This instance's scheduler and photo keeper (null: the robot channel is off), shown in /healthz. */
  readonly components?: { readonly scheduler: Scheduler; readonly photos: PhotoKeeper | null };
}

/**
 * The /healthz sections of this instance's scheduler and photo keeper: from memory, and with the
 * database up, each job's latest run on any instance too.
 */
function componentHealth(deps: ServiceDeps): Pick<HealthDeps, 'live' | 'details'> {
  const outbox = async () => ({ outbox: await outboxHealth(deps.dataSource, deps.clock.now()) });
  const components = deps.components;
  if (!components) return { details: outbox };
  const { scheduler, photos } = components;
  return {
    live: () => ({ scheduler: scheduler.health(), photos: photos?.health() ?? { state: 'off' } }),
    details: async () => {
      const [figures, lastRuns] = await Promise.all([outbox(), latestRuns(deps.dataSource)]);
      return { ...figures, scheduler: scheduler.health(lastRuns) };
    },
  };
}

export function receiversOf(config: Config): Partial<Record<Channel, ReceiverSettings>> {
  const receivers: Partial<Record<Channel, ReceiverSettings>> = {};
  for (const channel of ['app', 'bot'] as const) {
    const credentials = config.wecom[channel];
    if (credentials) {
      receivers[channel] = {
        channel,
        credentials,
        timestampToleranceS: config.wecom.timestampToleranceS,
        botName: config.wecom.botName,
      };
    }
  }
  return receivers;
}

/** The HTTP application: health, metrics, WeCom callbacks, the read API, Open311 and the street office pages. */
export function createService(deps: ServiceDeps): Koa<AppState> {
  const metrics = deps.metrics ?? new Metrics(deps.dataSource, deps.clock);
  const intake = new Intake(
    deps.dataSource,
    deps.handler ?? ignoreInbound,
    deps.clock,
    deps.logger,
    deps.onStored,
    {
      onBatch: (messages) => metrics.intakeBatch.observe(messages),
    },
  );
  const ledgers = deps.ledgers ?? new LedgerCache();
  const street = {
    dataSource: deps.dataSource,
    adminToken: deps.config.adminToken,
    ledgers,
    clock: deps.clock,
    timeZone: deps.config.timezone,
    trustedProxies: new TrustedProxies(deps.config.trustedProxies),
  };
  const office = {
    ...street,
    privateNotices: deps.config.wecom.appApi !== null,
    pageLinks: pageLinksFor(deps.config.publicUrl),
    ...(deps.onQueued ? { onQueued: deps.onQueued } : {}),
  };
  return createHttpApp(deps.logger, [
    healthRoutes({
      dataSource: deps.dataSource,
      channels: { app: deps.config.wecom.app !== null, bot: deps.config.wecom.bot !== null },
      ...componentHealth(deps),
    }),
    metricsRoutes(metrics),
    wecomRoutes({
      receivers: receiversOf(deps.config),
      intake,
      clock: deps.clock,
      bodyLimits: deps.bodyLimits ?? {
        ...DEFAULT_BODY_LIMITS,
        budget: new BodyBudget(DEFAULT_BODY_BUDGET_BYTES),
      },
      countCallback: (channel, outcome) => metrics.callbacks.inc({ channel, outcome }),
    }),
    // Before apiRoutes: its catch-all would otherwise answer /api/open311 with 404.
    open311Routes(street),
    apiRoutes(street),
    adminRoutes(office),
  ]);
}
