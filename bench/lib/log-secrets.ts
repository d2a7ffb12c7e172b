import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { APP_SECRETS, BOT_SECRETS } from '../../tests/helpers/wecom-payloads';
import type { RunContext } from './context';
import { ADMIN_TOKEN } from './service';
import { LEADERSHIP_WEBHOOK_KEY, WEBHOOK_KEY_PREFIX } from './street';

/**
 * Every log the run wrote (each service process's stdout and stderr, the private PostgreSQL's log)
 * must be free of the secrets the run gave out: the callback tokens and AES keys, the admin token,
 * any group's webhook key, and reply URLs (a response_code is a one-use credential).
 */
export function checkLogsForSecrets(ctx: RunContext): Promise<void> {
  const secrets: [string, string][] = [
    ['bot token', BOT_SECRETS.token],
    ['bot AES key', BOT_SECRETS.aesKey],
    ['app token', APP_SECRETS.token],
    ['app AES key', APP_SECRETS.aesKey],
    ['admin token', ADMIN_TOKEN],
    ['leadership webhook key', LEADERSHIP_WEBHOOK_KEY],
    // Any building's key carries this prefix (see street.ts), and so does nothing else.
    ['a group webhook key', WEBHOOK_KEY_PREFIX],
    ['a reply URL', 'response_code='],
    ['a webhook URL', 'webhook/send?key='],
  ];
  const files = readdirSync(ctx.workDir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => path.join(ctx.workDir, f));
  // Benchmarks that run Mulin's code in-process (--only digest,reminder-sweep) start no service and
  // write no log: there is nothing to check, which is not a failure.
  if (files.length === 0) {
    ctx.report.note('No service was started, so no log was written to search for secrets.');
    return Promise.resolve();
  }
  const found: string[] = [];
  let bytes = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    bytes += statSync(file).size;
    for (const [name, value] of secrets) {
      if (text.includes(value)) found.push(`${name} in ${path.basename(file)}`);
    }
  }
  // Only empty logs means the processes logged somewhere else: nothing was checked.
  const scanned = bytes > 0;
  ctx.report.check(
    'no token, key, webhook key or reply URL in any log',
    scanned && found.length === 0,
    found.length > 0
      ? found.join('; ')
      : `${files.length} logs, ${(bytes / 1024 / 1024).toFixed(1)} MB, searched for ${secrets.length} kinds of secret${scanned ? '' : ': nothing to search'}`,
  );
  return Promise.resolve();
}
