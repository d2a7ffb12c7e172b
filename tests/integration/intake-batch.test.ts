import type { DataSource, EntityManager } from 'typeorm';
import type { InboundMessageRecord } from '../../src/db/entities';
import { BatchDeskWrites } from '../../src/intake/desk-writes';
import { DeskHandler } from '../../src/intake/desk-handler';
import { Intake, type AcceptOutcome, type InboundHandler } from '../../src/intake/intake';
import { readLedgerFile } from '../../src/ledger';
import { importLedger, LedgerCache } from '../../src/ledger/ledger-store';
import { fixedClock } from '../../src/shared/clock';
import { silentLogger, type Logger } from '../../src/shared/logger';
import type { InboundMessage } from '../../src/wecom';
import { capturingLogger } from '../helpers/capturing-logger';
import { openTestDatabase, truncate, type TestDatabase } from '../helpers/database';
import { transactionHold, waitingForAnother } from '../helpers/held-instance';

/**
 * Messages that arrive together are stored and handled in one transaction (group commit). These
 * tests hold the batch path to what accepting the same messages one at a time does.
 */

const clock = fixedClock('2026-11-30T01:00:00Z');
const B7 = 'wrkB7FAKEjiangwan07';
let db: TestDatabase;

beforeAll(async () => {
  db = await openTestDatabase();
  const ledger = readLedgerFile('examples/ledger.yaml');
  if (!ledger.ok) throw new Error(ledger.problems.join('\n'));
  await importLedger(db.dataSource, ledger.ledger, clock, 'examples/ledger.yaml');
});

afterAll(async () => {
  await db.close();
});

/** No messages, requests or replies, and numbering from #1 again. */
async function emptyDesk(): Promise<void> {
  await truncate(
    db.dataSource,
    'outbox',
    'request_event',
    'request',
    'inbound_message',
    'unregistered_chat_notice',
  );
  await db.dataSource.query(`UPDATE request_counter SET last_no = 0`);
}

beforeEach(emptyDesk);

function desk(logger: Logger = silentLogger): DeskHandler {
  return new DeskHandler({
    ledgers: new LedgerCache(),
    clock,
    logger,
    timeZone: 'Asia/Shanghai',
    privateNotices: false,
  });
}

/** The desk, counting the batches it is handed. */
function countingDesk(): { handler: InboundHandler; batches: () => number } {
  const inner = desk();
  let batches = 0;
  const handler: InboundHandler = {
    handle: (m, tx) => inner.handle(m, tx),
    handleBatch: (ms, tx) => {
      batches += 1;
      return inner.handleBatch(ms, tx);
    },
  };
  return { handler, batches: () => batches };
}

let seq = 0;
function message(text: string, sender = 'zhang.min', chatId = B7, dedupeKey?: string): InboundMessage {
  seq += 1;
  const key = dedupeKey ?? `batch-${seq}`;
  return {
    channel: 'bot',
    dedupeKey: key,
    msgId: key,
    msgType: 'text',
    chatId,
    chatType: 'group',
    senderId: sender,
    text,
    quotedText: null,
    imageUrls: [],
    event: null,
    sentAt: null,
    // A group the ledger does not know has no push key: its answer goes to the reply handle.
    replyUrl: chatId === B7 ? null : `http://127.0.0.1:9/cgi-bin/webhook/response?code=${key}`,
    raw: JSON.stringify({ msgid: key, text }),
  };
}

/**
 * A morning in 7号楼's group, including a repeated delivery, a command about a post before it, and
 * two posts sent again under new message ids (one repeating a post of an earlier batch, one a
 * post of its own batch).
 */
function morning(): InboundMessage[] {
  return [
    message('#报修 1单元楼道灯不亮'),
    message('#报修 2单元302水管漏水', 'chen.ay'),
    message('大家早上好'),
    message('#报修 1单元楼道灯不亮', 'zhang.min', B7, 'batch-repeat'),
    message('#报修 1单元楼道灯不亮', 'zhang.min', B7, 'batch-repeat'),
    message('接单 1', 'li.xl'),
    message('查询 1'),
    message('#建议 楼下加装长椅', 'chen.ay'),
    message('#建议 楼下加装长椅。', 'chen.ay'),
    message('#报修', 'chen.ay'),
    message('#报修 3单元门禁坏了', 'zhang.min', 'wrkUNKNOWNgroup'),
    message('#报修 3单元门禁坏了', 'zhang.min', 'wrkUNKNOWNgroup'),
    message('接单 2', 'zhang.min'),
  ];
}

