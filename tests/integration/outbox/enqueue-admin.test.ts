import type { DataSource } from 'typeorm';
import { runInserts } from '../../../src/db/json-insert';
import {
  enqueue,
  listOutbox,
  outboxInsert,
  outboxHealth,
  retryAllDead,
  retryOutboxMessage,
  type OutboxItem,
} from '../../../src/outbox';
import { outbox } from '../../../src/cli/outbox';
import { fixedClock } from '../../../src/shared/clock';
import { openTestDatabase, truncate, type TestDatabase } from '../../helpers/database';
import { NOW, enqueueAll, later, rows } from './outbox-fixtures';

let db: TestDatabase;
let dataSource: DataSource;

beforeAll(async () => {
  db = await openTestDatabase();
  dataSource = db.dataSource;
});

afterAll(() => db.close());

beforeEach(() => truncate(dataSource, 'outbox', 'outbox_rate'));

const receipt: OutboxItem = {
  purpose: 'receipt',
  destination: { type: 'group_webhook', webhookKey: 'key-building-3' },
  body: { kind: 'text', content: '已收到报修，编号 R-12', mentions: ['li.wei'] },
  requestId: '12',
};

describe('enqueue', () => {
  it('stores the item in the caller’s transaction, keyed by its webhook', async () => {
    const [id] = await enqueueAll(dataSource, [receipt]);
    const stored = await dataSource.query(`SELECT * FROM outbox WHERE id = $1`, [id]);
    expect(stored[0]).toMatchObject({
      purpose: 'receipt',
      destination: { type: 'group_webhook', webhookKey: 'key-building-3' },
      rate_key: 'key-building-3',
      body: { kind: 'text', content: '已收到报修，编号 R-12', mentions: ['li.wei'] },
      request_id: '12',
      status: 'pending',
      attempts: 0,
      parts_sent: 0,
      created_at: NOW,
      next_attempt_at: NOW,
    });
  });

  it('writes nothing when the caller’s transaction rolls back', async () => {
    await expect(
      dataSource.transaction(async (tx) => {
        await enqueue(tx, receipt, NOW);
        throw new Error('the request change failed');
      }),
    ).rejects.toThrow('the request change failed');
    expect(await rows(dataSource)).toEqual([]);
  });

  it('is idempotent with a dedupe key, also across transactions', async () => {
    const item = { ...receipt, dedupeKey: 'receipt:R-12' };
    const first = await dataSource.transaction((tx) => enqueue(tx, item, NOW));
    expect(first).toEqual([{ id: expect.any(String), created: true }]);
    const second = await dataSource.transaction((tx) =>
      enqueue(tx, { ...item, body: { kind: 'text', content: '又一次' } }, NOW),
    );
    expect(second).toEqual([{ id: first[0]?.id, created: false }]);
    const noKey = await dataSource.transaction(async (tx) => [
      await enqueue(tx, receipt, NOW),
      await enqueue(tx, receipt, NOW),
    ]);
    expect(noKey.flat().every((r) => r.created)).toBe(true);
    expect(await rows(dataSource)).toHaveLength(3);
  });

  it('keys a private notice by its person and response_url by nothing, and honours notBefore', async () => {
    await enqueueAll(dataSource, [
      {
        purpose: 'reply',
        destination: { type: 'response_url', url: 'https://qyapi.example/r?c=1', fallbackWebhookKey: 'k' },
        body: { kind: 'markdown', content: '好的' },
      },
      {
        purpose: 'reminder',
        destination: { type: 'app_message', userIds: ['li.wei'] },
        body: { kind: 'text', content: '请处理 R-12' },
        notBefore: later(3600_000),
      },
    ]);
    const [reply, reminder] = await rows(dataSource);
    expect(reply?.rate_key).toBeNull();
    expect(reminder?.rate_key).toBe('app:li.wei');
    expect(reminder?.next_attempt_at).toEqual(later(3600_000));
  });

  it('stores a private notice to several people as a row for each, keyed and deduplicated by the person', async () => {
    // WeCom's limit of 30 a minute is per member: one key could not stand for both.
    const notice: OutboxItem = {
      purpose: 'escalation',
      destination: { type: 'app_message', userIds: ['admin.1', 'admin.2', 'admin.1'] },
      body: { kind: 'text', content: '上报街道 #12' },
      requestId: '12',
      dedupeKey: 'escalation:12',
    };
    const first = await dataSource.transaction((tx) => enqueue(tx, notice, NOW));
    expect(first.map((r) => r.created)).toEqual([true, true]);
    const stored = await dataSource.query(
      `SELECT id, destination, rate_key, dedupe_key, body, request_id FROM outbox ORDER BY id`,
    );
    expect(stored).toEqual(
      ['admin.1', 'admin.2'].map((id, i) => ({
        id: first[i]?.id,
        destination: { type: 'app_message', userIds: [id] },
        rate_key: `app:${id}`,
        dedupe_key: `escalation:12:${id}`,
        body: { kind: 'text', content: '上报街道 #12' },
        request_id: '12',
      })),
    );

    // Enqueued again, by a retry, after the list gained someone: only the newcomer's row is new.
    const again = await dataSource.transaction((tx) =>
      enqueue(
        tx,
        { ...notice, destination: { type: 'app_message', userIds: ['admin.2', 'admin.3', 'admin.1'] } },
        NOW,
      ),
    );
    expect(again).toEqual([
      { id: first[1]?.id, created: false },
      { id: expect.any(String), created: true },
      { id: first[0]?.id, created: false },
    ]);
    // Through the desk's batched insert as well.
    await dataSource.transaction((tx) =>
      runInserts(tx, [outboxInsert([notice, { ...notice, dedupeKey: null }], NOW)]),
    );
    expect((await rows(dataSource)).map((r) => r.rate_key)).toEqual([
      'app:admin.1',
      'app:admin.2',
      'app:admin.3',
      'app:admin.1',
      'app:admin.2',
    ]);
  });

  it.each([
    ['empty content', { ...receipt, body: { kind: 'text', content: '  ' } }],
    ['empty webhook key', { ...receipt, destination: { type: 'group_webhook', webhookKey: '' } }],
    ['no recipients', { ...receipt, destination: { type: 'app_message', userIds: [] } }],
    ['a "|" in a userid', { ...receipt, destination: { type: 'app_message', userIds: ['a|b'] } }],
    ['a response_url that is not a URL', { ...receipt, destination: { type: 'response_url', url: 'nope' } }],
  ] as [string, OutboxItem][])(
    'refuses an item with %s, failing the caller’s transaction',
    async (_name, item) => {
      await expect(dataSource.transaction((tx) => enqueue(tx, item, NOW))).rejects.toThrow(TypeError);
      expect(await rows(dataSource)).toEqual([]);
    },
  );
});

