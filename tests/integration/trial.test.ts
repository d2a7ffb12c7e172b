import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePorts, spawnService } from '../helpers/service-process';

/**
 * The README's local trial: with no WeCom credentials, the service runs with the simulator and
 * the example street, and `mulin say` plays a resident and a head, printing the bot's replies.
 */
let dataDir: string;
let PORT: number;
let SIMULATOR_PORT: number;
let serviceOutput = () => '';

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'mulin-trial-'));
  [PORT = 0, SIMULATOR_PORT = 0] = await freePorts(2);
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function say(from: string, text: string): Promise<string> {
  const proc = spawnService({ PORT: String(PORT) }, 'src/cli.ts', [
    'say',
    '--simulator',
    `http://127.0.0.1:${SIMULATOR_PORT}`,
    '--chat',
    'wrkB7FAKEjiangwan07',
    '--from',
    from,
    // It stops once the replies have come; the wait only bounds a slow machine (under a full run's
    // load a reply has taken over the default 3 s).
    '--wait',
    '20000',
    text,
  ]);
  const code = await proc.exited;
  if (code !== 0) throw new Error(`mulin say exited ${code}:\n${proc.output()}\n${serviceOutput()}`);
  return proc.output();
}

it('runs a report, an acknowledgement, a resolution and a rating against the simulator', async () => {
  const service = spawnService({
    PORT: String(PORT),
    MULIN_SIMULATOR_PORT: String(SIMULATOR_PORT),
    MULIN_DATA_DIR: dataDir,
  });
  serviceOutput = () => service.output();
  try {
    // A fresh embedded database is created and migrated first: on a loaded machine, well over 30 s.
    await service.waitFor(/"msg":"ready"/, 120_000);
    expect(service.output()).toContain('trial mode');
    expect(await say('zhang.min', '@睦邻助手 #报修 2单元三楼楼道灯不亮')).toContain(
      '已登记 #1【报修】2单元三楼楼道灯不亮',
    );
    expect(await say('zhao.zq', '@睦邻助手 接单 1')).toContain('#1 赵志强 已接单');
    expect(await say('zhao.zq', '@睦邻助手 办结 1 换了新灯泡')).toContain('#1 已办结：换了新灯泡');
    expect(await say('zhang.min', '@睦邻助手 满意 1')).toContain('#1 已完结。报事人评价满意，辛苦赵志强了！');
  } finally {
    service.child.kill('SIGTERM');
  }
  expect(await service.exited).toBe(0);
  // Five processes start one after another (the service, then mulin say four times): about 12 s
  // on a quiet machine, over 50 s under a full test run's load.
}, 180_000);
