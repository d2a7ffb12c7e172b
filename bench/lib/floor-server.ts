import { createServer } from 'node:http';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { openBenchDatabase } from './desk-db';
import { readRawBody } from '../../src/http/raw-body';
import { createService, receiversOf } from '../../src/service';
import { systemClock } from '../../src/shared/clock';
import { createLogger } from '../../src/shared/logger';
import { openCallback } from '../../src/wecom';

/**
 * The ingest benchmark's ladder: the service cut down to one layer at a time, run as its own
 * process like the service, so each rung's throughput shows what that layer costs on this machine.
 *   node --import tsx bench/lib/floor-server.ts MODE PORT [DATABASE_URL] [LOG_FILE]
 * http:   read the body, answer 200 (Node's HTTP server, nothing of Mulin's)
 * verify: + check the signature, decrypt and parse the callback (Mulin's wecom/ code)
 * store:  Mulin's HTTP service with its intake but no desk and no outbox worker: the callback is
 *         verified, decrypted and stored once in its own transaction, then answered 200
 * The full service (desk and worker too) is the last rung, measured by ingest.ts itself.
 * Each rung serves from one process, no workers (tsx's esbuild helper is idle once the modules are
 * loaded), so the CPU ingest.ts reads from /proc/PID/stat of the process it spawned is the whole
 * of the rung's server.
 */
async function main(): Promise<void> {
  const [mode, portText, databaseUrl, logFile] = process.argv.slice(2);
  const port = Number(portText);
  const config = loadConfig(process.env);
  const receiver = receiversOf(config).bot;
  if (!receiver) throw new Error('set WECOM_BOT_TOKEN and WECOM_BOT_AES_KEY');
  if (mode === 'http' || mode === 'verify') {
    const server = createServer((req, res) => {
      readRawBody(req).then(
        (body) => {
          if (mode === 'verify')
            openCallback(receiver, (req.url ?? '').split('?')[1] ?? '', body, new Date());
          res.writeHead(200).end();
        },
        () => res.writeHead(400).end(),
      );
    });
    server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
    return;
  }
  if (mode === 'store' && databaseUrl) {
    const dataSource = await openBenchDatabase(databaseUrl);
    const logger = createLogger('info', pino.destination({ dest: logFile ?? '/dev/null', sync: true }));
    const app = createService({ config, dataSource, clock: systemClock, logger });
    const handle = app.callback();
    createServer((req, res) => void handle(req, res)).listen(port, '127.0.0.1', () =>
      process.stdout.write('ready\n'),
    );
    return;
  }
  throw new Error(`unknown mode ${String(mode)}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
