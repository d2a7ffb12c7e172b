import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createScratchDatabase, usingPostgres } from '../helpers/database';
import { freePorts, spawnService } from '../helpers/service-process';
import { BOT_SECRETS, botCallback, botText } from '../helpers/wecom-payloads';

/** The service as an operator runs it: a real process, configured by its environment. */

let PORT = 0;

let dataDir: string;
let databaseUrl: string | undefined;
let dropDatabase: () => Promise<void> = () => Promise.resolve();

beforeAll(async () => {
  [PORT = 0] = await freePorts(1);
  dataDir = mkdtempSync(path.join(tmpdir(), 'mulin-proc-'));
  if (usingPostgres) {
    const scratch = await createScratchDatabase();
    databaseUrl = scratch.url;
    dropDatabase = () => scratch.drop();
  }
});

afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  await dropDatabase();
});

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PORT: String(PORT),
    MULIN_DATA_DIR: dataDir,
    WECOM_BOT_TOKEN: BOT_SECRETS.token,
    WECOM_BOT_AES_KEY: BOT_SECRETS.aesKey,
    LOG_LEVEL: 'debug',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...extra,
  };
}

function deliver(msgid: string) {
  const signed = botCallback(botText('#报修 3单元门禁坏了', { msgid }), Math.floor(Date.now() / 1000));
  return fetch(`http://127.0.0.1:${PORT}/wecom/bot?${signed.query}`, { method: 'POST', body: signed.body });
}

it('refuses to start on bad configuration, naming every bad variable but no secret', async () => {
  const proc = spawnService({
    PORT: 'x',
    WECOM_BOT_TOKEN: 'secret-token-value',
    MULIN_TIMEZONE: 'Nowhere/City',
  });
  expect(await proc.exited).toBe(1);
  const out = proc.output();
  expect(out).toContain('PORT');
  expect(out).toContain('MULIN_TIMEZONE');
  expect(out).toContain('WECOM_BOT_AES_KEY');
  expect(out).not.toContain('secret-token-value');
});

it('starts, stores callbacks, finishes an in-flight request on SIGTERM, and keeps its data across a restart', async () => {
  const first = spawnService(env());
  // A fresh embedded database is created and migrated first: on a loaded machine, over 30 s.
  await first.waitFor(/"msg":"ready"/, 120_000);
  expect(first.output()).toMatch(
    /app callback channel is off .*set WECOM_CORP_ID, WECOM_CALLBACK_TOKEN, WECOM_CALLBACK_AES_KEY/,
  );
  const health = await fetch(`http://127.0.0.1:${PORT}/healthz`);
  expect(health.status).toBe(200);
  expect((await deliver('p-1')).status).toBe(200);

  // A delivery whose body is still arriving when SIGTERM comes is finished, not cut.
  const signed = botCallback(botText('#报修 楼顶漏水', { msgid: 'p-2' }), Math.floor(Date.now() / 1000));
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const bytes = new TextEncoder().encode(signed.body);
  let step = 0;
  const slowBody = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (step === 0) controller.enqueue(bytes.slice(0, 10));
      else if (step === 1) {
        await gate;
        controller.enqueue(bytes.slice(10));
      } else controller.close();
      step++;
    },
  });
  const inFlight = fetch(`http://127.0.0.1:${PORT}/wecom/bot?${signed.query}`, {
    method: 'POST',
    body: slowBody,
    duplex: 'half',
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  first.child.kill('SIGTERM');
  await first.waitFor(/stopping: finishing in-flight requests/);
  release();
  expect((await inFlight).status).toBe(200);
  expect(await first.exited).toBe(0);
  expect(first.output()).toContain('"msg":"stopped"');

  // Restarted on the same data: the retried deliveries are recognised as stored.
  const second = spawnService(env());
  await second.waitFor(/"msg":"ready"/);
  expect((await deliver('p-1')).status).toBe(200);
  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);
  const outcomes = [...second.output().matchAll(/"outcome":"(\w+)"/g)].map((m) => m[1]);
  expect(outcomes).toEqual(['duplicate']);

  // No secret and no message text reached the logs.
  const logs = first.output() + second.output();
  expect(logs).not.toContain(BOT_SECRETS.token);
  expect(logs).not.toContain(BOT_SECRETS.aesKey);
  expect(logs).not.toContain('楼顶漏水');
}, 180_000);
