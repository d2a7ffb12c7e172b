import type { Server } from 'node:http';
import type { DataSource } from 'typeorm';
import { channelVariables, ConfigError, loadConfig, type Config } from './config';
import { openDatabase } from './db/data-source';
import { createService } from './service';
import { systemClock } from './shared/clock';
import { createLogger, type Logger } from './shared/logger';

function describeChannels(config: Config, logger: Logger): void {
  const paths = { app: '/wecom/app', bot: '/wecom/bot' } as const;
  for (const channel of ['app', 'bot'] as const) {
    if (config.wecom[channel])
      logger.info({ channel, path: paths[channel] }, `${channel} callback channel is on`);
    else
      logger.warn(
        { channel, path: paths[channel] },
        `${channel} callback channel is off (answers 404): set ${channelVariables(channel).join(', ')} to turn it on`,
      );
  }
}

/** Opens the database, retrying for a while: a service started with its database is common. */
async function openDatabaseWithRetry(config: Config, logger: Logger): Promise<DataSource> {
  const deadline = Date.now() + 30_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    } catch (error) {
      if (Date.now() > deadline || !config.databaseUrl) throw error;
      logger.warn({ attempt, err: error }, 'database not reachable yet; retrying (check DATABASE_URL)');
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 500 * attempt)));
    }
  }
}

export async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee the configuration table in README.md.\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  logger.info(
    {
      database: config.databaseUrl ? 'postgresql' : `embedded (${config.dataDir})`,
      timezone: config.timezone,
    },
    'starting',
  );
  const dataSource = await openDatabaseWithRetry(config, logger);
  describeChannels(config, logger);

  const app = createService({ config, dataSource, clock: systemClock, logger });
  const server: Server = app.listen(config.port);
  server.requestTimeout = 15_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  logger.info({ port: config.port }, 'ready');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing in-flight requests');
    // Stop accepting, let in-flight requests finish, then close the database.
    server.close(() => {
      void dataSource.destroy().finally(() => {
        logger.info('stopped');
        process.exit(0);
      });
    });
    server.closeIdleConnections();
    setTimeout(() => {
      logger.warn('in-flight requests did not finish within 10 s; exiting');
      process.exit(1);
    }, 10_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `mulin failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}
