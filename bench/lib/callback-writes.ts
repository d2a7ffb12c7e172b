import type { PgbenchScript } from './postgres';
import { queryRows } from './postgres';
import { WEBHOOK_KEY_PREFIX } from './street';

/**
 * A second baseline for the ingest benchmark: pgbench doing, on Mulin's own schema (its tables,
 * indexes, constraints and foreign keys), the statements a callback of the issue's mix makes the
 * database run, one transaction per callback and with no service in front. It answers "how much of
 * the gap to a single-row INSERT is the work a callback asks of PostgreSQL, and how much is the
 * service around it".
 *
 * The scripts follow what the desk writes for each kind (src/requests/create-request.ts,
 * src/commands/, src/intake/deliveries.ts), in the mix bench/lib/callbacks.ts sends: 50% posts,
 * 20% chatter, and 30% commands split as planMessages splits them (查询 40%, 接单 30%, 待办 15%,
 * 帮助 15%); every one of them gets a reply. 接单 changes a request in about seven of ten cases in
 * the service's run; the others find it taken already. Texts and JSON bodies are the size of the
 * service's. Left out: what the service reads besides, once a batch (the ledger version; the posters'
 * recent requests, to answer a post sent twice, read again after a command in the batch).
 *
 * One deliberate difference: a post takes its number from a sequence, not from the counter row.
 * With one transaction per callback, posts would take turns on that row from their number to their
 * commit (the service takes it once per batch), and the baseline would measure that wait rather
 * than the writes: 1,340-1,605 tps with the row against 2,318-2,729 with a sequence, back to back
 * (docs/benchmarks.md, "Session 5"). The baseline is the database's capacity for a callback's rows.
 */

/** Requests seeded before the run, for the commands to be about (the service run has its warm-up's). */
export const SEEDED_REQUESTS = 3000;

const BUILDINGS = 1000;
const pad5 = (v: string) => `lpad(${v}::text, 5, '0')`;
const building = `'b' || ${pad5(':b')}`;
const chat = `'wrkBench' || ${pad5(':b')}`;
const webhookKey = `'${WEBHOOK_KEY_PREFIX}-' || ${pad5(':b')} || '-0a1b2c3d'`;
// pgbench substitutes `:name` even inside a quoted literal, so no literal here has a colon
// followed by a letter, digit, underscore or non-ASCII character (the Chinese texts use `：`).
const replyUrl = 'http://127.0.0.1/cgi-bin/aibot/response?response_code=0123456789abcdef0123456789abcdef';

/** The decrypted callback as the intake keeps it in `raw`: about the size of a real one. */
function rawCallback(text: string): string {
  return JSON.stringify({
    msgid: 'bench-pgbench-000000',
    aibotid: 'aibBench',
    chatid: 'wrkBench00001',
    chattype: 'group',
    from: { userid: 'res17.b00001' },
    response_url: replyUrl,
    msgtype: 'text',
    text: { content: `@睦邻助手 ${text}` },
  }).replaceAll("'", "''");
}

function inboundInsert(text: string, gset: boolean): string {
  return (
    `INSERT INTO inbound_message (channel, dedupe_key, msg_id, msg_type, chat_id, chat_type, sender_id, text, ` +
    `image_urls, sent_at, received_at, reply_url, raw, status, processed_at) VALUES ('bot', ` +
    `'bot-pgbench-' || :client_id::text || '-' || :k::text, 'pgbench-' || :k::text, 'text', ${chat}, 'group', ` +
    `'res17.' || ${building}, '${text}', '[]', now(), now(), '${replyUrl}', '${rawCallback(text)}', 'processed', now()) ` +
    `ON CONFLICT (channel, dedupe_key) DO NOTHING` +
    (gset ? ` RETURNING id AS inbound_id \\gset` : ';')
  );
}

/** A markdown reply or receipt queued for the building's group, as the outbox stores one. */
function outboxInsert(purpose: string, content: string, requestId: string): string {
  const body = JSON.stringify({ kind: 'markdown', content }).replaceAll("'", "''");
  return (
    `INSERT INTO outbox (purpose, destination, rate_key, body, request_id, dedupe_key, created_at, next_attempt_at) ` +
    `VALUES ('${purpose}', jsonb_build_object('type', 'group_webhook', 'webhookKey', ${webhookKey}), ${webhookKey}, ` +
    `'${body}', ${requestId}, NULL, now(), now());`
  );
}

