import Router from 'koa-router';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DataSource } from 'typeorm';
import { outboxHealth } from '../outbox';
import type { Clock } from '../shared/clock';
import type { AppState } from './app-state';
import { readWithin } from './bounded-read';

/** How long a scrape waits for each database figure; past it (or on failure) the figure is left out. */
const DB_READ_TIMEOUT_MS = 2000;

/**
 * Prometheus metrics. Counters and the send histogram are per process; the outbox gauges are read
 * from the database at scrape time, so every instance reports the same, shared queue.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly callbacks: Counter<'channel' | 'outcome'>;
  readonly sendSeconds: Histogram<'destination' | 'outcome'>;
  readonly intakeBatch: Histogram;

  constructor(dataSource: DataSource, clock: Clock) {
    collectDefaultMetrics({ register: this.registry, prefix: 'mulin_' });
    this.callbacks = new Counter({
      name: 'mulin_callbacks_total',
      help: 'WeCom callbacks by channel and outcome (stored, duplicate, verified, or the error code).',
      labelNames: ['channel', 'outcome'],
      registers: [this.registry],
    });
    this.sendSeconds = new Histogram({
      name: 'mulin_outbox_send_seconds',
      help: 'Time of one send to WeCom, by destination type and outcome.',
      labelNames: ['destination', 'outcome'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.intakeBatch = new Histogram({
      name: 'mulin_intake_batch_messages',
      help: 'Messages stored and handled per intake transaction (group commit): 1 when traffic is light.',
      buckets: [1, 2, 4, 8, 16, 32],
      registers: [this.registry],
    });
    countsGauge(this.registry, dataSource, {
      name: 'mulin_outbox_messages',
      help: 'Outbox rows not sent, by purpose (receipt, reply, reminder, digest, …) and status (pending, failed, dead). Sends are counted by mulin_outbox_send_seconds.',
      labelNames: ['purpose', 'status'],
      // Sent rows, nearly all of the table and growing for good, are not counted: counting them read
      // the whole table at every scrape (about half a second of PostgreSQL at 2 million rows), where
      // the rest is read from a partial index (ix_outbox_status).
      sql: `SELECT purpose, status, count(*) AS n FROM outbox WHERE status <> 'sent' GROUP BY purpose, status`,
    });
    countsGauge(this.registry, dataSource, {
      name: 'mulin_photos',
      help: "Photos from the robot's messages not kept, by status: pending (being fetched) or failed (its link died first).",
      labelNames: ['status'],
      // Kept photos are not counted, for the reason given for the outbox's sent rows.
      sql: `SELECT status, count(*) AS n FROM inbound_photo WHERE status <> 'kept' GROUP BY status`,
    });
    new Gauge({
      name: 'mulin_photos_oldest_pending_age_seconds',
      help: 'How long the oldest photo still being fetched has waited since its message arrived (0 when none): its link dies after 5 minutes.',
      registers: [this.registry],
      async collect() {
        const rows = await readWithin(
          () =>
            dataSource.query<{ received_at: Date | null }[]>(
              `SELECT min(m.received_at) AS received_at FROM inbound_photo p
                 JOIN inbound_message m ON m.id = p.inbound_id WHERE p.status = 'pending'`,
            ),
          DB_READ_TIMEOUT_MS,
        );
        // Unknown is left out: the last value read would look current.
        if (!rows) this.remove({});
        else {
          const oldest = rows[0]?.received_at;
          this.set(oldest ? Math.max(0, (clock.now().getTime() - new Date(oldest).getTime()) / 1000) : 0);
        }
      },
    });
    new Gauge({
      name: 'mulin_outbox_oldest_due_age_seconds',
      help: 'How long the oldest due outbox row has waited (0 when nothing is due).',
      registers: [this.registry],
      async collect() {
        const health = await readWithin(() => outboxHealth(dataSource, clock.now()), DB_READ_TIMEOUT_MS);
        if (health) this.set(health.oldestDueAgeS ?? 0);
        else this.remove({});
      },
    });
  }
}

/**
 * A gauge read from the database at each scrape: one series per row of `sql`, labelled by its
 * label columns, valued by its `n`. With the database down or hung the scrape still answers,
 * without these series, with the process metrics.
 */
function countsGauge(
  registry: Registry,
  dataSource: DataSource,
  spec: { name: string; help: string; labelNames: readonly string[]; sql: string },
): void {
  new Gauge({
    name: spec.name,
    help: spec.help,
    labelNames: spec.labelNames,
    registers: [registry],
    async collect() {
      const rows = await readWithin(
        () => dataSource.query<Record<string, string>[]>(spec.sql),
        DB_READ_TIMEOUT_MS,
      );
      // Reset first: a series no row names is gone, and with the database unreadable none is known.
      this.reset();
      if (!rows) return;
      for (const r of rows) {
        this.set(Object.fromEntries(spec.labelNames.map((l) => [l, r[l] ?? ''])), Number(r.n));
      }
    },
  });
}

export function metricsRoutes(metrics: Metrics): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  return router;
}
