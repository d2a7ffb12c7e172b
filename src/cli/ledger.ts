import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { DataSource } from 'typeorm';
import { serializeLedger } from '../ledger';
import { describeImport, importLedgerFile } from '../ledger/import-file';
import type { ImportOptions } from '../ledger/ledger-store';
import { currentLedgerDocument } from '../ledger/ledger-store';
import type { Clock } from '../shared/clock';

export const LEDGER_USAGE = `mulin ledger import FILE        validate a ledger (YAML or JSON) and apply it; an invalid file changes nothing
mulin ledger export [--json] [--out FILE]   the current ledger (YAML by default)`;

/** `options`: as the service would import (private notices when the self-built app is configured). */
export async function ledger(
  dataSource: DataSource,
  clock: Clock,
  args: readonly string[],
  options: ImportOptions = {},
): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'import' && rest[0]) {
    const file = rest[0];
    const result = await importLedgerFile(dataSource, file, clock, options);
    if (!result.ok) {
      process.stderr.write(`${file} is not a valid ledger; nothing was changed:\n`);
      for (const p of result.problems) process.stderr.write(`  ${p}\n`);
      return 1;
    }
    process.stdout.write(`${describeImport(result)}\n`);
    return 0;
  }
  if (action === 'export') {
    const { values } = parseArgs({
      args: rest,
      options: { json: { type: 'boolean' }, out: { type: 'string' } },
    });
    const document = await currentLedgerDocument(dataSource);
    if (!document) {
      process.stderr.write('No ledger has been imported yet: run `mulin ledger import FILE` first.\n');
      return 1;
    }
    const text = serializeLedger(document, values.json ? 'json' : 'yaml');
    if (values.out) writeFileSync(values.out, text);
    else process.stdout.write(text);
    return 0;
  }
  process.stderr.write(`${LEDGER_USAGE}\n`);
  return 2;
}