const RECEIPT =
  '**已受理 #12345** 报修\n2单元楼道灯不亮\n位置：1号楼2单元；处理人：单元长2（单元长）\n<@unit2.b00001> <@head.b00001> 请尽快查看，接单请回复：接单 12345';
const STATUS_REPLY = '**#12345 报修** 待接单\n2单元楼道灯不亮\n1号楼2单元 · 处理人：单元长2 · 11月28日登记';
const TAKE_REPLY = '#12345 已接单：单元长2 会尽快处理。办好后回复：办结 12345';
const TODO_REPLY =
  '**你的待办（3件）**\n#12345 报修 2单元楼道灯不亮（待接单）\n#12346 求助 门禁坏了（处理中）\n#12347 投诉 垃圾没人清（处理中）';
const HELP_REPLY =
  '**睦邻助手怎么用**\n居民：@睦邻助手 #报修 问题描述\n楼长、单元长：接单、进展、办结、转派、上报 加编号\n查询 编号：看进度；待办：看自己的事';

const HOW_TO_REPORT = '想报事请这样发：@睦邻助手 #报修 2单元楼道灯不亮；发「帮助」看全部用法';

const randomKey = '\\set k random(1, 9000000000000000)';
const randomBuilding = `\\set b random(1, ${BUILDINGS})`;
const randomRequest = `\\set no random(1, ${SEEDED_REQUESTS})`;

/** A command's request, locked as the desk locks it; its id and building for the reply. */
const lockRequest = `SELECT id AS request_id, substr(building_id, 2)::int AS b FROM request WHERE no = :no::int FOR UPDATE \\gset`;

/** Where posts take their numbers (see above: not the counter row). */
const NUMBER_SEQUENCE = 'bench_request_no';

/** A tagged post: its message, a request number, the request, its created and routed events, its receipt. */
const post = [
  randomKey,
  randomBuilding,
  'BEGIN;',
  inboundInsert('#报修 2单元楼道灯不亮', true),
  `SELECT nextval('${NUMBER_SEQUENCE}')::int AS no \\gset`,
  `INSERT INTO request (no, compound_id, building_id, unit_no, room, category, text, image_urls, reporter_id, chat_id, ` +
    `status, priority, assignee_id, team_ids, ack_due_at, resolve_due_at, inbound_id, created_at, updated_at) ` +
    `VALUES (:no::int, 'c' || lpad(((:b::int - 1) / 20 + 1)::text, 4, '0'), ${building}, 2, NULL, 'repair', '2单元楼道灯不亮', '[]', ` +
    `'res17.' || ${building}, ${chat}, 'open', 'normal', 'unit2.' || ${building}, '[]', now() + interval '24 hours', ` +
    `now() + interval '72 hours', :inbound_id::bigint, now(), now()) RETURNING id AS request_id \\gset`,
  `INSERT INTO request_event (request_id, type, actor_id, at, note, data) VALUES ` +
    `(:request_id::bigint, 'created', 'res17.' || ${building}, now(), NULL, ` +
    `'{"category": "repair", "priority": "normal", "unit": 2, "room": null}'), ` +
    `(:request_id::bigint, 'routed', NULL, now(), '交2单元单元长 单元长2', ` +
    `jsonb_build_object('assignee', 'unit2.' || ${building}, 'alsoNotify', ` +
    `jsonb_build_array('head.' || ${building}), 'teams', '[]'::jsonb));`,
  outboxInsert('receipt', RECEIPT, ':request_id::bigint'),
  'END;',
].join('\n');

/** 查询: the request locked and read with its events, a reply queued. */
const query = [
  randomKey,
  randomRequest,
  'BEGIN;',
  lockRequest,
  inboundInsert('查询 12345', false),
  'SELECT * FROM request_event WHERE request_id = :request_id::bigint ORDER BY request_id, id;',
  outboxInsert('reply', STATUS_REPLY, ':request_id::bigint'),
  'END;',
].join('\n');

