import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { loadConfig, type Config } from '../../src/config';
import type { InboundHandler } from '../../src/intake';
import { createService, type ServiceDeps } from '../../src/service';
import type { Clock } from '../../src/shared/clock';
import { silentLogger, type Logger } from '../../src/shared/logger';
import { APP_SECRETS, BOT_SECRETS } from './wecom-payloads';

/** The environment of a service with both channels on, as an operator would set it. */
export function testEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    WECOM_CORP_ID: APP_SECRETS.receiveId,
    WECOM_CALLBACK_TOKEN: APP_SECRETS.token,
    WECOM_CALLBACK_AES_KEY: APP_SECRETS.aesKey,
    WECOM_BOT_TOKEN: BOT_SECRETS.token,
    WECOM_BOT_AES_KEY: BOT_SECRETS.aesKey,
    ...overrides,
  };
}

export interface RunningService {
  readonly url: string;
  readonly config: Config;
  close(): Promise<void>;
}

/** Starts the real HTTP service on an ephemeral loopback port. */
export async function startTestService(opts: {
  dataSource: DataSource;
  clock: Clock;
  env?: NodeJS.ProcessEnv;
  handler?: InboundHandler;
  logger?: Logger;
  components?: ServiceDeps['components'];
}): Promise<RunningService> {
  const config = loadConfig(opts.env ?? testEnv());
  const app = createService({
    config,
    dataSource: opts.dataSource,
    clock: opts.clock,
    logger: opts.logger ?? silentLogger,
    ...(opts.handler ? { handler: opts.handler } : {}),
    ...(opts.components ? { components: opts.components } : {}),
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
