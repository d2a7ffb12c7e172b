import { readLedgerFile } from '../../../src/ledger';
import { Ledger } from '../../../src/ledger/ledger';
import { deliver } from '../../../src/requests/deliver';
import { tellStreet } from '../../../src/requests/escalate-request';
import { Outgoing } from '../../../src/requests/outgoing';
import { NOW, drain, later, rows, useWorkerBench } from './outbox-fixtures';

/**
 * A notice to several people (the street admins' private line of an escalation) against the WeCom
 * simulator, which drops app messages past 30 a minute to one member, as WeCom does.
 * examples/ledger.yaml has two street admins, 周敏 (zhou.m) and 陈丽娟 (chen.lj).
 */

const parsed = readLedgerFile('examples/ledger.yaml');
if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
const ledger = new Ledger(parsed.ledger, 1);
const ADMINS = ['zhou.m', 'chen.lj'];
const LEADERSHIP_KEY = ledger.document.leadership.webhook_key ?? '';

const bench = useWorkerBench();

/** What a street notice says of a request: only its number matters here. */
const REQUEST = {
  category: 'repair',
  priority: 'normal',
  compoundId: null,
  buildingId: null,
  unitNo: null,
  room: null,
  text: '楼道灯不亮',
} as const;

/** Queues the street notices of escalations #1..#count, as the reminder sweep would, one transaction each. */
async function escalate(count: number): Promise<{ queued: number; duplicates: number }> {
  let queued = 0;
  let duplicates = 0;
  for (let no = 1; no <= count; no++) {
    const out = new Outgoing();
    const request = { ...REQUEST, id: String(no), no };
    tellStreet(ledger, out, request, undefined, {
      leadership: () => `**上报街道** #${no}`,
      admins: () => `上报街道 #${no}`,
    });
    const result = await bench.dataSource.transaction((tx) =>
      deliver(tx, out.messages, {
        ledger,
        privateNotices: true,
        now: NOW,
        dedupeKey: `reminder:${no}:ack_escalate`,
      }),
    );
    queued += result.queued;
    duplicates += result.duplicates;
  }
  return { queued, duplicates };
}

/** What each admin has received privately, in order. */
function privately(): Record<string, string[]> {
  const seen: Record<string, string[]> = Object.fromEntries(ADMINS.map((id) => [id, []]));
  for (const m of bench.sim.messages()) {
    if (m.destination.type !== 'app_message') continue;
    for (const id of m.destination.userIds) seen[id]?.push(m.body.content);
  }
  return seen;
}

it('a burst of escalations reaches each street admin, each line once and in order, past WeCom’s 30 a minute', async () => {
  bench.sim.registerWebhookKey(LEADERSHIP_KEY);
  // 35 escalations in one sweep: more than WeCom lets through to one person in a minute.
  expect(await escalate(35)).toEqual({ queued: 35 * 3, duplicates: 0 });
  const worker = bench.worker();
  await drain([worker]);
  bench.clock.set(later(61_000));
  await drain([worker]);

  const lines = Array.from({ length: 35 }, (_, i) => `上报街道 #${i + 1}`);
  expect(privately()).toEqual({ 'zhou.m': lines, 'chen.lj': lines });
  expect(bench.sim.messages().filter((m) => m.destination.type === 'group_webhook')).toHaveLength(35);
  expect((await rows(bench.dataSource)).every((r) => r.status === 'sent')).toBe(true);

  // The sweep's transaction retried (its claim gone around): every row is there already.
  expect(await escalate(35)).toEqual({ queued: 0, duplicates: 35 * 3 });
  expect(await drain([worker])).toBe(0);
});