/** What the messages left behind, without ids that depend on the order of inserts. */
async function snapshot(dataSource: DataSource) {
  const requests = await dataSource.query<Record<string, unknown>[]>(
    `SELECT r.no, r.status, r.category, r.text, r.assignee_id, r.unit_no, r.room, r.council, i.dedupe_key
     FROM request r JOIN inbound_message i ON i.id = r.inbound_id ORDER BY r.no`,
  );
  const events = await dataSource.query<Record<string, unknown>[]>(
    `SELECT r.no, e.type, e.actor_id, e.note, e.data FROM request_event e JOIN request r ON r.id = e.request_id
     ORDER BY e.id`,
  );
  const outbox = await dataSource.query<Record<string, unknown>[]>(
    `SELECT o.purpose, o.destination, o.body, r.no FROM outbox o LEFT JOIN request r ON r.id = o.request_id
     ORDER BY o.id`,
  );
  const inbound = await dataSource.query<Record<string, unknown>[]>(
    `SELECT dedupe_key, status, process_error FROM inbound_message ORDER BY id`,
  );
  const [counter] = await dataSource.query<{ last_no: number }[]>(`SELECT last_no FROM request_counter`);
  return { requests, events, outbox, inbound, lastNo: counter?.last_no };
}

/** The texts of the replies and notices in a snapshot, in the order they were queued. */
function bodies(after: { outbox: Record<string, unknown>[] }): string[] {
  return after.outbox.map((o) => (o.body as { content: string }).content);
}

/** Accepts the messages all at once: with one transaction at a time, all but the first wait and form a batch. */
async function acceptTogether(intake: Intake, messages: readonly InboundMessage[]): Promise<AcceptOutcome[]> {
  return Promise.all(messages.map((m) => intake.accept(m)));
}

async function acceptOneByOne(intake: Intake, messages: readonly InboundMessage[]): Promise<AcceptOutcome[]> {
  const outcomes: AcceptOutcome[] = [];
  for (const m of messages) outcomes.push(await intake.accept(m));
  return outcomes;
}

