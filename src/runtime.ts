import { createServer, type Server } from 'node:http';
import type { DataSource } from 'typeorm';
import type { Config } from './config';
import { openDatabase } from './db/data-source';
import { DeskHandler } from './intake/desk-handler';
import { describeImport, importLedgerFile } from './ledger/import-file';
import { LedgerCache } from './ledger/ledger-store';
import { OutboxWorker, timedSender } from './outbox';
import { Metrics } from './http/metrics';
import { PhotoKeeper } from './photos';
import { pageLinksFor } from './requests/page-links';
import { Scheduler, schedulerOptionsFrom } from './scheduler';
import { createService } from './service';
import type { Clock } from './shared/clock';
import type { Logger } from './shared/logger';
import { WecomClient } from './wecom/client';

export interface Mulin {
  readonly server: Server;
  readonly dataSource: DataSource;
  readonly worker: OutboxWorker;
  readonly scheduler: Scheduler;
  /** Keeps the photos residents send to the robot; null when the robot channel is off. */
  readonly photos: PhotoKeeper | null;
  /** Stops accepting, finishes in-flight requests and sends, closes the database. */
  stop(): Promise<void>;
}

export class LedgerFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file} is not a valid ledger:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'LedgerFileError';
  }
}

/** Opens the database, retrying for a while: a service started together with its database is common. */
async function openDatabaseWithRetry(config: Config, logger: Logger): Promise<DataSource> {
  const deadline = Date.now() + 30_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await openDatabase(config);
    } catch (error) {
      if (Date.now() > deadline || !config.databaseUrl) throw error;
      logger.warn({ attempt, err: error }, 'database not reachable yet; retrying (check DATABASE_URL)');
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 500 * attempt)));
    }
  }
}

/**
 * Composition root: database, ledger, desk, outbox worker, photo keeper and HTTP server, wired once here.
 * Used by `npm start` and by tests that need the whole service in one process.
 */
export interface StartOptions {
  readonly port?: number;
  /** Runs after the database is open and before the server listens (the trial seeds its ledger). */
  readonly prepare?: (dataSource: DataSource) => Promise<void>;
}

export async function startMulin(
  config: Config,
  logger: Logger,
  clock: Clock,
  options: StartOptions = {},
): Promise<Mulin> {
  const dataSource = await openDatabaseWithRetry(config, logger);
  if (config.ledgerFile) {
    const imported = await importLedgerFile(dataSource, config.ledgerFile, clock, {
      privateNotices: config.wecom.appApi !== null,
    });
    if (!imported.ok) {
      await dataSource.destroy();
      throw new LedgerFileError(config.ledgerFile, imported.problems);
    }
    logger.info({ file: config.ledgerFile }, describeImport(imported));
  }
  await options.prepare?.(dataSource);

  const ledgers = new LedgerCache();
  const client = new WecomClient({
    apiBase: config.wecom.apiBase,
    clock,
    ...(config.wecom.appApi ? { app: config.wecom.appApi } : {}),
  });
  const metrics = new Metrics(dataSource, clock);
  const sender = timedSender(client, (destination, outcome, seconds) =>
    metrics.sendSeconds.observe({ destination, outcome }, seconds),
  );
  const worker = new OutboxWorker(dataSource, sender, clock, logger.child({ component: 'outbox' }));
  // The robot's image links are encrypted with its callback key and live 5 minutes.
  const photos = config.wecom.bot
    ? new PhotoKeeper(dataSource, clock, logger.child({ component: 'photos' }), {
        encodingAesKey: config.wecom.bot.aesKey,
      })
    : null;
  const handler = new DeskHandler({
    ledgers,
    clock,
    logger: logger.child({ component: 'desk' }),
    timeZone: config.timezone,
    privateNotices: config.wecom.appApi !== null,
    botName: config.wecom.botName,
    pageLinks: pageLinksFor(config.publicUrl),
  });
  // Made before the service, which shows its health; started once the server listens.
  const scheduler = new Scheduler(
    dataSource,
    clock,
    logger.child({ component: 'scheduler' }),
    ledgers,
    schedulerOptionsFrom(config, { onQueued: () => worker.wakeUp() }),
  );
  const app = createService({
    config,
    dataSource,
    clock,
    logger,
    handler,
    ledgers,
    components: { scheduler, photos },
    onQueued: () => worker.wakeUp(),
    onStored: (stored) => {
      worker.wakeUp();
      // Only a robot message with images brings photos to keep; the keeper polls for the rest.
      if (stored.some((m) => m.channel === 'bot' && m.imageUrls.length > 0)) photos?.wakeUp();
    },
  });
  // Node enforces headersTimeout and requestTimeout only when it checks its connections, every
  // 30 s by default: a client trickling header lines held a socket for up to 40 s (chaos/fuzz.ts).
  const handle = app.callback();
  const server = createServer({ connectionsCheckingInterval: 1000 }, (req, res) => void handle(req, res));
  server.requestTimeout = 15_000;
  server.headersTimeout = 10_000;
  server.listen({ port: options.port ?? config.port, ...(config.host ? { host: config.host } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  worker.start();
  photos?.start();
  await scheduler.start();

  return {
    server,
    dataSource,
    worker,
    scheduler,
    photos,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      await scheduler.stop();
      await worker.stop();
      await photos?.stop();
      await dataSource.destroy();
    },
  };
}
