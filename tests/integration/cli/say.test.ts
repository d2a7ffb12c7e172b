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
/** What the service stand-in sends to the group, and after how long; none by default. */
let replyAfter: { ms: number; text: string } | undefined;

beforeAll(async () => {
  simulator = new WecomSimulator({ acceptAnyWebhookKey: true });
  await simulator.start(0);
  service = createServer((req, res) => {
    posts++;
    req.resume();
    req.on('end', () => res.end());
    const reply = replyAfter;
    if (reply) {
      setTimeout(() => {
        void fetch(`${simulator.url}/cgi-bin/webhook/send?key=k`, {
          method: 'POST',
          body: JSON.stringify({ msgtype: 'text', text: { content: reply.text } }),
        });
      }, reply.ms);
    }
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

it('waits for a reply the outbox sends late, and prints it under the message it answers', async () => {
  const env = {
    PORT: String((service.address() as AddressInfo).port),
    MULIN_SIMULATOR_PORT: new URL(simulator.url).port,
  };
  const out: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  try {
    replyAfter = { ms: 4000, text: '已登记 #1【报修】2单元楼道灯不亮' };
    expect(
      await say(['--chat', 'wrkChat', '--from', 'zhang.min', '@睦邻助手 #报修 2单元楼道灯不亮'], env),
    ).toBe(0);
    replyAfter = undefined;
    expect(
      await say(['--chat', 'wrkChat', '--from', 'zhang.min', '--wait', '500', '@睦邻助手 你好'], env),
    ).toBe(0);
  } finally {
    write.mockRestore();
    replyAfter = undefined;
  }
  const printed = out.join('');
  const [first, second] = printed.split('（');
  expect(first).toContain('已登记 #1【报修】2单元楼道灯不亮');
  expect(second).toBe('1秒内机器人没有回复）\n');
}, 30_000);

it('refuses a --wait that is not a number of milliseconds, sending nothing', async () => {
  const before = posts;
  const errors: string[] = [];
  const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    errors.push(String(chunk));
    return true;
  });
  try {
    expect(await say(['--chat', 'wrkChat', '--from', 'zhang.min', '--wait', 'abc', '你好'], {})).toBe(2);
  } finally {
    write.mockRestore();
  }
  expect(errors.join('')).toContain('--wait takes milliseconds');
  expect(posts).toBe(before);
});