describe('messages accepted together', () => {
  it('leave exactly what accepting them one at a time leaves', async () => {
    const messages = morning();
    const counting = countingDesk();
    const together = new Intake(db.dataSource, counting.handler, clock, silentLogger, undefined, {
      maxConcurrent: 1,
    });
    const outcomesTogether = await acceptTogether(together, messages);
    const afterTogether = await snapshot(db.dataSource);

    await emptyDesk();
    const alone = new Intake(db.dataSource, desk(), clock, silentLogger, undefined, { maxBatch: 1 });
    const outcomesAlone = await acceptOneByOne(alone, messages);
    const afterAlone = await snapshot(db.dataSource);

    // The first message went alone; the other twelve waited for it and went as one batch.
    expect(counting.batches()).toBe(2);
    expect(outcomesTogether).toEqual(outcomesAlone);
    expect(outcomesTogether.filter((o) => o === 'duplicate')).toHaveLength(1);
    expect(afterTogether).toEqual(afterAlone);

    // And what that is: three requests numbered 1–3 in arrival order, no gaps, the command about
    // #1 answered from the request created earlier in the same batch.
    expect(afterTogether.requests.map((r) => [r.no, r.dedupe_key])).toEqual([
      [1, 'batch-1'],
      [2, 'batch-2'],
      [3, 'batch-8'],
    ]);
    expect(afterTogether.lastNo).toBe(3);
    expect(afterTogether.requests[0]).toMatchObject({ status: 'acknowledged', assignee_id: 'li.xl' });
    expect(afterTogether.inbound.every((i) => i.status === 'processed')).toBe(true);
    expect(afterTogether.inbound).toHaveLength(12);
    const sent = bodies(afterTogether);
    expect(sent.filter((b) => b.startsWith('已登记 #'))).toHaveLength(3);
    // The posts sent again are answered with the numbers the first ones got.
    expect(sent.filter((b) => b.startsWith('您刚才已报过'))).toEqual([
      '您刚才已报过 #1，不用重复发，可发「查询 1」看进度',
      '您刚才已报过 #3，不用重复发，可发「查询 3」看进度',
    ]);
    expect(sent.some((b) => b.includes('#1') && b.includes('已接单'))).toBe(true);
    // The unknown group is told once, not twice.
    expect(sent.filter((b) => b.includes('还没有在睦邻登记'))).toHaveLength(1);
  });

  it('keep a message whose handling fails as failed, and handle the rest of its batch', async () => {
    const handler = desk();
    const explode = (m: InboundMessageRecord) => {
      if (m.text?.includes('BOOM')) throw new Error('handler bug');
    };
    const failing: InboundHandler = {
      handle: async (m, tx) => {
        explode(m);
        return handler.handle(m, tx);
      },
      handleBatch: async (ms, tx) => {
        ms.forEach(explode);
        return handler.handleBatch(ms, tx);
      },
    };
    const intake = new Intake(db.dataSource, failing, clock, silentLogger, undefined, { maxConcurrent: 1 });
    const messages = [
      message('#报修 1单元楼道灯不亮'),
      message('#报修 2单元电梯异响'),
      message('#报修 BOOM'),
      message('#报修 3单元门口积水'),
    ];
    const outcomes = await acceptTogether(intake, messages);
    expect(outcomes).toEqual(['stored', 'stored', 'stored', 'stored']);
    const after = await snapshot(db.dataSource);
    expect(after.inbound.map((i) => i.status)).toEqual(['processed', 'processed', 'failed', 'processed']);
    expect(after.inbound[2]?.process_error).toBe('Error: handler bug');
    // Numbers stay gapless: the failed message took none.
    expect(after.requests.map((r) => r.no)).toEqual([1, 2, 3]);
    expect(after.requests.map((r) => r.text)).toEqual(['1单元楼道灯不亮', '2单元电梯异响', '3单元门口积水']);
    expect(after.lastNo).toBe(3);
  });

  it('log each request once when a failed batch is handled again one message at a time', async () => {
    const { logger, lines } = capturingLogger();
    const handler = desk(logger);
    const boom = (m: InboundMessageRecord) => m.text?.includes('BOOM') ?? false;
    // The batch does all its work, logging included, and only then fails: nothing of it commits.
    const failingLate: InboundHandler = {
      handle: async (m, tx) => {
        if (boom(m)) throw new Error('handler bug');
        return handler.handle(m, tx);
      },
      handleBatch: async (ms, tx) => {
        const committed = await handler.handleBatch(ms, tx);
        if (ms.some(boom)) throw new Error('handler bug');
        return committed;
      },
    };
    const intake = new Intake(db.dataSource, failingLate, clock, logger, undefined, { maxConcurrent: 1 });
    await acceptTogether(intake, [
      message('#报修 1单元楼道灯不亮'),
      message('#报修 2单元电梯异响'),
      message('#报修 BOOM'),
      message('#报修 3单元门口积水'),
    ]);
    const created = lines().filter((l) => l.msg === 'request created');
    expect(created.map((l) => l.no)).toEqual([1, 2, 3]);
    expect((await snapshot(db.dataSource)).requests.map((r) => r.no)).toEqual([1, 2, 3]);
    expect(
      lines().filter((l) => l.msg === 'handling a stored message failed; it is kept as failed'),
    ).toHaveLength(1);
  });

  it('answer a repeat of an earlier batch as a duplicate and change nothing', async () => {
    const intake = new Intake(db.dataSource, desk(), clock, silentLogger, undefined, { maxConcurrent: 1 });
    const messages = [message('#报修 1单元楼道灯不亮'), message('大家好'), message('#报修 2单元302水管漏水')];
    expect(await acceptTogether(intake, messages)).toEqual(['stored', 'stored', 'stored']);
    const before = await snapshot(db.dataSource);
    expect(await acceptTogether(intake, [...messages, ...messages])).toEqual(Array(6).fill('duplicate'));
    expect(await snapshot(db.dataSource)).toEqual(before);
  });
});

