import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LedgerDocument } from '../../src/ledger';
import type { Report } from './report';
import type { StreetShape } from './street';

/** What every benchmark or chaos case is given by its runner. */
export interface RunContext {
  readonly smoke: boolean;
  readonly report: Report;
  /** The compiled service entry (see service.ts). */
  readonly entry: string;
  readonly shape: StreetShape;
  readonly ledger: LedgerDocument;
  /** A directory for this run's logs and data, removed at the end unless --keep. */
  readonly workDir: string;
  log(line: string): void;
}

export function makeWorkDir(prefix: string): string {
  const dir = path.join(tmpdir(), `${prefix}-${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A short run id, unique enough to keep the msgids of separate phases apart. */
export function runId(): string {
  return Math.floor(Math.random() * 36 ** 4)
    .toString(36)
    .padStart(4, '0');
}
