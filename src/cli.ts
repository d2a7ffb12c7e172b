import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db/data-source';

/** `mulin` operator commands. */
const USAGE = `Usage: mulin <command>

Commands:
  migrate    bring the database schema up to date (also done at every start)
  help       show this text
`;

async function migrate(): Promise<void> {
  const config = loadConfig();
  const dataSource = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const rows = await dataSource.query<{ name: string }[]>(`SELECT name FROM mulin_migrations ORDER BY id`);
    process.stdout.write(`Database is up to date (${rows.length} migrations applied):\n`);
    for (const row of rows) process.stdout.write(`  ${row.name}\n`);
  } finally {
    await dataSource.destroy();
  }
}

export async function runCli(argv: readonly string[]): Promise<number> {
  const [command] = argv;
  switch (command) {
    case 'migrate':
      await migrate();
      return 0;
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