describe('admin', () => {
  async function seed(): Promise<string[]> {
    const ids = await enqueueAll(dataSource, [
      receipt,
      { ...receipt, body: { kind: 'text', content: '第二条' } },
      { ...receipt, body: { kind: 'text', content: '第三条' } },
      { ...receipt, body: { kind: 'text', content: '第四条' } },
    ]);
    const [a, b, c] = ids;
    await dataSource.query(
      `UPDATE outbox SET status = 'dead', attempts = 8, last_error = 'HTTP 502' WHERE id = $1`,
      [a],
    );
    await dataSource.query(
      `UPDATE outbox SET status = 'failed', attempts = 1, last_error = 'errcode 93000' WHERE id = $1`,
      [b],
    );
    await dataSource.query(`UPDATE outbox SET status = 'sent', sent_at = $2 WHERE id = $1`, [c, NOW]);
    return ids;
  }

  it('lists by status, newest first, with keys masked and a short preview', async () => {
    const [dead] = await seed();
    const list = await listOutbox(dataSource, { status: 'dead' });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      id: dead,
      status: 'dead',
      destination: 'group webhook key-…',
      lastError: 'HTTP 502',
      preview: '已收到报修，编号 R-12',
    });
    expect(JSON.stringify(list)).not.toContain('key-building-3');
    expect((await listOutbox(dataSource)).map((e) => e.status)).toEqual([
      'pending',
      'sent',
      'failed',
      'dead',
    ]);
  });

  it('retries one failed or dead row, and all dead rows', async () => {
    const [dead, failed, sent] = await seed();
    const at = later(5000);
    expect(await retryOutboxMessage(dataSource, failed!, at)).toEqual({ kind: 'requeued' });
    expect(await retryOutboxMessage(dataSource, failed!, at)).toEqual({
      kind: 'not-retryable',
      status: 'pending',
    });
    expect(await retryOutboxMessage(dataSource, sent!, at)).toEqual({
      kind: 'not-retryable',
      status: 'sent',
    });
    expect(await retryOutboxMessage(dataSource, '999999999999', at)).toEqual({
      kind: 'no-such-message',
    });
    expect(await retryAllDead(dataSource, at)).toBe(1);
    expect(await retryAllDead(dataSource, at)).toBe(0);
    const byId = new Map((await rows(dataSource)).map((r) => [r.id, r]));
    for (const id of [dead!, failed!]) {
      expect(byId.get(id)).toMatchObject({ status: 'pending', attempts: 0, next_attempt_at: at });
    }
    expect(byId.get(sent!)?.status).toBe('sent');
  });

  it('reports failed and dead counts and the age of the oldest due row', async () => {
    expect(await outboxHealth(dataSource, NOW)).toEqual({
      pending: 0,
      failed: 0,
      dead: 0,
      oldestDueAgeS: null,
    });
    await seed();
    await enqueueAll(dataSource, [{ ...receipt, notBefore: later(60_000) }]);
    expect(await outboxHealth(dataSource, later(90_000))).toEqual({
      pending: 2,
      failed: 1,
      dead: 1,
      oldestDueAgeS: 90,
    });
    expect(await outboxHealth(dataSource, later(30_000))).toMatchObject({ pending: 2, oldestDueAgeS: 30 });
  });
});

describe('mulin outbox', () => {
  /** Runs the command, with what it writes to stdout and stderr. */
  async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      err += String(chunk);
      return true;
    });
    try {
      const code = await outbox(dataSource, fixedClock(NOW), args);
      return { code, out, err };
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
  }

  it.each([
    [['list', '--limit', 'abc'], /--limit/],
    [['list', '--limit', '-3'], /--limit/],
    [['list', '--limit', '0'], /--limit/],
    [['list', '--stauts', 'failed'], /--stauts/],
    [['retry', '99999999999999999999'], /mulin outbox retry ID/],
  ])('answers %j with what is wrong and the usage, changing nothing', async (args, says) => {
    await enqueueAll(dataSource, [receipt]);
    await dataSource.query(`UPDATE outbox SET status = 'failed'`);
    const before = await rows(dataSource);
    const { code, out, err } = await run(args);
    expect({ code, out }).toEqual({ code: 2, out: '' });
    expect(err).toMatch(says);
    expect(err).toContain('mulin outbox retry ID');
    expect(await rows(dataSource)).toEqual(before);
  });

  it('lists as many as --limit says', async () => {
    await enqueueAll(dataSource, [receipt, { ...receipt, body: { kind: 'text', content: '第二条' } }]);
    const { code, out } = await run(['list', '--limit', '1']);
    expect(code).toBe(0);
    expect(
      out
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { preview: string }).preview),
    ).toEqual(['第二条']);
  });
});
