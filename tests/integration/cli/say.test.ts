import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { say } from '../../../src/cli/say';
import { WecomSimulator } from '../../../src/wecom/simulator';

/**
 * `mulin say` finds the trial's simulator where the service put it: MULIN_SIMULATOR_PORT when
 * set, else PORT + 1. The service stand-in answers 200 and sends nothing, as a bot that ignores
 * chatter would.
 */
let simulator: WecomSimulator;
let service: Server;
let posts = 0;

beforeAll(async () => {
  simulator = new WecomSimulator({ acceptAnyWebhookKey: true });
  await simulator.start(0);
  service = createServer((req, res) => {
    posts++;
    req.resume();
    req.on('end', () => res.end());
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await simulator.stop();
  await new Promise((resolve) => service.close(resolve));
});

it('talks to the simulator on MULIN_SIMULATOR_PORT, as the service started it there', async () => {
  const env = {
    PORT: String((service.address() as AddressInfo).port),
    MULIN_SIMULATOR_PORT: new URL(simulator.url).port,
  };
  const code = await say(
    ['--chat', 'wrkChat', '--from', 'zhang.min', '--wait', '300', '@睦邻助手 你好'],
    env,
  );
  expect(code).toBe(0);
  expect(posts).toBe(1);
});
