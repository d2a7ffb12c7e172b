import { openDatabase } from '../../src/db/data-source';
import { fixedClock } from '../../src/shared/clock';
import { createScratchDatabase, usingPostgres } from '../helpers/database';
import { TcpProxy } from '../helpers/tcp-proxy';
import { startTestService } from '../helpers/test-service';
import { botCallback, botText } from '../helpers/wecom-payloads';

const NOW = new Date('2026-11-28T02:00:00Z');
const TS = Math.floor(NOW.getTime() / 1000);

async function deliver(url: string, msgid: string) {
  const signed = botCallback(botText('#报修 楼道灯不亮', { msgid }), TS);
  return fetch(`${url}/wecom/bot?${signed.query}`, { method: 'POST', body: signed.body });
}

/**
 * With the database gone, callbacks answer 503 (so WeCom retries) and /healthz says so; nothing
 * is half-stored. PostgreSQL is cut through a proxy and restored, to show the service recovers
 * by itself; the embedded database is closed under the running service.
 */
describe('database unavailable', () => {
  if (usingPostgres) {
    it('answers 503 while PostgreSQL is unreachable and recovers when it is back', async () => {
      const scratch = await createScratchDatabase();
      const target = new URL(scratch.url);
      const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
      await proxy.start();
      const viaProxy = new URL(scratch.url);
      viaProxy.host = `127.0.0.1:${proxy.port}`;
      const dataSource = await openDatabase({ databaseUrl: viaProxy.toString(), dataDir: 'unused' });
      const service = await startTestService({ dataSource, clock: fixedClock(NOW) });
      try {
        expect((await deliver(service.url, 'before')).status).toBe(200);
        await proxy.cut();
        expect((await deliver(service.url, 'during')).status).toBe(503);
        expect((await fetch(`${service.url}/healthz`)).status).toBe(503);

        await proxy.restore();
        expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
        // WeCom's retry of the refused delivery now lands, once.
        expect((await deliver(service.url, 'during')).status).toBe(200);
        expect((await deliver(service.url, 'during')).status).toBe(200);
        const rows = await dataSource.query<{ msg_id: string }[]>(
          `SELECT msg_id FROM inbound_message ORDER BY id`,
        );
        expect(rows.map((r) => r.msg_id)).toEqual(['before', 'during']);
      } finally {
        await service.close();
        await dataSource.destroy().catch(() => undefined);
        await proxy.cut();
        await scratch.drop();
      }
    });
  } else {
    it('answers 503 once the embedded database is closed', async () => {
      const dataSource = await openDatabase({ databaseUrl: undefined, dataDir: 'memory' });
      const service = await startTestService({ dataSource, clock: fixedClock(NOW) });
      try {
        expect((await deliver(service.url, 'before')).status).toBe(200);
        expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
        await dataSource.destroy();
        expect((await deliver(service.url, 'during')).status).toBe(503);
        expect((await fetch(`${service.url}/healthz`)).status).toBe(503);
      } finally {
        await service.close();
      }
    });
  }
});

/** The value of an unlabelled series, or undefined when the scrape has no such line. */
function sample(text: string, name: string): string | undefined {
  return text
    .split('\n')
    .find((l) => l.startsWith(`${name} `))
    ?.split(' ')
    .pop();
}

/**
 * /metrics and /healthz while the database is in trouble: the figures read from it are left out
 * rather than repeated from the last scrape, and a database that hangs (a table locked for long)
 * does not hold up the answer: the process's own metrics are what an operator needs then.
 */
describe('metrics and health with the database in trouble', () => {
  async function seedBacklog(dataSource: import('typeorm').DataSource) {
    await dataSource.query(
      `INSERT INTO outbox (purpose, destination, body, next_attempt_at)
       VALUES ('reply', '{"type": "group_webhook", "webhookKey": "k"}', '{}', '2026-11-28T01:00:00Z')`,
    );
  }

  it('leaves out the database figures once the database is gone, instead of the last ones read', async () => {
    const scratch = usingPostgres ? await createScratchDatabase() : null;
    const proxy = scratch
      ? new TcpProxy(new URL(scratch.url).hostname, Number(new URL(scratch.url).port || 5432))
      : null;
    await proxy?.start();
    const url =
      scratch && proxy ? Object.assign(new URL(scratch.url), { host: `127.0.0.1:${proxy.port}` }) : null;
    const dataSource = await openDatabase({ databaseUrl: url?.toString(), dataDir: 'memory' });
    const service = await startTestService({ dataSource, clock: fixedClock(NOW) });
    try {
      await seedBacklog(dataSource);
      const before = await (await fetch(`${service.url}/metrics`)).text();
      expect(before).toContain('mulin_outbox_messages{purpose="reply",status="pending"} 1');
      expect(sample(before, 'mulin_outbox_oldest_due_age_seconds')).toBe('3600');

      if (proxy) await proxy.cut();
      else await dataSource.destroy();
      const res = await fetch(`${service.url}/metrics`);
      expect(res.status).toBe(200);
      const during = await res.text();
      expect(during).not.toContain('mulin_outbox_messages{');
      expect(sample(during, 'mulin_outbox_oldest_due_age_seconds')).toBeUndefined();
      expect(sample(during, 'mulin_photos_oldest_pending_age_seconds')).toBeUndefined();
      expect(sample(during, 'mulin_process_cpu_user_seconds_total')).toBeDefined();
    } finally {
      await service.close();
      if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
      await proxy?.cut();
      await scratch?.drop();
    }
  });

  if (usingPostgres) {
    it('answers /metrics and /healthz while a table it reads stays locked', async () => {
      const scratch = await createScratchDatabase();
      // No statement timeout: only the scrape's own limit can end the wait.
      const dataSource = await openDatabase({
        databaseUrl: scratch.url,
        dataDir: 'unused',
        queryTimeoutMs: 0,
      });
      const service = await startTestService({ dataSource, clock: fixedClock(NOW) });
      const locker = dataSource.createQueryRunner();
      try {
        await seedBacklog(dataSource);
        await locker.startTransaction();
        await locker.query(`LOCK TABLE outbox, inbound_photo IN ACCESS EXCLUSIVE MODE`);
        // Not a speed check: without a limit of its own the answer never comes while the lock is held.
        const hang = { signal: AbortSignal.timeout(30_000) };
        const metrics = await fetch(`${service.url}/metrics`, hang);
        expect(metrics.status).toBe(200);
        const text = await metrics.text();
        expect(text).not.toContain('mulin_outbox_messages{');
        expect(sample(text, 'mulin_process_cpu_user_seconds_total')).toBeDefined();

        const health = await fetch(`${service.url}/healthz`, hang);
        expect(health.status).toBe(200);
        expect(await health.json()).toMatchObject({ status: 'ok', database: 'ok' });
      } finally {
        await locker.rollbackTransaction().catch(() => undefined);
        await locker.release();
        await service.close();
        await dataSource.destroy();
        await scratch.drop();
      }
    });
  }
});
