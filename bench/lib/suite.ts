import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { makeWorkDir, type RunContext } from './context';
import { serverVersion } from './postgres';
import { Report } from './report';
import { serviceEntry } from './service';
import { syntheticLedger, type StreetShape } from './street';

/**
 * The runner `npm run bench` and `npm run chaos` share: options, the machine line, the 1,000-building
 * street, one work directory for every log, the report, and the exit code.
 *   --smoke       every case, briefly (CI)
 *   --only A,B    some cases
 *   --keep        keep the work directory (logs, data)
 */
export type Case = (ctx: RunContext) => Promise<void>;

export interface SuiteOptions {
  readonly title: string;
  readonly cases: Readonly<Record<string, Case>>;
  /** Run after every case, on the same context (the chaos suite scans the logs here). */
  readonly finally?: Case;
  /** Whether a missed speed goal fails a full run. */
  readonly goalsFail: boolean;
}

export function machineLine(): string {
  const memGb = (os.totalmem() / 1024 ** 3).toFixed(1);
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  let kernel = os.release();
  try {
    kernel = execFileSync('uname', ['-sr']).toString().trim();
  } catch {
    // informational only
  }
  return `${os.availableParallelism()} cores (${cpu}), ${memGb} GiB RAM, ${kernel}, Node ${process.version}`;
}

export async function runSuite(
  options: SuiteOptions,
  argv: string[] = process.argv.slice(2),
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      smoke: { type: 'boolean', default: false },
      only: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  });
  const smoke = values.smoke;
  const names = values.only ? values.only.split(',') : Object.keys(options.cases);
  const unknown = names.filter((n) => !(n in options.cases));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown case ${unknown.join(', ')}; known: ${Object.keys(options.cases).join(', ')}\n`,
    );
    return 2;
  }
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const report = new Report(log);
  const workDir = makeWorkDir(`mulin-${options.title.toLowerCase().replace(/\W+/g, '-')}`);
  const shape: StreetShape = { buildings: 1000, buildingsPerCompound: 20, unitsPerBuilding: 2 };
  const started = Date.now();
  log(`Mulin ${options.title}${smoke ? ' (smoke)' : ''}, ${new Date().toISOString()}`);
  log(`machine: ${machineLine()}; PostgreSQL ${await serverVersion()}`);
  const load = os.loadavg()[0] ?? 0;
  log(
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  if (load > 0.5) log('warning: the machine is busy; figures measured now are lower than it can do');
  const ctx: RunContext = {
    smoke,
    report,
    entry: serviceEntry(log),
    shape,
    ledger: syntheticLedger(shape),
    workDir,
    log,
  };
  log(
    `service: ${ctx.entry}; logs in ${workDir}${values.keep ? '' : ' (removed at the end; --keep keeps them)'}`,
  );
  try {
    for (const name of names) {
      const run = options.cases[name];
      if (!run) continue;
      const t0 = Date.now();
      try {
        await run(ctx);
      } catch (error) {
        report.check(
          `${name} ran`,
          false,
          error instanceof Error ? (error.stack ?? error.message) : String(error),
        );
      }
      log(`  (${name}: ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
    if (options.finally) {
      try {
        await options.finally(ctx);
      } catch (error) {
        report.check('final check ran', false, error instanceof Error ? error.message : String(error));
      }
    }
  } finally {
    if (!values.keep) rmSync(workDir, { recursive: true, force: true });
  }
  log(report.summary());
  log(`\nfinished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const failed = report.failedChecks.length;
  const missed = report.missedGoals.length;
  if (failed > 0) log(`${failed} correctness check(s) failed`);
  if (missed > 0)
    log(`${missed} speed goal(s) missed${smoke ? ' (smoke run: figures are indicative only)' : ''}`);
  return failed > 0 || (options.goalsFail && !smoke && missed > 0) ? 1 : 0;
}

/** Runs the suite as the process's main and exits with its code. */
export function main(options: SuiteOptions): void {
  runSuite(options).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
