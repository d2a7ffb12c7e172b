import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { OutboxWorker } from '../src/outbox';
import { fixedClock } from '../src/shared/clock';
import { silentLogger } from '../src/shared/logger';
import { WecomClient } from '../src/wecom/client';
import { WecomSimulator, type SimulatedMessage } from '../src/wecom/simulator';
import { sleep, type RunContext } from './lib/context';
import { cpuSecondsOf, cpuSnapshot, cpuUsed } from './lib/cpu';
import { openBenchDatabase, prepareDatabase } from './lib/desk-db';
import { adminQuery, queryRows, withScratchDatabase } from './lib/postgres';
import { summarize } from './lib/report';
import { withBenchService } from './lib/service';
import { buildingIds } from './lib/street';

/** WeCom's limit, and the worker's default: sends per webhook key per minute. */
const PER_MINUTE = 20;
const NOW = new Date('2026-11-28T02:00:00Z');

/**
 * Round trips to PostgreSQL made by this process: every node-postgres query is one (TypeORM's
 * BEGIN and COMMIT included), so a claim round's count is read off this counter.
 */
let roundTrips = 0;
function countRoundTrips(): () => void {
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    roundTrips++;
    return original.apply(this, args);
  };
  return () => {
    proto.query = original;
  };
}

/** Webhook keys for a set of groups; `offset` keeps two sets apart. Bench keys, so the log scan knows them. */
function keysOf(count: number, offset = 0): string[] {
  return Array.from(
    { length: count },
    (_, i) => buildingIds(offset + i, { buildings: offset + count }).webhookKey,
  );
}

/**
 * `perKey` pending rows for each key, interleaved (the first row of every key, then the second…),
 * as replies to many groups arrive; each text says its key's index and its place, `tag:k:n`.
 * Written in bulk SQL, as the columns the outbox has had since its first migration.
 */
function seedRowsSql(keys: readonly string[], perKey: number, tag: string, at: string): string {
  const list = keys.map((k) => `'${k}'`).join(',');
  return `INSERT INTO outbox (purpose, destination, rate_key, body, created_at, next_attempt_at)
    SELECT 'notice', jsonb_build_object('type', 'group_webhook', 'webhookKey', k.key), k.key,
           jsonb_build_object('kind', 'text', 'content', '${tag}:' || (k.i - 1) || ':' || n), ${at}, ${at}
    FROM generate_series(0, ${perKey - 1}) n, unnest(ARRAY[${list}]::text[]) WITH ORDINALITY k(key, i)
    ORDER BY n, k.i`;
}

/** Marks the keys as having used their minute: PER_MINUTE sends at `ms` (epoch ms) in outbox_rate. */
function blockKeysSql(keys: readonly string[], ms: number): string {
  const list = keys.map((k) => `'${k}'`).join(',');
  const recent = JSON.stringify(Array.from({ length: PER_MINUTE }, () => ms));
  return `INSERT INTO outbox_rate (rate_key, recent)
    SELECT k, '${recent}'::jsonb FROM unnest(ARRAY[${list}]::text[]) k`;
}

/** A digest of every outbox row: unchanged by a round that found nothing to do. */
async function fingerprint(dataSource: DataSource): Promise<string> {
  const rows = await dataSource.query<{ f: string }[]>(
    `SELECT md5(coalesce(string_agg(to_jsonb(o)::text, ',' ORDER BY id), '')) AS f FROM outbox o`,
  );
  return rows[0]?.f ?? '';
}

/**
 * CPU seconds of the PostgreSQL backends serving the database at `url` (the service's connections):
 * unlike all postgres processes, not swayed by other work on a shared server. Per backend pid.
 */
async function backendCpu(url: string): Promise<Map<number, number>> {
  const rows = await queryRows<{ pid: number }>(
    url,
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
  );
  return new Map(rows.map((r) => [r.pid, cpuSecondsOf(r.pid)]));
}

function backendCpuUsed(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) if (Number.isFinite(seconds)) total += seconds - (before.get(pid) ?? 0);
  return total;
}

interface RoundFigures {
  readonly ms: number;
  readonly trips: number;
  readonly handled: number;
}

async function timedRound(worker: OutboxWorker): Promise<RoundFigures> {
  const trips0 = roundTrips;
  const t0 = performance.now();
  const handled = await worker.runOnce();
  return { ms: performance.now() - t0, trips: roundTrips - trips0, handled };
}

/** Per key, the texts the simulator accepted, in order. */
function byKey(messages: readonly SimulatedMessage[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of messages) {
    if (m.destination.type !== 'group_webhook') continue;
    const list = out.get(m.destination.webhookKey) ?? [];
    list.push(m.body.content);
    out.set(m.destination.webhookKey, list);
  }
  return out;
}

/** Every key's texts are `tag:k:0`, `tag:k:1`, … in order, each once. */
function inOrder(messages: readonly SimulatedMessage[], keys: readonly string[], tag: string): boolean {
  const sent = byKey(messages);
  return keys.every((key, k) => (sent.get(key) ?? []).every((content, n) => content === `${tag}:${k}:${n}`));
}

