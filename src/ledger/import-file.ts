import type { DataSource } from 'typeorm';
import type { Clock } from '../shared/clock';
import { importLedger, type ImportOptions, type ImportResult } from './ledger-store';
import { readLedgerFile } from './parse-ledger';

export type ImportFileResult = ({ ok: true } & ImportResult) | { ok: false; problems: string[] };

/** Validates a ledger file and, when it is valid, applies it; an invalid file changes nothing. */
export async function importLedgerFile(
  dataSource: DataSource,
  path: string,
  clock: Clock,
  options: ImportOptions = {},
): Promise<ImportFileResult> {
  const parsed = readLedgerFile(path);
  if (!parsed.ok) return { ok: false, problems: parsed.problems };
  const result = await importLedger(dataSource, parsed.ledger, clock, path, options);
  return { ok: true, ...result };
}

export function describeImport(r: ImportResult): string {
  if (!r.changed) return `Ledger unchanged (version ${r.version}).`;
  const parts = [`Ledger imported as version ${r.version}.`];
  if (r.added.length) parts.push(`Added people: ${r.added.join(', ')}.`);
  if (r.reactivated.length) parts.push(`Reactivated: ${r.reactivated.join(', ')}.`);
  if (r.deactivated.length) parts.push(`Deactivated (history kept): ${r.deactivated.join(', ')}.`);
  if (r.handedOver) parts.push(`Requests they were handling handed over: ${r.handedOver}.`);
  return parts.join(' ');
}