describe('the same post sent again under a new message id', () => {
  const repeatAnswer = (no: number) => `您刚才已报过 #${no}，不用重复发，可发「查询 ${no}」看进度`;

  it('files it once when both are in one batch, and again once the first is withdrawn in it', async () => {
    const counting = countingDesk();
    const intake = new Intake(db.dataSource, counting.handler, clock, silentLogger, undefined, {
      maxConcurrent: 1,
    });
    await acceptTogether(intake, [
      message('大家好'),
      message('#报修 1单元3楼水管漏水'),
      message('#报修 1单元3楼水管漏水'),
      message('撤回 1'),
      message('#报修 1单元3楼水管漏水'),
      message('#报修 1单元3楼水管漏水'),
    ]);
    // The first went alone; the posts, the command between them and their repeats in one batch.
    expect(counting.batches()).toBe(2);
    const after = await snapshot(db.dataSource);
    expect(after.requests.map((r) => [r.no, r.status])).toEqual([
      [1, 'withdrawn'],
      [2, 'open'],
    ]);
    expect(after.lastNo).toBe(2);
    expect(bodies(after).filter((b) => b.startsWith('您刚才已报过'))).toEqual([
      repeatAnswer(1),
      repeatAnswer(2),
    ]);
  });

  it('files it once when two instances handle the two at the same time', async () => {
    // Instance A has filed the post and not yet committed when instance B handles the repeat.
    const hold = transactionHold();
    const a = new Intake(db.dataSource, hold.wrap(desk()), clock, silentLogger, undefined, {
      maxConcurrent: 1,
    });
    const b = new Intake(db.dataSource, desk(), clock, silentLogger, undefined, { maxConcurrent: 1 });
    const first = a.accept(message('#报修 1单元3楼水管漏水'));
    await hold.holding;
    const repeat = b.accept(message('#报修 1单元3楼水管漏水'));
    await waitingForAnother(db);
    hold.release();
    expect(await Promise.all([first, repeat])).toEqual(['stored', 'stored']);
    const after = await snapshot(db.dataSource);
    expect(after.requests.map((r) => r.no)).toEqual([1]);
    expect(after.lastNo).toBe(1);
    expect(bodies(after).filter((b) => b.startsWith('您刚才已报过'))).toEqual([repeatAnswer(1)]);
  });
});