/**
 * Claim rounds in this process, against a backlog where every key has used its minute: how long a
 * round takes and how many round trips it makes once the backlog has settled (nothing due), then
 * what each message costs when some keys free up while the rest stay blocked.
 */
async function claimRounds(ctx: RunContext, url: string, keyCount: number): Promise<void> {
  const { report } = ctx;
  const perKey = PER_MINUTE;
  const keys = keysOf(keyCount);
  const freed = keys.slice(0, ctx.smoke ? 10 : 50);
  const total = keyCount * perKey;
  const clock = fixedClock(NOW);
  const simulator = new WecomSimulator({ clock, acceptAnyWebhookKey: true });
  await simulator.start();
  const dataSource = await openBenchDatabase(url);
  const restore = countRoundTrips();
  try {
    await dataSource.query('TRUNCATE outbox, outbox_rate RESTART IDENTITY');
    const at = `'${NOW.toISOString()}'::timestamptz`;
    await dataSource.query(blockKeysSql(keys, NOW.getTime() - 10_000));
    await dataSource.query(seedRowsSql(keys, perKey, 'r', at));
    await dataSource.query('ANALYZE outbox');
    await dataSource.query('ANALYZE outbox_rate');
    const client = new WecomClient({ apiBase: simulator.url, clock });
    const worker = new OutboxWorker(dataSource, client, clock, silentLogger, { ratePerMinute: PER_MINUTE });

    // First pass over the fresh backlog: rounds until one leaves the outbox as it found it.
    let settleRounds = 0;
    let settleMs = 0;
    let settleTrips = 0;
    for (let print = await fingerprint(dataSource); settleRounds < 5000;) {
      const r = await timedRound(worker);
      settleRounds++;
      settleMs += r.ms;
      settleTrips += r.trips;
      const next = await fingerprint(dataSource);
      if (next === print) break;
      print = next;
    }
    report.note(
      `first pass over ${total} rows, ${keyCount} keys all rate-limited: ${settleRounds} rounds, ${settleMs.toFixed(0)} ms, ${settleTrips} round trips`,
    );

    const quiet: RoundFigures[] = [];
    for (let i = 0; i < (ctx.smoke ? 5 : 20); i++) quiet.push(await timedRound(worker));
    const quietMs = summarize(quiet.map((r) => r.ms)).p50;
    report.figure({
      name: `claim round, ${total} rows waiting on ${keyCount} rate-limited keys, nothing due`,
      value: quietMs,
      unit: 'ms',
      note: `${summarize(quiet.map((r) => r.trips)).p50} round trip(s) (median of ${quiet.length})`,
    });
    report.check(
      'outbox: nothing sent while every key has used its minute',
      simulator.messages().length === 0 && quiet.every((r) => r.handled === 0),
      `${simulator.messages().length} messages`,
    );

    // Some keys' minutes end (their sends are forgotten) while the rest stay blocked.
    await dataSource.query(`DELETE FROM outbox_rate WHERE rate_key = ANY(string_to_array($1, ','))`, [
      freed.join(','),
    ]);
    await dataSource.query(
      `UPDATE outbox SET next_attempt_at = $2 WHERE rate_key = ANY(string_to_array($1, ','))
         AND status = 'pending' AND next_attempt_at > $2`,
      [freed.join(','), NOW.toISOString()],
    );
    const target = freed.length * perKey;
    const rounds: RoundFigures[] = [];
    const backends0 = await backendCpu(url);
    const t0 = performance.now();
    while (simulator.messages().length < target && rounds.length < 20 * target) {
      rounds.push(await timedRound(worker));
    }
    const ms = performance.now() - t0;
    const backends = backendCpuUsed(backends0, await backendCpu(url));
    const sent = simulator.messages();
    const trips = rounds.reduce((sum, r) => sum + r.trips, 0);
    report.figure({
      name: `worker time per delivered message, ${freed.length} keys free, ${total - target} rows rate-limited`,
      value: ms / Math.max(1, sent.length),
      unit: 'ms',
      note: `${(trips / Math.max(1, sent.length)).toFixed(2)} round trips and ${((backends / Math.max(1, sent.length)) * 1e3).toFixed(2)} ms of PostgreSQL CPU per message; ${sent.length} sent in ${rounds.length} rounds, ${ms.toFixed(0)} ms`,
    });
    report.check(
      'outbox: freed keys drained in order, no 45009, blocked keys untouched',
      sent.length === target &&
        inOrder(sent, keys, 'r') &&
        [...byKey(sent).keys()].every((k) => freed.includes(k)) &&
        simulator.calls().every((c) => c.errcode === 0),
      `${sent.length} of ${target} sent`,
    );
  } finally {
    restore();
    await dataSource.destroy();
    await simulator.stop();
  }
}