/** 接单 that takes the request: locked, updated, its event written, a reply queued. */
const take = [
  randomKey,
  randomRequest,
  'BEGIN;',
  lockRequest,
  inboundInsert('接单 12345', false),
  `UPDATE request SET status = 'acknowledged', acknowledged_at = now(), updated_at = now() WHERE id = :request_id::bigint;`,
  `INSERT INTO request_event (request_id, type, actor_id, at, note, data) VALUES (:request_id::bigint, 'acknowledged', 'unit2.b00001', now(), NULL, '{}');`,
  outboxInsert('reply', TAKE_REPLY, ':request_id::bigint'),
  'END;',
].join('\n');

/** 接单 of a request taken already: the request locked and read, a reply queued. */
const takeTaken = [
  randomKey,
  randomRequest,
  'BEGIN;',
  lockRequest,
  inboundInsert('接单 12345', false),
  outboxInsert('reply', TAKE_REPLY, 'NULL'),
  'END;',
].join('\n');

/** 待办 (sent by the building head, as the load generator sends it): their open requests listed, a reply queued. */
const todo = [
  randomKey,
  randomBuilding,
  'BEGIN;',
  inboundInsert('待办', false),
  `SELECT * FROM request WHERE status IN ('open', 'acknowledged') AND assignee_id = 'head.' || ${building} ORDER BY no DESC LIMIT 11;`,
  outboxInsert('reply', TODO_REPLY, 'NULL'),
  'END;',
].join('\n');

/** 帮助: a reply queued. */
const help = [
  randomKey,
  randomBuilding,
  'BEGIN;',
  inboundInsert('帮助', false),
  outboxInsert('reply', HELP_REPLY, 'NULL'),
  'END;',
].join('\n');

/** Chatter (the robot only hears messages that @ it): the message stored, the how-to reply queued. */
const chatter = [
  randomKey,
  randomBuilding,
  'BEGIN;',
  inboundInsert('谢谢楼长', false),
  outboxInsert('reply', HOW_TO_REPORT, 'NULL'),
  'END;',
].join('\n');

/** The scripts, weighted per 1,000 callbacks of the mix. */
export const CALLBACK_WRITE_SCRIPTS: readonly PgbenchScript[] = [
  { name: 'post', text: `${post}\n`, weight: 500 },
  { name: 'query', text: `${query}\n`, weight: 120 },
  { name: 'take', text: `${take}\n`, weight: 65 },
  { name: 'take-taken', text: `${takeTaken}\n`, weight: 25 },
  { name: 'todo', text: `${todo}\n`, weight: 45 },
  { name: 'help', text: `${help}\n`, weight: 45 },
  { name: 'chatter', text: `${chatter}\n`, weight: 200 },
];

/**
 * Seeds a migrated scratch database with SEEDED_REQUESTS open requests (each with its created
 * event), numbered from 1, for the command scripts to find.
 */
export async function seedRequests(url: string): Promise<void> {
  await queryRows(
    url,
    `WITH r AS (
       INSERT INTO request (no, compound_id, building_id, unit_no, category, text, reporter_id, chat_id, status,
                            assignee_id, ack_due_at, resolve_due_at, created_at, updated_at)
       SELECT g, 'c' || lpad(((b - 1) / 20 + 1)::text, 4, '0'), 'b' || lpad(b::text, 5, '0'), 2, 'repair',
              '2单元楼道灯不亮', 'res17.b' || lpad(b::text, 5, '0'), 'wrkBench' || lpad(b::text, 5, '0'), 'open',
              'unit2.b' || lpad(b::text, 5, '0'), now() + interval '24 hours', now() + interval '72 hours', now(), now()
       FROM generate_series(1, $1::int) g, LATERAL (SELECT (g % ${BUILDINGS}) + 1 AS b) x
       RETURNING id, reporter_id)
     INSERT INTO request_event (request_id, type, actor_id, at, data)
     SELECT id, 'created', reporter_id, now(), '{}' FROM r`,
    [SEEDED_REQUESTS],
  );
  await queryRows(url, `CREATE SEQUENCE ${NUMBER_SEQUENCE} START ${SEEDED_REQUESTS + 1}`);
  await queryRows(url, `ANALYZE`);
}
