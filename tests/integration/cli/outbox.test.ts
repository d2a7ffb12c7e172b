import type { DataSource } from 'typeorm';
import { outbox } from '../../../src/cli/outbox';
import { fixedClock } from '../../../src/shared/clock';
import { openTestDatabase, truncate, type TestDatabase } from '../../helpers/database';
import { NOW, enqueueAll } from '../outbox/outbox-fixtures';

/** `mulin outbox` as the README writes it: `mulin outbox --status failed`, without `list`. */
let db: TestDatabase;
let dataSource: DataSource;
let printed: string[];

beforeAll(async () => {
  db = await openTestDatabase();
  dataSource = db.dataSource;
});
afterAll(() => db.close());

beforeEach(async () => {
  await truncate(dataSource, 'outbox', 'outbox_rate');
  const item = {
    purpose: 'receipt',
    destination: { type: 'group_webhook', webhookKey: 'key-building-3' },
    body: { kind: 'text', content: '已登记 #1' },
  } as const;
  const [failed] = await enqueueAll(dataSource, [
    item,
    { ...item, body: { kind: 'text', content: '#1 已接单' } },
  ]);
  await dataSource.query(`UPDATE outbox SET status = 'failed', last_error = 'errcode 93000' WHERE id = $1`, [
    failed,
  ]);
  printed = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (printed.push(String(chunk)), true));
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (printed.push(String(chunk)), true));
});
afterEach(() => jest.restoreAllMocks());

const run = (...args: string[]) => outbox(dataSource, fixedClock(NOW), args);

it('lists with options and no action word, as `mulin outbox --status failed`', async () => {
  expect(await run('--status', 'failed')).toBe(0);
  expect(printed).toHaveLength(1);
  expect(JSON.parse(printed[0] ?? '')).toMatchObject({ status: 'failed', lastError: 'errcode 93000' });
});

it('answers a limit that is not a whole number with what it expects, not a database error', async () => {
  for (const limit of ['abc', '0', '2.5']) {
    printed = [];
    expect(await run('list', '--limit', limit)).toBe(2);
    expect(printed.join('')).toMatch(/--limit/);
  }
  printed = [];
  expect(await run('--limit', '1')).toBe(0);
  expect(printed).toHaveLength(1);
});

describe('retry ID', () => {
  async function rowsNow() {
    return dataSource.query<{ id: string; status: string }[]>(`SELECT id, status FROM outbox ORDER BY id`);
  }

  it('says there is no such message when the id is unknown, and changes nothing', async () => {
    const before = await rowsNow();
    const unknown = String(Number(before.at(-1)?.id) + 1000);
    expect(await run('retry', unknown)).toBe(1);
    expect(printed.join('')).toBe(`No message ${unknown} in the outbox.\n`);
    expect(await rowsNow()).toEqual(before);
  });

  it('says what a message is when it is not failed or dead', async () => {
    const [, pending] = await rowsNow();
    expect(await run('retry', pending?.id ?? '')).toBe(1);
    expect(printed.join('')).toBe(
      `Message ${pending?.id} is pending, not failed or dead: nothing to retry.\n`,
    );
  });

  it('sends a failed message again', async () => {
    const [failed] = await rowsNow();
    expect(await run('retry', failed?.id ?? '')).toBe(0);
    expect(printed.join('')).toBe(`Message ${failed?.id} will be sent again.\n`);
    expect((await rowsNow())[0]?.status).toBe('pending');
  });
});
