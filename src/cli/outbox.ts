import { parseArgs } from 'node:util';
import type { DataSource } from 'typeorm';
import { listOutbox, OUTBOX_STATUSES, retryAllDead, retryOutboxMessage, type OutboxStatus } from '../outbox';
import type { Clock } from '../shared/clock';

export const OUTBOX_USAGE = `mulin outbox [list] [--status pending|sent|failed|dead] [--limit N]
mulin outbox retry ID          send a failed or dead message again
mulin outbox retry-dead        send every dead message again`;

/** Outbox ids are bigints: more digits than this is no id, and would be a database error. */
const ID = /^\d{1,18}$/;
const LIMIT = /^[1-9]\d{0,5}$/;

export async function outbox(dataSource: DataSource, clock: Clock, args: readonly string[]): Promise<number> {
  // `list` is the default action, also when options come first: `mulin outbox --status failed`.
  const [action = 'list', ...rest] = args[0]?.startsWith('-') ? ['list', ...args] : args;
  if (action === 'list') {
    let values: { status?: string; limit?: string };
    try {
      ({ values } = parseArgs({
        args: rest,
        options: { status: { type: 'string' }, limit: { type: 'string' } },
      }));
    } catch (error) {
      return usageError(error instanceof Error ? error.message : String(error));
    }
    if (values.status && !OUTBOX_STATUSES.includes(values.status as OutboxStatus)) {
      return usageError(`--status must be one of ${OUTBOX_STATUSES.join(', ')}`);
    }
    if (values.limit !== undefined && !LIMIT.test(values.limit)) {
      return usageError('--limit must be a whole number from 1 to 999999');
    }
    const entries = await listOutbox(dataSource, {
      ...(values.status ? { status: values.status as OutboxStatus } : {}),
      limit: Number(values.limit ?? '50'),
    });
    if (entries.length === 0) process.stdout.write('No messages.\n');
    for (const e of entries) process.stdout.write(`${JSON.stringify(e)}\n`);
    return 0;
  }
  if (action === 'retry') {
    const [id] = rest;
    if (!id || !ID.test(id)) return usageError(`retry needs a message id${id ? `, not "${id}"` : ''}`);
    const outcome = await retryOutboxMessage(dataSource, id, clock.now());
    switch (outcome.kind) {
      case 'requeued':
        process.stdout.write(`Message ${id} will be sent again.\n`);
        return 0;
      case 'no-such-message':
        process.stderr.write(`No message ${id} in the outbox.\n`);
        return 1;
      case 'not-retryable':
        process.stderr.write(`Message ${id} is ${outcome.status}, not failed or dead: nothing to retry.\n`);
        return 1;
    }
  }
  if (action === 'retry-dead') {
    const n = await retryAllDead(dataSource, clock.now());
    process.stdout.write(`${n} dead message(s) will be sent again.\n`);
    return 0;
  }
  process.stderr.write(`${OUTBOX_USAGE}\n`);
  return 2;
}

function usageError(problem: string): number {
  process.stderr.write(`${problem}\n\n${OUTBOX_USAGE}\n`);
  return 2;
}
