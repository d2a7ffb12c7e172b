import { parseArgs } from 'node:util';
import type { DataSource } from 'typeorm';
import { listOutbox, OUTBOX_STATUSES, retryAllDead, retryOutboxMessage, type OutboxStatus } from '../outbox';
import type { Clock } from '../shared/clock';

export const OUTBOX_USAGE = `mulin outbox [list] [--status pending|sent|failed|dead] [--limit N]
mulin outbox retry ID          send a failed or dead message again
mulin outbox retry-dead        send every dead message again`;

export async function outbox(dataSource: DataSource, clock: Clock, args: readonly string[]): Promise<number> {
  const [action = 'list', ...rest] = args;
  if (action === 'list') {
    const { values } = parseArgs({
      args: rest,
      options: { status: { type: 'string' }, limit: { type: 'string' } },
    });
    if (values.status && !OUTBOX_STATUSES.includes(values.status as OutboxStatus)) {
      process.stderr.write(`--status must be one of ${OUTBOX_STATUSES.join(', ')}\n`);
      return 2;
    }
    const entries = await listOutbox(dataSource, {
      ...(values.status ? { status: values.status as OutboxStatus } : {}),
      limit: Number(values.limit ?? 50),
    });
    if (entries.length === 0) process.stdout.write('No messages.\n');
    for (const e of entries) process.stdout.write(`${JSON.stringify(e)}\n`);
    return 0;
  }
  if (action === 'retry') {
    const [id] = rest;
    if (!id || !/^\d+$/.test(id)) {
      process.stderr.write(`${OUTBOX_USAGE}\n`);
      return 2;
    }
    const ok = await retryOutboxMessage(dataSource, id, clock.now());
    process.stdout.write(
      ok ? `Message ${id} will be sent again.\n` : `Message ${id} is not failed or dead.\n`,
    );
    return ok ? 0 : 1;
  }
  if (action === 'retry-dead') {
    const n = await retryAllDead(dataSource, clock.now());
    process.stdout.write(`${n} dead message(s) will be sent again.\n`);
    return 0;
  }
  process.stderr.write(`${OUTBOX_USAGE}\n`);
  return 2;
}