/**
 * The service's worker (as `npm start` runs it, real clock) drains `keyCount` × 20 rows, each key
 * exactly its minute's worth. With `backlog`, as many rows again wait on other keys that have just
 * used their minute, queued 30 s earlier, their heads pushed back to the minute's end as the worker
 * does: the state a burst of replies to busy groups leaves behind.
 */
async function serviceDrain(ctx: RunContext, url: string, keyCount: number, backlog: boolean): Promise<void> {
  const { report } = ctx;
  const perKey = PER_MINUTE;
  const keys = keysOf(keyCount);
  const blocked = backlog ? keysOf(keyCount, keyCount) : [];
  const target = keyCount * perKey;
  // The blocked keys free up 60 s after the seed: the measurement ends before.
  const windowMs = backlog ? (ctx.smoke ? 30_000 : 50_000) : ctx.smoke ? 60_000 : 180_000;
  // Each drain starts on an empty outbox: rows the claim rounds or the last drain left would go first.
  await adminQuery(url, 'TRUNCATE outbox, outbox_rate RESTART IDENTITY');
  const name = `outbox-drain${backlog ? '-backlog' : ''}`;
  await withBenchService(ctx, { name, slot: 6, databaseUrl: url }, async ({ service, simulator }) => {
    await sleep(1000);
    const cpu0 = cpuSnapshot([service.pid]);
    const backends0 = await backendCpu(url);
    const seededAt = Date.now();
    const blockedUntil = `'${new Date(seededAt + 60_000).toISOString()}'::timestamptz`;
    await adminQuery(
      url,
      `BEGIN;
       ${
         backlog
           ? `${blockKeysSql(blocked, seededAt)};
              ${seedRowsSql(blocked, perKey, 'b', "now() - interval '30 seconds'")};
              UPDATE outbox SET next_attempt_at = ${blockedUntil} WHERE body->>'content' LIKE 'b:%:0';`
           : ''
       }
       ${seedRowsSql(keys, perKey, 'd', 'now()')};
       COMMIT`,
    );
    const deadline = seededAt + windowMs;
    while (Date.now() < deadline && simulator.messages().length < target) await sleep(100);
    const cpu = cpuUsed(cpu0, cpuSnapshot([service.pid]));
    const backends = backendCpuUsed(backends0, await backendCpu(url));
    // Stopping lets the sends in flight be recorded; then every accepted message must be a sent row.
    await service.stop();
    const sent = simulator.messages();
    const first = sent[0]?.at.getTime() ?? seededAt;
    const last = sent[sent.length - 1]?.at.getTime() ?? seededAt;
    const perS = sent.length / Math.max(0.001, (last - first) / 1000);
    const [stored] = await queryRows<{ sent: number }>(
      url,
      `SELECT count(*)::int AS sent FROM outbox WHERE status = 'sent'`,
    );
    const what = backlog
      ? `${target} rows over ${keyCount} keys, ${blocked.length * perKey} rate-limited rows waiting`
      : `${target} rows over ${keyCount} keys, none rate-limited`;
    const n = Math.max(1, sent.length);
    report.figure({
      name: `service drain, ${what}`,
      value: perS,
      unit: 'sends/s',
      note: `${sent.length} sent in ${((last - first) / 1000).toFixed(1)} s (first send ${((first - seededAt) / 1000).toFixed(1)} s after the seed)`,
    });
    report.figure({
      name: `service CPU per delivered message, ${backlog ? 'with' : 'no'} rate-limited backlog`,
      value: (cpu.service / n) * 1e3,
      unit: 'ms',
      note: `its PostgreSQL backends ${((backends / n) * 1e3).toFixed(2)} ms`,
    });
    report.check(
      `outbox drain${backlog ? ' past a rate-limited backlog' : ''}: ${backlog ? '' : 'every row '}sent once, in order per key, within the limit`,
      (backlog || sent.length === target) &&
        stored?.sent === sent.length &&
        inOrder(sent, keys, 'd') &&
        [...byKey(sent).keys()].every((k) => keys.includes(k)) &&
        simulator.calls().every((c) => c.errcode === 0),
      `${sent.length} of ${target} sent within ${windowMs / 1000} s, ${stored?.sent ?? 0} rows marked sent${backlog ? '; none to a rate-limited key' : ''}`,
    );
  });
}

/**
 * The outbox worker against a backlog of rate-limited rows: a claim round's time and round trips
 * with nothing due, the worker's time per message as some keys free up, and the service draining
 * a minute's worth of messages for 1,000 groups, alone and while 1,000 more groups wait out their
 * minute.
 */
export async function benchOutboxDrain(ctx: RunContext): Promise<void> {
  const keyCount = ctx.smoke ? 100 : 1000;
  ctx.log(`== outbox worker: ${keyCount * PER_MINUTE} rows over ${keyCount} webhook keys`);
  await withScratchDatabase('mulin_bench_outbox', async (db) => {
    await prepareDatabase(db.url, ctx.ledger);
    await claimRounds(ctx, db.url, keyCount);
    await serviceDrain(ctx, db.url, keyCount, false);
    await serviceDrain(ctx, db.url, keyCount, true);
  });
}