/** A handler that holds every transaction open until released: messages pile up behind it. */
function gatedDesk(): { handler: InboundHandler; release: () => void; seen: string[] } {
  const inner = desk();
  const seen: string[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const handler: InboundHandler = {
    handle: async (m, tx) => {
      seen.push(m.dedupeKey);
      await gate;
      return inner.handle(m, tx);
    },
    handleBatch: async (ms, tx) => {
      seen.push(...ms.map((m) => m.dedupeKey));
      await gate;
      return inner.handleBatch(ms, tx);
    },
  };
  return { handler, release: () => release(), seen };
}

/** Lets the intake start what it can (a transaction's first statements) before the test goes on. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('repeats and floods', () => {
  it('answers a repeat that arrives while the first delivery is being stored with that outcome, storing once', async () => {
    const { handler, release, seen } = gatedDesk();
    const batches: number[] = [];
    const intake = new Intake(db.dataSource, handler, clock, silentLogger, undefined, {
      maxConcurrent: 1,
      onBatch: (size) => batches.push(size),
    });
    const post = message('#报修 1单元楼道灯不亮');
    const first = intake.accept(post);
    await settle();
    const repeats = [intake.accept(post), intake.accept({ ...post })];
    release();
    expect(await first).toBe('stored');
    expect(await Promise.all(repeats)).toEqual(['duplicate', 'duplicate']);
    expect(seen).toEqual([post.dedupeKey]);
    // The repeats took no place of their own: the only transaction was the first delivery's.
    expect(batches).toEqual([1]);
    const after = await snapshot(db.dataSource);
    expect(after.inbound).toHaveLength(1);
    expect(after.requests).toHaveLength(1);
    // Once stored, a later repeat is found in the database as before.
    expect(await intake.accept(post)).toBe('duplicate');
    expect(await snapshot(db.dataSource)).toEqual(after);
  });

  it('refuses new messages with 503 while too many wait, and stores the ones it took', async () => {
    const { handler, release } = gatedDesk();
    const { logger, lines } = capturingLogger();
    const intake = new Intake(db.dataSource, handler, clock, logger, undefined, {
      maxConcurrent: 1,
      maxWaiting: 2,
    });
    const [a, b, c, d] = [
      message('#报修 1单元楼道灯不亮'),
      message('#报修 2单元电梯异响'),
      message('大家好'),
      message('#报修 3单元门口积水'),
    ] as [InboundMessage, InboundMessage, InboundMessage, InboundMessage];
    const inFlight = intake.accept(a);
    await settle();
    const waiting = [intake.accept(b), intake.accept(c)];
    await expect(intake.accept(d)).rejects.toMatchObject({ code: 'overloaded', status: 503 });
    await expect(intake.accept(message('大家好'))).rejects.toMatchObject({ code: 'overloaded' });
    // One warning for the flood, not one per refused message.
    const warnings = lines().filter((l) => String(l.msg).startsWith('intake full'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ refused: 1, waiting: 2 });
    // A repeat of a message already taken is not new work: it waits for that message's outcome.
    const repeatOfB = intake.accept(b);
    release();
    expect(await inFlight).toBe('stored');
    expect(await Promise.all(waiting)).toEqual(['stored', 'stored']);
    expect(await repeatOfB).toBe('duplicate');
    let after = await snapshot(db.dataSource);
    expect(after.inbound.map((i) => i.dedupe_key)).toEqual([a.dedupeKey, b.dedupeKey, c.dedupeKey]);
    expect(after.requests.map((r) => r.no)).toEqual([1, 2]);
    // Sent again once the queue has room, as WeCom does after a 503, the refused message is taken.
    expect(await intake.accept(d)).toBe('stored');
    after = await snapshot(db.dataSource);
    expect(after.requests.map((r) => [r.no, r.dedupe_key])).toEqual([
      [1, a.dedupeKey],
      [2, b.dedupeKey],
      [3, d.dedupeKey],
    ]);
  });
});

describe('batch writes', () => {
  it("route by a ledger imported since the last batch, numbering its new group's posts without gaps", async () => {
    const ledgerFile = readLedgerFile('examples/ledger.yaml');
    if (!ledgerFile.ok) throw new Error(ledgerFile.problems.join('\n'));
    const before = ledgerFile.ledger;
    // 8号楼 (jw-b8) has no group in the example; in the newer ledger it has one.
    const NEW_GROUP = 'wrkB8FAKEnewgroup';
    const after = structuredClone(before);
    const b8 = after.compounds.flatMap((c) => c.buildings).find((b) => b.id === 'jw-b8');
    if (!b8) throw new Error('jw-b8 is missing from examples/ledger.yaml');
    b8.chat_id = NEW_GROUP;
    const intake = new Intake(db.dataSource, desk(), clock, silentLogger, undefined, { maxConcurrent: 1 });
    // The desk starts with no ledger in hand: the first batch reads the example's, and takes the
    // number its post needs after that.
    expect(await acceptTogether(intake, [message('#报修 1单元楼道灯不亮')])).toEqual(['stored']);

    // Another instance imports the newer ledger. The desk counts one post by the ledger it holds,
    // three by the newer one it reads in the same round trip.
    await importLedger(db.dataSource, after, clock, 'newer.yaml');
    await acceptTogether(intake, [
      message('#报修 1单元楼道灯不亮', 'zhang.min', NEW_GROUP),
      message('#报修 2单元楼梯扶手松了', 'zhang.min', NEW_GROUP),
      message('#建议 楼下加装长椅', 'chen.ay'),
    ]);
    // And back: the desk counts two posts, the ledger it reads has no such group. Nothing is numbered.
    await importLedger(db.dataSource, before, clock, 'examples/ledger.yaml');
    await acceptTogether(intake, [
      message('#报修 1单元楼道灯不亮', 'zhang.min', NEW_GROUP),
      message('#报修 1单元楼道灯不亮', 'zhang.min', NEW_GROUP),
    ]);
    const requests = await db.dataSource.query<{ no: number; building_id: string }[]>(
      `SELECT no, building_id FROM request ORDER BY no`,
    );
    expect(requests).toEqual([
      { no: 1, building_id: 'jw-b7' },
      { no: 2, building_id: 'jw-b8' },
      { no: 3, building_id: 'jw-b8' },
      { no: 4, building_id: 'jw-b7' },
    ]);
    const [counter] = await db.dataSource.query<{ last_no: number }[]>(`SELECT last_no FROM request_counter`);
    expect(counter?.last_no).toBe(4);
    // The group no longer in the ledger is told so, once a day.
    const notices = await db.dataSource.query<{ chat_id: string }[]>(
      `SELECT chat_id FROM unregistered_chat_notice`,
    );
    expect(notices).toEqual([{ chat_id: NEW_GROUP }]);
  });

  it('hand back request numbers reserved and not used, so numbers stay gapless', async () => {
    await db.dataSource.transaction(async (tx: EntityManager) => {
      const writes = new BatchDeskWrites(tx, clock);
      await writes.reserve(3);
      expect(await writes.nextNo()).toBe(1);
      await writes.finish();
    });
    const [counter] = await db.dataSource.query<{ last_no: number }[]>(`SELECT last_no FROM request_counter`);
    expect(counter?.last_no).toBe(1);

    await db.dataSource.transaction(async (tx: EntityManager) => {
      const writes = new BatchDeskWrites(tx, clock);
      await writes.reserve(1);
      expect(await writes.nextNo()).toBe(2);
      // More than was reserved: the next number follows on.
      expect(await writes.nextNo()).toBe(3);
      await writes.finish();
    });
    const [after] = await db.dataSource.query<{ last_no: number }[]>(`SELECT last_no FROM request_counter`);
    expect(after?.last_no).toBe(3);
  });
});
