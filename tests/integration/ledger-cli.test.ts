import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { runCli } from '../../src/cli';
import { openDatabase } from '../../src/db/data-source';
import { readLedgerFile, type LedgerDocument } from '../../src/ledger';
import { createScratchDatabase, usingPostgres } from '../helpers/database';
import { DeskHarness } from '../helpers/desk-harness';
import { testEnv } from '../helpers/test-service';

/**
 * `mulin ledger import`, run as an operator runs it: its own configuration from the environment,
 * on a database the desk has used. The CLI opens the database itself, so the embedded one is kept
 * in a directory here rather than in memory.
 */
let dir: string;
let scratch: { url: string; drop(): Promise<void> } | undefined;
const savedEnv = { ...process.env };

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'mulin-ledger-cli-'));
  if (usingPostgres) scratch = await createScratchDatabase();
});

afterAll(async () => {
  process.env = savedEnv;
  await scratch?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const settings = () => ({ databaseUrl: scratch?.url, dataDir: path.join(dir, 'data') });

/** The example ledger without 赵志强 (2单元 of 7号楼 loses its head) and without 7号楼's robot. */
function withoutZhaoNorRobot(): LedgerDocument {
  const read = readLedgerFile('examples/ledger.yaml');
  if (!read.ok) throw new Error(read.problems.join('\n'));
  const doc = read.ledger;
  return {
    ...doc,
    people: doc.people.filter((p) => p.id !== 'zhao.zq'),
    compounds: doc.compounds.map((c) => ({
      ...c,
      buildings: c.buildings.map((b) => {
        const building = { ...b, units: b.units?.map((u) => (u.head === 'zhao.zq' ? { no: u.no } : u)) };
        if (b.id === 'jw-b7') delete building.webhook_key;
        return building;
      }),
    })),
  };
}

it('tells the new handler privately when the app is configured and the group has no robot', async () => {
  const dataSource = await openDatabase(settings());
  const desk = new DeskHarness(dataSource);
  let no: number;
  try {
    await desk.start();
    no = await desk.report('zhang.min', '#报修 2单元楼梯扶手松了');
  } finally {
    await desk.stop();
    await dataSource.destroy();
  }

  const file = path.join(dir, 'ledger.yaml');
  writeFileSync(file, stringify(withoutZhaoNorRobot()));
  process.env = {
    ...savedEnv,
    DATABASE_URL: scratch?.url ?? '',
    MULIN_DATA_DIR: path.join(dir, 'data'),
    ...testEnv(),
    WECOM_CORP_SECRET: 'fake-corp-secret-0001',
    WECOM_AGENT_ID: '1000002',
  };
  expect(await runCli(['ledger', 'import', file])).toBe(0);

  const reopened = await openDatabase(settings());
  try {
    const rows = await reopened.query<{ destination: unknown; body: { content: string } }[]>(
      `SELECT destination, body FROM outbox WHERE dedupe_key LIKE 'hand-over:%'`,
    );
    expect(rows).toEqual([
      {
        destination: { type: 'app_message', userIds: ['wang.jg'] },
        body: expect.objectContaining({
          content: `#${no} 原处理人赵志强已不在台账，改由王建国处理，请接单：接单 ${no}`,
        }) as unknown,
      },
    ]);
  } finally {
    await reopened.destroy();
  }
});
