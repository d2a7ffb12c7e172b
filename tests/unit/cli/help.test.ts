import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../../src/cli';

/**
 * `mulin COMMAND --help` prints the usage without opening the database, so it works while the
 * service holds the embedded one, and for the commands that parse strictly (simulator, say).
 */
let printed: string[];
beforeEach(() => {
  printed = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (printed.push(String(chunk)), true));
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (printed.push(String(chunk)), true));
});
afterEach(() => jest.restoreAllMocks());

it.each(['migrate', 'ledger', 'digest', 'remind', 'outbox', 'simulator', 'say'])(
  'mulin %s --help prints the usage and succeeds',
  async (command) => {
    // A file where the data directory would be: opening the database there would fail.
    const notADirectory = path.join(tmpdir(), `mulin-help-${process.pid}`);
    writeFileSync(notADirectory, '');
    process.env.MULIN_DATA_DIR = notADirectory;
    try {
      expect(await runCli([command, '--help'])).toBe(0);
    } finally {
      delete process.env.MULIN_DATA_DIR;
      rmSync(notADirectory);
    }
    expect(printed.join('')).toContain(`mulin ${command}`);
  },
);
