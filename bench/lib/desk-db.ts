import type { DataSource } from 'typeorm';
import { openDatabase } from '../../src/db/data-source';
import type { LedgerDocument } from '../../src/ledger';
import { importLedger } from '../../src/ledger/ledger-store';
import { systemClock } from '../../src/shared/clock';
import type { KnownRequest } from './callbacks';
import { queryRows } from './postgres';

/**
 * Opens a scratch database as the service would, with DATABASE_PREPARE read the same way, so that
 * `DATABASE_PREPARE=off npm run bench` measures without prepared statements (with
 * MULIN_BENCH_SERVICE_ENV="DATABASE_PREPARE=off" for the service processes).
 */
export function openBenchDatabase(url: string): Promise<DataSource> {
  return openDatabase({
    databaseUrl: url,
    dataDir: 'unused',
    prepareStatements: process.env.DATABASE_PREPARE !== 'off',
  });
}

/** Brings a scratch database's schema up to date and imports the ledger, as an operator would. */
export async function prepareDatabase(url: string, ledger: LedgerDocument): Promise<void> {
  const dataSource = await openBenchDatabase(url);
  try {
    await importLedger(dataSource, ledger, systemClock, 'bench');
  } finally {
    await dataSource.destroy();
  }
}

/** Requests stored so far, with where they are and who has them, for commands about them. */
export async function knownRequests(url: string): Promise<KnownRequest[]> {
  const rows = await queryRows<{ no: number; building_id: string; assignee_id: string | null }>(
    url,
    `SELECT no, building_id, assignee_id FROM request ORDER BY no`,
  );
  return rows.map((r) => ({
    no: r.no,
    buildingIndex: Number(r.building_id.slice(1)) - 1,
    assigneeId: r.assignee_id,
  }));
}

/** Waits until no outbox row is pending (or the time runs out); returns how many are left. */
export async function waitForOutbox(url: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await queryRows<{ n: number }>(
      url,
      `SELECT count(*)::int AS n FROM outbox WHERE status = 'pending'`,
    );
    const left = row?.n ?? 0;
    if (left === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
