import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config';
import { startMulin } from '../../src/runtime';
import { systemClock } from '../../src/shared/clock';
import { silentLogger } from '../../src/shared/logger';

/**
 * HOST picks the address the service listens on: behind a reverse proxy on the same machine, and
 * in the benchmark and reliability suites (which run with the secrets written in the repository),
 * loopback only. Unset, Node listens on every interface, which a container's port mapping needs.
 */
it('listens on the address HOST names', async () => {
  const config = loadConfig({ HOST: '127.0.0.1', MULIN_DATA_DIR: 'memory', MULIN_TRIAL: 'off' });
  const mulin = await startMulin(config, silentLogger, systemClock, { port: 0 });
  try {
    expect((mulin.server.address() as AddressInfo).address).toBe('127.0.0.1');
  } finally {
    await mulin.stop();
  }
});

it('listens on every interface when HOST is unset', () => {
  expect(loadConfig({}).host).toBeUndefined();
});
