import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db/data-source';
import { describeImport, importLedgerFile } from './ledger/import-file';
import { currentLedgerDocument } from './ledger/ledger-store';
import { serializeLedger } from './ledger';
import { systemClock } from './shared/clock';

/** `mulin` operator commands. */
const USAGE = `Usage: mulin <command>

Commands:
  migrate                         bring the database schema up to date (also done at every start)
  ledger import FILE              validate a ledger (YAML or JSON) and apply it; an invalid file changes nothing
  ledger export [--json] [--out FILE]
                                  write the current ledger (YAML by default) to stdout or FILE
  help                            show this text
`;

async function withDatabase<T>(work: (dataSource: DataSource) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const dataSource = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

async function migrate(): Promise<number> {
  return withDatabase(async (dataSource) => {
    const rows = await dataSource.query<{ name: string }[]>(`SELECT name FROM mulin_migrations ORDER BY id`);
    process.stdout.write(`Database is up to date (${rows.length} migrations applied):\n`);
    for (const row of rows) process.stdout.write(`  ${row.name}\n`);
    return 0;
  });
}

async function ledger(args: readonly string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'import') {
    const [file] = rest;
    if (!file) {
      process.stderr.write(`mulin ledger import needs a FILE.\n\n${USAGE}`);
      return 2;
    }
    return withDatabase(async (dataSource) => {
      const result = await importLedgerFile(dataSource, file, systemClock);
      if (!result.ok) {
        process.stderr.write(`${file} is not a valid ledger; nothing was changed:\n`);
        for (const p of result.problems) process.stderr.write(`  ${p}\n`);
        return 1;
      }
      process.stdout.write(`${describeImport(result)}\n`);
      return 0;
    });
  }
  if (action === 'export') {
    const { values } = parseArgs({
      args: [...rest],
      options: { json: { type: 'boolean' }, out: { type: 'string' } },
    });
    return withDatabase(async (dataSource) => {
      const document = await currentLedgerDocument(dataSource);
      if (!document) {
        process.stderr.write('No ledger has been imported yet: run `mulin ledger import FILE` first.\n');
        return 1;
      }
      const text = serializeLedger(document, values.json ? 'json' : 'yaml');
      if (values.out) writeFileSync(values.out, text);
      else process.stdout.write(text);
      return 0;
    });
  }
  process.stderr.write(`Unknown ledger action "${action ?? ''}".\n\n${USAGE}`);
  return 2;
}

export async function runCli(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'migrate':
      return migrate();
    case 'ledger':
      return ledger(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}

/** Runs the CLI and exits the process with its status. */
export function cliMain(argv: readonly string[]): void {
  runCli(argv).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
      process.stderr.write(`mulin: ${message}\n`);
      process.exit(1);
    },
  );
}

if (require.main === module) cliMain(process.argv.slice(2));
