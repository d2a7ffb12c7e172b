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
