import type { AddressInfo } from 'node:net';
import { channelVariables, ConfigError, loadConfig, type Config } from './config';
import { LedgerFileError, startMulin } from './runtime';
import { systemClock } from './shared/clock';
import { asyncStdout, createLogger, type Logger } from './shared/logger';
import { startTrial, trialWanted, type Trial } from './trial';

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
  if (!config.wecom.appApi) {
    logger.info(
      'private notices are off: set WECOM_CORP_ID, WECOM_CORP_SECRET and WECOM_AGENT_ID to send them',
    );
  }
}

function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee the configuration table in README.md.\n`);
      process.exit(1);
    }
    throw error;
  }
}

export async function main(): Promise<void> {
  let config = loadConfigOrExit();
  const logger = createLogger(config.logLevel, asyncStdout());
  let trial: Trial | undefined;
  if (trialWanted(config)) {
    trial = await startTrial(config, logger);
    config = trial.config;
  }
  logger.info(
    {
      database: config.databaseUrl ? 'postgresql' : `embedded (${config.dataDir})`,
      timezone: config.timezone,
    },
    'starting',
  );
  describeChannels(config, logger);
  const mulin = await startMulin(config, logger, systemClock, {
    ...(trial ? { prepare: (dataSource) => trial.seed(dataSource, systemClock) } : {}),
  });
  logger.info({ port: (mulin.server.address() as AddressInfo).port }, 'ready');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing in-flight requests');
    setTimeout(() => {
      logger.warn('in-flight work did not finish within 10 s; exiting');
      process.exit(1);
    }, 10_000).unref();
    mulin
      .stop()
      .then(() => trial?.simulator.stop())
      .then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'error while stopping');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    const message =
      error instanceof LedgerFileError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`mulin failed to start: ${message}\n`);
    process.exit(1);
  });
}
