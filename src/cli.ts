import type { DataSource } from 'typeorm';
import { ledger, LEDGER_USAGE } from './cli/ledger';
import { outbox, OUTBOX_USAGE } from './cli/outbox';
import { say, SAY_USAGE } from './cli/say';
import { simulator, SIMULATOR_USAGE } from './cli/simulator';
import { ConfigError, loadConfig, type Config } from './config';
import { openDatabase } from './db/data-source';
import {
  digestCommand,
  remindCommand,
  CLI_USAGE as SCHEDULER_USAGE,
  schedulerOptionsFrom,
} from './scheduler';
import { systemClock } from './shared/clock';

/** `mulin`: operator commands. Each command's own module holds its usage text. */
const USAGE = `Usage: mulin <command>

mulin migrate                   bring the database schema up to date (also done at every start)
${LEDGER_USAGE}
${SCHEDULER_USAGE.replace(/^ {2}(\w)/gm, 'mulin $1')}${OUTBOX_USAGE}
${SIMULATOR_USAGE}
${SAY_USAGE}
`;

async function withDatabase(
  work: (dataSource: DataSource, config: Config) => Promise<number>,
): Promise<number> {
  const config = loadConfig();
  const dataSource = await openDatabase(config);
  try {
    return await work(dataSource, config);
  } finally {
    await dataSource.destroy();
  }
}

async function migrate(dataSource: DataSource): Promise<number> {
  const rows = await dataSource.query<{ name: string }[]>(`SELECT name FROM mulin_migrations ORDER BY id`);
  process.stdout.write(`Database is up to date (${rows.length} migrations applied):\n`);
  for (const row of rows) process.stdout.write(`  ${row.name}\n`);
  return 0;
}

export async function runCli(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  // Before any database is opened: help must work while the service holds the embedded one.
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  switch (command) {
    case 'migrate':
      return withDatabase(migrate);
    case 'ledger':
      // Hand-over notices for a group without a robot go privately, as the service would send them.
      return withDatabase((ds, config) =>
        ledger(ds, systemClock, rest, { privateNotices: config.wecom.appApi !== null }),
      );
    case 'digest':
      return withDatabase((ds, config) => digestCommand(ds, systemClock, rest, schedulerOptionsFrom(config)));
    case 'remind':
      return withDatabase((ds, config) => remindCommand(ds, systemClock, rest, schedulerOptionsFrom(config)));
    case 'outbox':
      return withDatabase((ds) => outbox(ds, systemClock, rest));
    case 'simulator':
      return simulator(rest);
    case 'say':
      return say(rest);
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
      // fetch hides the reason (refused, reset, …) in its cause.
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      process.stderr.write(`mulin: ${message}${cause}\n`);
      process.exit(1);
    },
  );
}

if (require.main === module) cliMain(process.argv.slice(2));
