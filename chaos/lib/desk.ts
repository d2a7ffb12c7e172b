import path from 'node:path';
import { WecomSimulator, type SimulatedMessage } from '../../src/wecom/simulator';
import { planMessages, type PlannedMessage } from '../../bench/lib/callbacks';
import type { RunContext } from '../../bench/lib/context';
import { prepareDatabase } from '../../bench/lib/desk-db';
import type { PostTarget } from '../../bench/lib/http-load';
import { queryRows, withScratchDatabase } from '../../bench/lib/postgres';
import { portFor, ServiceProcess } from '../../bench/lib/service';

export interface DeskOptions {
  /** Names the instances' log files (NAME-i.log) and the scratch database (mulin_chaos_NAME). */
  readonly name: string;
  /** How many service processes share the database. */
  readonly instances: number;
  /** The first port slot; instance i listens on portFor(slot + i). */
  readonly slot: number;
  readonly env?: Readonly<Record<string, string>>;
  /** A database the caller owns (e.g. on a private server); unset: a scratch database for the run. */
  readonly databaseUrl?: string;
  /** Runs on the prepared database before the instances start, for rows they must find at start. */
  readonly beforeStart?: (databaseUrl: string) => Promise<void>;
}

/**
 * A desk under test: one database, the WeCom simulator in this process, and any number of service
 * processes on it, each logging to its own file in the run's directory (the log scan reads them).
 */
export class Desk {
  readonly simulator = new WecomSimulator({ acceptAnyWebhookKey: true });
  readonly instances: ServiceProcess[] = [];

  constructor(
    private readonly ctx: RunContext,
    readonly databaseUrl: string,
    private readonly options: DeskOptions,
  ) {}

  /** Prepares the database (migrations, ledger), starts the simulator and the instances. */
  async start(): Promise<void> {
    await prepareDatabase(this.databaseUrl, this.ctx.ledger);
    await this.options.beforeStart?.(this.databaseUrl);
    await this.simulator.start();
    for (let i = 0; i < this.options.instances; i++) {
      const instance = new ServiceProcess({
        port: portFor(this.options.slot + i),
        databaseUrl: this.databaseUrl,
        apiBase: this.simulator.url,
        logFile: path.join(this.ctx.workDir, `${this.options.name}-${i}.log`),
        entry: this.ctx.entry,
        env: this.options.env,
      });
      this.instances.push(instance);
    }
    await Promise.all(this.instances.map((instance) => instance.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.instances.map((instance) => instance.stop()));
    await this.simulator.stop();
  }

  /** The instance at `index` (the only one, by default). */
  instance(index = 0): ServiceProcess {
    const instance = this.instances[index];
    if (!instance) throw new Error(`the desk has no instance ${index}`);
    return instance;
  }

  /** Where to send callbacks to the instance at `index`. */
  target(index = 0): PostTarget {
    return { host: '127.0.0.1', port: this.instance(index).options.port };
  }

  /** Posts only: each gets exactly one receipt, told apart by its marker. */
  plan(count: number, runId: string, seed: number): PlannedMessage[] {
    const buildings = this.ctx.shape.buildings;
    return planMessages({
      count,
      shape: this.ctx.shape,
      seed,
      runId,
      mix: { post: 1, command: 0, chatter: 0 },
      buildingOf: (i) => i % buildings,
    });
  }
}

/**
 * Runs `run` on a started desk, and stops it afterwards, whether `run` succeeds or throws; on a
 * scratch database, dropped at the end, unless the options name a database.
 */
export async function withDesk<T>(
  ctx: RunContext,
  options: DeskOptions,
  run: (desk: Desk) => Promise<T>,
): Promise<T> {
  if (options.databaseUrl !== undefined) return runOnDesk(ctx, options.databaseUrl, options, run);
  return withScratchDatabase(`mulin_chaos_${options.name.replace(/\W/g, '_')}`, (db) =>
    runOnDesk(ctx, db.url, options, run),
  );
}

async function runOnDesk<T>(
  ctx: RunContext,
  databaseUrl: string,
  options: DeskOptions,
  run: (desk: Desk) => Promise<T>,
): Promise<T> {
  const desk = new Desk(ctx, databaseUrl, options);
  try {
    await desk.start();
    return await run(desk);
  } finally {
    await desk.stop();
  }
}

/** The marker a post carries into its receipt. */
export function markerOf(m: PlannedMessage): string {
  return m.text.slice(m.text.lastIndexOf(' ') + 1);
}

/** How many receipts the simulator accepted per marker. */
export function receiptsByMarker(
  messages: readonly SimulatedMessage[],
  planned: readonly PlannedMessage[],
): Map<string, SimulatedMessage[]> {
  const wanted = new Set(planned.map(markerOf));
  const out = new Map<string, SimulatedMessage[]>();
  for (const m of messages) {
    const found = /m[0-9a-z]+x[0-9a-z]+$/m.exec(m.body.content.split('\n')[0] ?? '');
    const marker = found?.[0];
    if (!marker || !wanted.has(marker)) continue;
    const list = out.get(marker) ?? [];
    list.push(m);
    out.set(marker, list);
  }
  return out;
}

export interface StoredCounts {
  readonly inbound: number;
  readonly requests: number;
  readonly receipts: number;
  readonly pending: number;
  readonly sent: number;
  readonly failedOrDead: number;
}

/** What the database holds of a run's messages: msgids bench-RUN-…, or any LIKE pattern given. */
export async function storedCounts(url: string, runId: string): Promise<StoredCounts> {
  const pattern = runId.includes('%') ? runId : `bench-${runId}-%`;
  const [row] = await queryRows<StoredCounts>(
    url,
    `WITH i AS (SELECT id FROM inbound_message WHERE msg_id LIKE $1),
          r AS (SELECT request.id FROM request JOIN i ON i.id = request.inbound_id),
          o AS (SELECT outbox.status FROM outbox JOIN r ON r.id = outbox.request_id WHERE outbox.purpose = 'receipt')
     SELECT (SELECT count(*)::int FROM i) AS inbound,
            (SELECT count(*)::int FROM r) AS requests,
            (SELECT count(*)::int FROM o) AS receipts,
            (SELECT count(*)::int FROM o WHERE status = 'pending') AS pending,
            (SELECT count(*)::int FROM o WHERE status = 'sent') AS sent,
            (SELECT count(*)::int FROM o WHERE status IN ('failed', 'dead')) AS "failedOrDead"`,
    [pattern],
  );
  if (!row) throw new Error('no counts');
  return row;
}

/** Polls until every receipt of the run is sent (or failed), or the time runs out. */
export async function waitUntilSent(url: string, runId: string, timeoutMs: number): Promise<StoredCounts> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await storedCounts(url, runId);
    if (counts.pending === 0 || Date.now() > deadline) return counts;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
