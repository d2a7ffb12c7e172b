import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunContext } from '../../../bench/lib/context';
import { checkLogsForSecrets } from '../../../bench/lib/log-secrets';
import { Report } from '../../../bench/lib/report';
import { ADMIN_TOKEN } from '../../../bench/lib/service';
import { buildingIds } from '../../../bench/lib/street';
import { APP_SECRETS, BOT_SECRETS } from '../../helpers/wecom-payloads';

/** The log scan that ends `npm run chaos` and `npm run bench`: it must find what it looks for. */
describe('log secret scan', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mulin-log-scan-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the scan over the given log files; whether its check passed, and its detail. */
  async function scan(files: Record<string, string>): Promise<{ ok: boolean; detail: string }> {
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    const report = new Report(() => undefined);
    const ctx = { report, workDir: dir } as unknown as RunContext;
    await checkLogsForSecrets(ctx);
    const failed = report.failedChecks[0];
    return { ok: failed === undefined, detail: failed?.detail ?? '' };
  }

  const clean = '{"level":30,"msg":"ready"}\n{"level":30,"msg":"outbox sent","rowId":7}\n';
  const key = buildingIds(417, { buildings: 1000 }).webhookKey;

  it('passes clean logs', async () => {
    expect((await scan({ 'a-0.log': clean, 'db-outage-postgres.log': 'LOG:  ready\n' })).ok).toBe(true);
  });

  it.each([
    ['the bot token', `{"msg":"x","t":"${BOT_SECRETS.token}"}`],
    ['the app AES key', `{"err":"bad key ${APP_SECRETS.aesKey}"}`],
    ['the admin token', `{"headers":{"authorization":"Bearer ${ADMIN_TOKEN}"}}`],
    ['a group webhook key, bare', `{"key":"${key}"}`],
    [
      'a group webhook key in a URL-encoded webhook URL',
      `{"url":"${encodeURIComponent(`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}`)}"}`,
    ],
    ['a reply URL', '{"url":"http://127.0.0.1:9/cgi-bin/aibot/response?response_code=abc"}'],
  ])('fails a log holding %s', async (_what, line) => {
    const result = await scan({ 'a-0.log': clean, 'b-1.log': `${clean}${line}\n` });
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('b-1.log');
  });

  it('fails when the logs are empty (a scan of nothing proves nothing)', async () => {
    expect((await scan({ 'a-0.log': '' })).ok).toBe(false);
  });

  it('checks nothing, and fails nothing, when no service was started (a service always opens its log file)', async () => {
    const report = new Report(() => undefined);
    await checkLogsForSecrets({ report, workDir: dir } as unknown as RunContext);
    expect(report.failedChecks).toEqual([]);
  });
});
